package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.launcher.Persistence;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journaled sink whose Redis is down at close, against a real Redis: what it could not store is
 * counted {@link SinkStats#deferred() deferred} (it stays in the journal), not failed, and the
 * invariant {@code recorded == stored + failed + dropped + deferred} holds in events with nothing
 * pending; once Redis is back, the next sink on the directory records and stores exactly those
 * events, and Redis holds exactly the state of every event applied once.
 */
@ExtendWith(RedisExtension.class)
class JournalDeferredIT {

  private static final Instant FROM = Instant.parse("2025-12-30T10:00:00Z");

  @TempDir Path dir;

  private static SinkConfig config(RedisServer redis, Duration closeTimeout) {
    return SinkConfig.builder()
        .redisUri(redis.uri())
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .commandTimeout(Duration.ofSeconds(1))
        .closeTimeout(closeTimeout)
        .build();
  }

  private BufferedSink open(SinkConfig config) {
    return BufferedSink.builder(config)
        .journal(JournalConfig.of(dir).withFsync(FsyncPolicy.NONE))
        .build();
  }

  private static InMemoryRedis expected(SinkConfig config, List<UsageEvent> events) {
    UsageLayout layout = UsageLayouts.crs(config);
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(layout.plan(e), null));
    return expected;
  }

  private static void assertSettled(SinkStats s) {
    assertThat(s.pending()).as("pending after close in %s", s).isZero();
    assertThat(s.stored() + s.failed() + s.dropped() + s.deferred())
        .as("stored + failed + dropped + deferred in %s", s)
        .isEqualTo(s.recorded());
  }

  /** Opens the next sink on the directory with Redis up, waits for its recovery, closes it. */
  private SinkStats recover(RedisServer redis) throws Exception {
    BufferedSink next = open(config(redis, Duration.ofSeconds(30)));
    try {
      next.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      next.close();
    }
    SinkStats s = next.stats();
    assertSettled(s);
    assertThat(s.failed() + s.deferred()).as("%s", s).isZero();
    return s;
  }

  @Test
  void eventsRecordedWhileRedisIsDownAreDeferredAndStoredOnceWhenItIsBack(
      @IsolatedRedis RedisServer redis) throws Exception {
    redis.stop();
    SinkConfig config = config(redis, Duration.ofSeconds(2));
    List<UsageEvent> events = Workloads.random(21, 5_000, FROM, Duration.ofHours(6));
    BufferedSink first = open(config);
    events.forEach(first::record);
    first.close();
    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.recorded()).isEqualTo(5_000);
    assertThat(s.stored()).isZero();
    assertThat(s.failed()).as("kept in the journal, not given up: %s", s).isZero();
    assertThat(s.deferred()).isEqualTo(5_000);

    redis.restart();
    SinkStats next = recover(redis);
    assertThat(next.recorded()).as("the deferred events, recovered").isEqualTo(5_000);
    assertThat(next.stored()).isEqualTo(5_000);
    RedisStates.assertSameState(RedisStates.dump(config), expected(config, events));

    assertThat(recover(redis).recorded()).as("recovering again finds nothing").isZero();
  }

  @Test
  void onlyWhatRedisDidNotTakeIsDeferredAndTheNextSinkStoresExactlyThat(
      @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) throws Exception {
    SinkConfig config = config(redis, Duration.ofSeconds(2));
    List<UsageEvent> early = Workloads.random(22, 3_000, FROM, Duration.ofHours(6));
    List<UsageEvent> late = Workloads.random(23, 4_000, FROM, Duration.ofHours(6));
    BufferedSink first = open(config);
    early.forEach(first::record);
    first.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);
    redis.kill(); // Redis goes away; what it acknowledged is in its AOF
    late.forEach(first::record);
    first.close();
    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.stored()).isEqualTo(3_000);
    assertThat(s.deferred()).isEqualTo(4_000);
    assertThat(s.failed()).isZero();

    redis.restart();
    SinkStats next = recover(redis);
    assertThat(next.recorded()).as("exactly the deferred events: %s", next).isEqualTo(4_000);
    assertThat(next.stored()).isEqualTo(4_000);
    List<UsageEvent> all = new ArrayList<>(early);
    all.addAll(late);
    RedisStates.assertSameState(RedisStates.dump(config), expected(config, all));
  }
}
