package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The buffered backend leaves exactly the state of planning each event alone and applying it with
 * the pipeline writer (the pipeline backend's state): same keys, fields, values; TTLs right.
 */
@ExtendWith(RedisExtension.class)
class BufferedSinkEquivalenceIT {

  private static final Instant FROM =
      Instant.parse("2025-12-30T10:00:00Z"); // spans a month and a year end at +08:00
  private static final Duration SPAN = Duration.ofDays(3);

  private static SinkConfig.Builder config(String uri) {
    return SinkConfig.builder()
        .redisUri(uri)
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .flushInterval(Duration.ofMillis(100));
  }

  /** Records {@code events} (following them with {@code eventClock} when given) and closes. */
  private static SinkStats runBuffered(
      SinkConfig config, List<UsageEvent> events, ManualClock eventClock) {
    BufferedSink.Builder builder = BufferedSink.builder(config);
    if (eventClock != null) {
      builder.clock(eventClock);
    }
    BufferedSink sink = builder.build();
    try {
      for (UsageEvent e : events) {
        if (eventClock != null) {
          eventClock.set(e.at());
        }
        sink.record(e);
      }
    } finally {
      sink.close();
    }
    SinkStats s = sink.stats();
    assertThat(s.stored()).as("stored in %s", s).isEqualTo(events.size());
    assertThat(s.failed()).as("failed in %s", s).isZero();
    assertThat(s.pending()).as("pending in %s", s).isZero();
    return s;
  }

  /**
   * Applies each event alone with the pipeline writer (the pipeline backend's state), dumps it,
   * empties Redis, runs the buffered sink and compares the dumps.
   */
  private static SinkStats assertBufferedEqualsPipeline(
      SinkConfig config, List<UsageEvent> events, Runnable flushAll, ManualClock eventClock)
      throws Exception {
    RedisStates.applyEachEvent(config, UsageLayouts.crs(config), events);
    SortedMap<String, StoredKey> expected = RedisStates.dump(config);
    flushAll.run();
    SinkStats s = runBuffered(config, events, eventClock);
    RedisStates.assertSameState(RedisStates.dump(config), expected);
    return s;
  }

  /**
   * Like {@link #assertBufferedEqualsPipeline} with the reference computed in memory (planning each
   * event alone and summing), which takes milliseconds where 3 million pipelined commands take 15
   * s.
   */
  private static SinkStats assertBufferedEqualsEachEventPlanned(
      SinkConfig config, List<UsageEvent> events) {
    UsageLayout layout = UsageLayouts.crs(config);
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(layout.plan(e), null));
    SinkStats s = runBuffered(config, events, null);
    RedisStates.assertSameState(RedisStates.dump(config), expected);
    return s;
  }

  @Test
  void aRandomWorkloadOf20000EventsGivesTheStateOfApplyingEachEventAlone(RedisServer redis)
      throws Exception {
    List<UsageEvent> events = Workloads.random(20_000, 20_000, FROM, SPAN);
    SinkStats s = assertBufferedEqualsEachEventPlanned(config(redis.uri()).build(), events);
    assertThat(s.commands()).as("EVALSHA calls, one per batch").isEqualTo(s.flushes());
  }

  @Test
  void aSmallerRandomWorkloadIsDumpEqualToThePipelineState(RedisServer redis) throws Exception {
    List<UsageEvent> events = Workloads.random(5, 3_000, FROM, SPAN);
    assertBufferedEqualsPipeline(config(redis.uri()).build(), events, redis::flushAll, null);
  }

  @Test
  void onAClusterASmallerRandomWorkloadIsDumpEqualToThePipelineState(RedisClusterHandle cluster)
      throws Exception {
    List<UsageEvent> events = Workloads.random(6, 2_000, FROM, SPAN);
    assertBufferedEqualsPipeline(
        config(cluster.seedUri()).build(), events, cluster::flushAll, null);
  }

  @Test
  void withThePipelineWriterTheStateIsThePipelineStateToo(RedisServer redis) throws Exception {
    List<UsageEvent> events = Workloads.random(7, 3_000, FROM, SPAN);
    assertBufferedEqualsPipeline(
        config(redis.uri()).bufferedWriter("pipeline").build(), events, redis::flushAll, null);
  }

  @Test
  void replayedWithTheEventClockAndA60sIntervalTheStateIsThePipelineState(RedisServer redis)
      throws Exception {
    List<UsageEvent> events = Workloads.randomInTimeOrder(60, 3_000, FROM, Duration.ofDays(1));
    SinkStats s =
        assertBufferedEqualsPipeline(
            config(redis.uri()).flushInterval(Duration.ofSeconds(60)).build(),
            events,
            redis::flushAll,
            new ManualClock(FROM));
    // one batch per simulated minute that had events: about 1,300 of the day's 1,440 minutes
    assertThat(s.flushes()).isBetween(1_000L, 1_440L);
  }

  @Test
  void onAThreeMasterClusterTheRandomWorkloadGivesTheStateOfApplyingEachEventAlone(
      RedisClusterHandle cluster) throws Exception {
    List<UsageEvent> events = Workloads.random(3, 20_000, FROM, SPAN);
    SinkStats s = assertBufferedEqualsEachEventPlanned(config(cluster.seedUri()).build(), events);
    assertThat(s.commands())
        .as("EVALSHA calls: one per slot group per batch")
        .isGreaterThan(s.flushes());
  }
}
