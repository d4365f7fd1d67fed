package io.usagesink.redis.pipeline;

import static io.usagesink.redis.testing.States.assertAtLeastAndMeasureExcess;
import static io.usagesink.redis.testing.States.assertSameState;
import static io.usagesink.redis.testing.States.expected;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.Persistence;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The redis-pipeline backend against a real Redis: golden states, commands per event, discovery,
 * and what it does under faults (documented in {@link RedisPipelineSink}: at-least-once per
 * command, no loss within the command timeout, possible over-counting after a connection drop).
 */
@ExtendWith(RedisExtension.class)
class RedisPipelineSinkIT {

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
    return RedisPipelineSink.builder().config(config).build();
  }

  @Test
  void everyGoldenCaseThroughTheSinkLeavesTheRecordedState(RedisServer redis) throws Exception {
    SinkRuns.assertGoldenCases(
        SinkConfig.builder().redisUri(redis.uri()).build(),
        RedisPipelineSinkIT::sink,
        redis::flushAll);
  }

  @Test
  void anEventCostsTheLayoutsCommandsInOneRoundTrip(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (UsageSink sink = sink(config)) {
      CommandStats before = redis.commandStats();
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      CommandStats delta = redis.commandStats().minus(before).without("info");
      assertThat(delta.asMap()).isEqualTo(Map.of("hincrby", 80L + 52, "expire", 10L + 6));
      assertThat(sink.stats().commands()).isEqualTo(90 + 58);
      assertThat(sink.stats().roundTrips()).isEqualTo(1);

      before = redis.commandStats();
      sink.record(BOTH.toBuilder().longContext(true).build())
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      assertThat(redis.commandStats().minus(before).without("info").total()).isEqualTo(96 + 64);
      before = redis.commandStats();
      sink.record(BOTH.toBuilder().accountId(null).build())
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      assertThat(redis.commandStats().minus(before).without("info").total()).isEqualTo(90);
    }
  }

  @Test
  void theProviderIsFoundByItsName(RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).backend("redis-pipeline").build();
    try (UsageSink sink = UsageSinks.open(config)) {
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(sink.toString()).contains("redis-pipeline");
    }
    try (RedisConnection c = RedisConnection.open(config)) {
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(1);
    }
  }

  @Test
  void aSharedConnectionIsNotClosedByTheSink(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      try (UsageSink sink = RedisPipelineSink.builder().config(config).connection(c).build()) {
        sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(c.isClosed()).isFalse();
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(1);
    }
  }

  /**
   * Connections killed every 300 ms. The writer connection fails every unanswered command at once
   * when it breaks (no silent re-send by Lettuce) and the writer re-sends exactly those, counted in
   * {@code retries}: a command that Redis had applied before the kill but whose reply was lost is
   * applied twice. So the over-count is bounded by what was in flight at the kills: each kill can
   * double at most one event's increments per event in flight on the killed connection, and every
   * event in flight then is still pending right after the kill. With {@code P} = the sum over kills
   * of {@code pending} read right after the kill: every counter's excess is at most {@code P} times
   * that counter's largest increment by one event, and the excess in requests ({@code
   * totalRequests} of {@code usage:{keyId}}) at most {@code P}. Nothing is lost and nothing fails
   * (a lost connection is transient).
   */
  @Test
  void killedConnectionsLoseNothingAndOverCountAtMostTheEventsInFlightAtEachKill(RedisServer redis)
      throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
    List<UsageEvent> events = Workloads.random(7, 3_000);
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    SinkStats stats;
    java.util.concurrent.atomic.AtomicLong kills = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong inFlightAtKills =
        new java.util.concurrent.atomic.AtomicLong();
    List<UsageEvent> succeeded = new ArrayList<>();
    try (UsageSink sink = sink(config)) {
      killer.scheduleAtFixedRate(
          () -> {
            if (redis.killClients() > 0) {
              kills.incrementAndGet();
              inFlightAtKills.addAndGet(sink.stats().pending());
            }
          },
          300,
          300,
          TimeUnit.MILLISECONDS);
      List<CompletableFuture<Void>> stages = SinkRuns.recordAll(sink, events, 256);
      for (int i = 0; i < stages.size(); i++) {
        try {
          stages.get(i).get(60, TimeUnit.SECONDS);
          succeeded.add(events.get(i));
        } catch (ExecutionException failed) {
          // counted below
        }
      }
      killer.shutdownNow();
      killer.awaitTermination(10, TimeUnit.SECONDS);
      stats = sink.stats();
    } finally {
      killer.shutdownNow();
    }
    UsageLayout layout = UsageLayouts.crs(config);
    SortedMap<String, StoredKey> actual = dump(config);
    SortedMap<String, StoredKey> expected = expected(layout, succeeded);
    long excess = assertAtLeastAndMeasureExcess(actual, expected);
    long bound = inFlightAtKills.get();
    String what =
        "redis-pipeline, connections killed every 300 ms ("
            + kills
            + " kills, "
            + bound
            + " events pending at them in all; "
            + stats
            + ")";
    assertThat(kills.get()).as(what + ": connections killed while the sink wrote").isPositive();
    assertThat(stats.retries()).as(what + ": re-sent writes").isPositive();
    assertThat(stats.recorded()).isEqualTo(events.size());
    assertThat(stats.failed()).as(what + ": failed (a killed connection is transient)").isZero();
    assertThat(stats.stored()).isEqualTo(events.size());
    assertThat(succeeded).hasSize(events.size());
    long requestExcess = 0;
    for (String k : expected.keySet()) {
      if (k.matches("usage:[^:]+")) {
        requestExcess +=
            Long.parseLong(actual.get(k).fields().get("totalRequests"))
                - Long.parseLong(expected.get(k).fields().get("totalRequests"));
      }
    }
    System.out.println(
        what
            + ": excess over the exact state = "
            + excess
            + " units in all, "
            + requestExcess
            + " requests (bound "
            + bound
            + ")");
    assertThat(requestExcess).as(what + ": requests counted twice").isLessThanOrEqualTo(bound);
    Map<String, Long> largestIncrement = new java.util.HashMap<>();
    for (UsageEvent e : succeeded) {
      expected(layout, List.of(e))
          .forEach(
              (key, v) ->
                  v.fields()
                      .forEach(
                          (f, n) ->
                              largestIncrement.merge(key + " " + f, Long.parseLong(n), Math::max)));
    }
    expected.forEach(
        (key, v) ->
            v.fields()
                .forEach(
                    (f, n) -> {
                      long over =
                          Long.parseLong(actual.get(key).fields().get(f)) - Long.parseLong(n);
                      assertThat(over)
                          .as(what + ": excess of " + key + " " + f)
                          .isLessThanOrEqualTo(bound * largestIncrement.get(key + " " + f));
                    }));
  }

  /**
   * A server down for 3 s (kill -9, restart with AOF): a lost connection is transient, so every
   * event is retried until stored and none fails; commands that were applied (and fsynced) before
   * the kill but not answered are applied again, so each counter may exceed the exact state by at
   * most the events pending right after the kill times its largest increment by one event.
   */
  @Test
  void aServerDownForThreeSecondsLosesNothingAndOverCountsAtMostTheEventsInFlight(
      @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
    List<UsageEvent> events = Workloads.random(8, 2_000);
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    SinkStats stats;
    long inFlightAtKill;
    try (UsageSink sink = sink(config)) {
      stages.addAll(SinkRuns.recordAll(sink, events.subList(0, 1_000), 256));
      redis.kill();
      inFlightAtKill = sink.stats().pending();
      stages.addAll(SinkRuns.recordAll(sink, events.subList(1_000, 1_200), 1_000));
      Thread.sleep(3_000);
      redis.restart();
      stages.addAll(SinkRuns.recordAll(sink, events.subList(1_200, 2_000), 256));
      CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0]))
          .handle((r, e) -> null)
          .get(60, TimeUnit.SECONDS);
      stats = sink.stats();
    }
    String what =
        "redis-pipeline, server killed and restarted after 3 s (AOF always; "
            + inFlightAtKill
            + " events pending at the kill; "
            + stats
            + ")";
    assertThat(stats.retries()).as(what + ": retries while down").isPositive();
    assertThat(stats.failed()).as(what + ": failed").isZero();
    assertThat(stats.stored()).as(what + ": stored").isEqualTo(events.size());
    assertThat(stages).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    UsageLayout layout = UsageLayouts.crs(config);
    SortedMap<String, StoredKey> actual = dump(config);
    SortedMap<String, StoredKey> expected = expected(layout, events);
    long excess = assertAtLeastAndMeasureExcess(actual, expected);
    Map<String, Long> largestIncrement = new java.util.HashMap<>();
    for (UsageEvent e : events) {
      expected(layout, List.of(e))
          .forEach(
              (key, v) ->
                  v.fields()
                      .forEach(
                          (f, n) ->
                              largestIncrement.merge(key + " " + f, Long.parseLong(n), Math::max)));
    }
    expected.forEach(
        (key, v) ->
            v.fields()
                .forEach(
                    (f, n) ->
                        assertThat(
                                Long.parseLong(actual.get(key).fields().get(f)) - Long.parseLong(n))
                            .as(what + ": excess of " + key + " " + f)
                            .isLessThanOrEqualTo(
                                inFlightAtKill * largestIncrement.get(key + " " + f))));
    System.out.println(what + ": excess = " + excess + " units");
  }

  /** A SCRIPT FLUSH does not concern the pipeline: exact totals. */
  @Test
  void aScriptFlushChangesNothing(RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
    List<UsageEvent> events = Workloads.random(9, 1_000);
    try (UsageSink sink = sink(config)) {
      List<CompletableFuture<Void>> a = SinkRuns.recordAll(sink, events.subList(0, 500), 256);
      redis.scriptFlush();
      List<CompletableFuture<Void>> b = SinkRuns.recordAll(sink, events.subList(500, 1_000), 256);
      SinkRuns.awaitAll(a, 60);
      SinkRuns.awaitAll(b, 60);
    }
    assertSameState(
        dump(config), expected(UsageLayouts.crs(config), events), 30, "after SCRIPT FLUSH");
  }

  /**
   * Down longer than the command timeout: the events fail, are counted, and are never sent later.
   */
  @Test
  void eventsRecordedWhileRedisIsDownAreRetriedAndStoredOnceItIsBack(
      @IsolatedRedis RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).commandTimeout(Duration.ofSeconds(1)).build();
    try (UsageSink sink = sink(config)) {
      sink.record(BOTH).toCompletableFuture().get(10, TimeUnit.SECONDS);
      redis.stop();
      // how the stage ended while Redis was down, if it did: watched over the whole outage, not
      // sampled
      AtomicBoolean down = new AtomicBoolean(true);
      AtomicReference<String> endedWhileDown = new AtomicReference<>();
      CompletableFuture<Void> waiting =
          sink.record(BOTH.toBuilder().keyId("waiting").build()).toCompletableFuture();
      waiting.whenComplete(
          (v, e) -> {
            if (down.get()) {
              endedWhileDown.set(e == null ? "completed normally" : "failed: " + e);
            }
          });
      // a timeout or a refused connection is transient: the event is retried with backoff, not
      // failed
      eventually(() -> sink.stats().retries() > 0);
      down.set(false);
      assertThat(endedWhileDown.get())
          .as("the stage of the event recorded while Redis was down")
          .isNull();
      redis.restart();
      waiting.get(60, TimeUnit.SECONDS);
      SinkStats s = sink.stats();
      assertThat(s.failed()).isZero();
      assertThat(s.stored()).isEqualTo(2);
    }
    SortedMap<String, StoredKey> state = dump(config);
    // nothing of it had reached Redis before the restart, so the retry stored it exactly once
    assertThat(state.get("usage:waiting").fields()).containsEntry("totalRequests", "1");
  }

  private static void eventually(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not reached within 60 s").isNegative();
      Thread.sleep(20);
    }
  }

  private static SortedMap<String, StoredKey> dump(SinkConfig config) {
    try (RedisConnection c = RedisConnection.open(config)) {
      return States.fromReader(UsageReader.of(c, config).dump());
    }
  }

  static UsageLayout layout(SinkConfig config) {
    return UsageLayouts.crs(config);
  }
}
