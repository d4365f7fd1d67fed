package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.Persistence;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults while events are recorded and flushed: Redis killed and restarted, connections killed,
 * Redis paused past the command timeout (ambiguous replies). In every case the final state is
 * exactly the state of applying each event once: nothing lost, nothing counted twice.
 */
@ExtendWith(RedisExtension.class)
class BufferedSinkFaultIT {

  private static final Instant FROM = Instant.parse("2025-08-15T00:00:00Z");
  private static final int EVENTS = 20_000;

  /**
   * Events are recorded in chunks with a pause between, so a fault lands in the middle of the run.
   */
  private static final int CHUNK = 200;

  private static SinkConfig config(RedisServer redis, Duration commandTimeout) {
    return SinkConfig.builder()
        .redisUri(redis.uri())
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .flushInterval(Duration.ofMillis(50))
        .commandTimeout(commandTimeout)
        .closeTimeout(Duration.ofSeconds(30))
        .build();
  }

  /**
   * Records the workload over about 1.5 s while {@code fault} runs, closes, and checks the state.
   */
  private static SinkStats runWithFault(SinkConfig config, long seed, Runnable fault)
      throws Exception {
    List<UsageEvent> events = Workloads.random(seed, EVENTS, FROM, Duration.ofDays(2));
    UsageLayout layout = UsageLayouts.crs(config);
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(layout.plan(e), null));

    BufferedSink sink = BufferedSink.builder(config).build();
    CompletableFuture<Void> faults = CompletableFuture.runAsync(fault);
    try {
      for (int i = 0; i < events.size(); i++) {
        sink.record(events.get(i));
        if (i % CHUNK == CHUNK - 1) {
          Thread.sleep(15);
        }
      }
      faults.get(60, TimeUnit.SECONDS);
    } finally {
      sink.close();
    }

    SinkStats s = sink.stats();
    assertThat(s.failed()).as("failed in %s", s).isZero();
    assertThat(s.stored()).as("stored in %s", s).isEqualTo(EVENTS);
    // read back with a generous timeout: the fault's short command timeout (and a pause that may
    // still be running) is the sink's test, not the reader's
    SinkConfig reader = config.toBuilder().commandTimeout(Duration.ofSeconds(10)).build();
    RedisStates.assertSameState(RedisStates.dump(reader), expected);
    return s;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void redisKilledMidRunAndRestartedWithAofLosesAndDoublesNothing(
      @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) throws Exception {
    // down for longer than the command timeout, so writes time out and are retried
    SinkStats s =
        runWithFault(
            config(redis, Duration.ofMillis(500)),
            11,
            () -> {
              sleep(400);
              redis.kill();
              sleep(1_200);
              redis.restart();
            });
    assertThat(s.retries()).as("writes retried while Redis was down").isPositive();
  }

  @Test
  void connectionsKilledEvery300msLoseAndDoubleNothing(RedisServer redis) throws Exception {
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.atomic.AtomicLong kills = new java.util.concurrent.atomic.AtomicLong();
    SinkStats s;
    try {
      s =
          runWithFault(
              config(redis, Duration.ofSeconds(1)),
              12,
              () -> {
                killer.scheduleAtFixedRate(
                    () -> {
                      if (redis.killClients() > 0) {
                        kills.incrementAndGet();
                      }
                    },
                    100,
                    300,
                    TimeUnit.MILLISECONDS);
                sleep(2_000);
                killer.shutdownNow();
              });
    } finally {
      killer.shutdownNow();
    }
    // the fault hit: the sink's connection (the only client besides the fixture's) was killed
    // mid-run;
    // whether a flush was in flight at a kill is timing, so retries are reported, not required
    assertThat(kills.get())
        .as("kills of the sink's connection while it flushed (%s)", s)
        .isPositive();
    System.out.println(
        "buffered, connections killed every 300 ms: " + kills + " kills, exact; " + s);
  }

  @Test
  void redisPausedPastTheCommandTimeoutLosesAndDoublesNothing(RedisServer redis) throws Exception {
    // replies to the writes sent during the pause time out: ambiguous, yet Redis runs them
    // afterwards
    SinkStats s =
        runWithFault(
            config(redis, Duration.ofMillis(300)),
            13,
            () -> {
              sleep(300);
              redis.pause(Duration.ofMillis(1_200));
              sleep(1_500);
              redis.pause(Duration.ofMillis(800));
            });
    assertThat(s.retries()).as("writes retried after timing out").isPositive();
  }
}
