package io.usagesink.redis.lua;

import static io.usagesink.redis.testing.States.assertSameState;
import static io.usagesink.redis.testing.States.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.Persistence;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.SinkRuns;
import io.usagesink.redis.testing.States;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The redis-lua backend against a real Redis: golden states, one EVALSHA per event, exactly-once
 * under SCRIPT FLUSH, restarts, killed connections and a server down for 3 s, and counted failures
 * at the close deadline.
 */
@ExtendWith(RedisExtension.class)
class RedisLuaSinkIT {

  private static final UsageEvent BOTH =
      UsageEvent.builder()
          .at(Instant.parse("2025-08-15T03:10:00Z"))
          .keyId("k1")
          .accountId("a1")
          .model("claude-sonnet-4-20250514")
          .inputTokens(1200)
          .outputTokens(350)
          .build();

  private static UsageSink sink(SinkConfig config) {
    return RedisLuaSink.builder().config(config).build();
  }

  private static SinkConfig config(RedisServer redis) {
    return SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
  }

  private static SortedMap<String, StoredKey> dump(SinkConfig config) {
    try (RedisConnection c = RedisConnection.open(config)) {
      return States.fromReader(UsageReader.of(c, config).dump());
    }
  }

  /** When this test began: its keys' TTLs count down from their writes since then. */
  private final long started = System.nanoTime();

  /**
   * Redis holds exactly the events' state; a TTL may be short by the test's duration (a key written
   * at its start and read at its end), at least {@link States#TTL_TOLERANCE_SECONDS}: on a loaded
   * machine a fault test can take over a minute.
   */
  private void assertExact(
      SinkConfig config, List<UsageEvent> events, SinkStats stats, String what) {
    assertThat(stats.failed()).as(what + ": failed").isZero();
    assertThat(stats.stored()).as(what + ": stored").isEqualTo(events.size());
    long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertSameState(
        dump(config),
        expected(UsageLayouts.crs(config), events),
        Math.max(States.TTL_TOLERANCE_SECONDS, elapsed + 5),
        what);
  }

  @Test
  void everyGoldenCaseThroughTheSinkLeavesTheRecordedState(RedisServer redis) throws Exception {
    SinkRuns.assertGoldenCases(
        SinkConfig.builder().redisUri(redis.uri()).build(), RedisLuaSinkIT::sink, redis::flushAll);
  }

  @Test
  void anEventCostsOneEvalsha(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    try (UsageSink sink = sink(config)) {
      sink.record(BOTH)
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS); // the script is loaded by now
      CommandStats before = redis.commandStats();
      for (int i = 0; i < 10; i++) {
        sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      CommandStats delta = redis.commandStats().minus(before).without("info");
      assertThat(delta.asMap())
          .isEqualTo(Map.of("evalsha", 10L, "hincrby", 10L * 132, "expire", 10L * 16, "set", 10L));
      assertThat(sink.stats().commands()).isEqualTo(11);
      assertThat(sink.stats().roundTrips()).isEqualTo(11);
    }
  }

  @Test
  void anEventIdIsCountedOnce(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    UsageEvent withId = BOTH.toBuilder().id("request-42").build();
    try (UsageSink sink = sink(config)) {
      sink.record(withId).toCompletableFuture().get(10, TimeUnit.SECONDS);
      sink.record(withId).toCompletableFuture().get(10, TimeUnit.SECONDS);
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(sink.stats().stored()).isEqualTo(4);
    }
    try (RedisConnection c = RedisConnection.open(config)) {
      // the repeated id once, the two events without id (each gets its own generated id) twice
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(3);
    }
  }

  @Test
  void theHighestPriorityProviderIsChosenWhenNoneIsNamed(RedisServer redis) throws Exception {
    // redis-pipeline is on this module's test class path too: redis-lua (priority 20) wins over it
    // (10)
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (UsageSink sink = UsageSinks.open(config)) {
      assertThat(sink.toString()).contains("redis-lua");
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    try (UsageSink sink = UsageSinks.open(config.toBuilder().backend("redis-lua").build())) {
      assertThat(sink.toString()).contains("redis-lua");
    }
  }

  @Test
  void aScriptFlushMidRunLosesNothing(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    List<UsageEvent> events = Workloads.random(11, 2_000);
    SinkStats stats;
    CommandStats before = redis.commandStats();
    try (UsageSink sink = sink(config)) {
      List<CompletableFuture<Void>> stages = new ArrayList<>();
      for (int part = 0; part < 4; part++) {
        stages.addAll(SinkRuns.recordAll(sink, events.subList(part * 500, part * 500 + 500), 256));
        redis.scriptFlush();
      }
      SinkRuns.awaitAll(stages, 120);
      stats = sink.stats();
    }
    assertExact(config, events, stats, "SCRIPT FLUSH x4");
    assertThat(redis.commandStats().minus(before).calls("script|load")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRestartedServerLosesNothingAndCountsNothingTwice(
      @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    List<UsageEvent> events = Workloads.random(12, 2_000);
    SinkStats stats;
    try (UsageSink sink = sink(config)) {
      List<CompletableFuture<Void>> stages =
          new ArrayList<>(SinkRuns.recordAll(sink, events.subList(0, 1_000), 256));
      redis.kill(); // mid-run: commands in flight, script cache gone after the restart
      redis.restart();
      stages.addAll(SinkRuns.recordAll(sink, events.subList(1_000, 2_000), 256));
      SinkRuns.awaitAll(stages, 120);
      stats = sink.stats();
    }
    assertExact(config, events, stats, "kill -9 + restart");
  }

  @Test
  void connectionsKilledEvery300msLoseNothingAndCountNothingTwice(RedisServer redis)
      throws Exception {
    SinkConfig config = config(redis);
    List<UsageEvent> events = Workloads.random(13, 1_500);
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.atomic.AtomicLong kills = new java.util.concurrent.atomic.AtomicLong();
    SinkStats stats;
    long duplicates;
    try (UsageSink sink = sink(config)) {
      killer.scheduleAtFixedRate(
          () -> {
            if (redis.killClients() > 0) {
              kills.incrementAndGet();
            }
          },
          300,
          300,
          TimeUnit.MILLISECONDS);
      SinkRuns.awaitAll(SinkRuns.recordAll(sink, events, 256), 120);
      killer.shutdownNow();
      killer.awaitTermination(10, TimeUnit.SECONDS);
      stats = sink.stats();
      duplicates = ((io.usagesink.redis.internal.PerEventSink) sink).duplicatesSkipped();
    } finally {
      killer.shutdownNow();
    }
    String what =
        "redis-lua, connections killed every 300 ms ("
            + kills
            + " kills of the sink's connection, "
            + duplicates
            + " replayed/retried calls skipped by the guard, "
            + stats.retries()
            + " retries)";
    System.out.println(what + ": " + events.size() + " events");
    // the fault hit: the sink's connection was killed while it wrote, and calls were re-sent
    assertThat(kills.get()).as(what + ": kills").isPositive();
    assertThat(stats.retries()).as(what + ": retries").isPositive();
    assertExact(config, events, stats, what);
  }

  @Test
  void aServerDownForThreeSecondsLosesNothingAndCountsNothingTwice(
      @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) throws Exception {
    SinkConfig config = config(redis).toBuilder().commandTimeout(Duration.ofSeconds(1)).build();
    List<UsageEvent> events = Workloads.random(14, 2_000);
    SinkStats stats;
    try (UsageSink sink = sink(config)) {
      List<CompletableFuture<Void>> stages =
          new ArrayList<>(SinkRuns.recordAll(sink, events.subList(0, 800), 256));
      redis.kill();
      // record() returns at once while the server is down; these are retried until it is back
      List<CompletableFuture<Void>> during =
          SinkRuns.recordAll(sink, events.subList(800, 1_200), 1_000);
      assertThat(during).anyMatch(f -> !f.isDone());
      Thread.sleep(3_000);
      redis.restart();
      stages.addAll(during);
      stages.addAll(SinkRuns.recordAll(sink, events.subList(1_200, 2_000), 256));
      SinkRuns.awaitAll(stages, 120);
      stats = sink.stats();
    }
    // with a 1 s command timeout the events of the outage failed transiently and were retried
    assertThat(stats.retries()).isPositive();
    assertExact(config, events, stats, "down for 3 s");
  }

  @Test
  void aPausedServerLosesNothing(RedisServer redis) throws Exception {
    SinkConfig config = config(redis).toBuilder().commandTimeout(Duration.ofSeconds(1)).build();
    List<UsageEvent> events = Workloads.random(15, 1_500);
    SinkStats stats;
    try (UsageSink sink = sink(config)) {
      List<CompletableFuture<Void>> stages =
          new ArrayList<>(SinkRuns.recordAll(sink, events.subList(0, 500), 256));
      redis.pause(Duration.ofSeconds(3));
      stages.addAll(SinkRuns.recordAll(sink, events.subList(500, 1_500), 2_000));
      SinkRuns.awaitAll(stages, 120);
      stats = sink.stats();
    }
    assertExact(config, events, stats, "CLIENT PAUSE 3 s");
  }

  @Test
  void eventsStillUnstoredAtTheCloseDeadlineAreCountedFailedWithTheReason(
      @IsolatedRedis RedisServer redis) throws Exception {
    SinkConfig config =
        config(redis).toBuilder()
            .commandTimeout(Duration.ofMillis(500))
            .closeTimeout(Duration.ofSeconds(2))
            .build();
    UsageSink sink = sink(config);
    sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
    redis.stop();
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      stages.add(sink.record(BOTH).toCompletableFuture());
    }
    assertThat(stages).allMatch(f -> !f.isDone());
    sink.close();
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(11);
    assertThat(s.stored()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(10);
    assertThat(s.pending()).isZero();
    assertThat(s.retries()).isPositive();
    for (CompletableFuture<Void> f : stages) {
      assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("event not stored within the close timeout PT2S; last error: ");
    }
    assertThat(
            ((io.usagesink.redis.internal.PerEventSink) sink)
                .failureReasons().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(10);
  }
}
