package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The buffered cap under 8 threads: ten times more distinct counters than {@code
 * max-pending-counters} into a real Redis. At the cap the cache evicts the coldest accumulators,
 * which are written early with their interval's batch; no event is dropped and Redis holds exactly
 * the state the testkit's plan interpreter computes from the events (not from the sink's own
 * numbers).
 */
@ExtendWith(RedisExtension.class)
class BufferedSinkCapIT {

  private static final int THREADS = 8;
  private static final int CAP = 200;
  private static final int DISTINCT = 10 * CAP;
  private static final int PER_THREAD = 5_000;
  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  /**
   * Event {@code i} of thread {@code t}: one of {@link #DISTINCT} (key, account) pairs, one model,
   * one minute.
   */
  private static UsageEvent event(int t, int i) {
    int c = (int) ((t * 7_919L + i * 13L) % DISTINCT);
    return UsageEvent.builder()
        .at(T0.plusMillis(i % 50_000))
        .keyId("k" + c % 500)
        .accountId("a" + c / 500)
        .model("claude-sonnet-4-20250514")
        .inputTokens(1 + i % 7)
        .outputTokens(2 + t)
        .cacheReadTokens(i % 3 == 0 ? 10 : 0)
        .longContext(i % 11 == 0)
        .realCostMicros(i % 5)
        .build();
  }

  @Test
  void atTheCapEightThreadsLoseNothingAndRedisHoldsExactlyTheEvents(RedisServer redis)
      throws Exception {
    // an hour-long interval: only the cap (early flushes at half of it, evictions at it) makes
    // batches
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .shutdownHook(false)
            .flushInterval(Duration.ofHours(1))
            .maxPendingCounters(CAP)
            .build();
    BufferedSink sink = BufferedSink.builder(config).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    try {
      List<Future<List<CompletableFuture<Void>>>> work = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  start.await();
                  List<CompletableFuture<Void>> mine = new ArrayList<>(PER_THREAD);
                  for (int i = 0; i < PER_THREAD; i++) {
                    mine.add(sink.record(event(thread, i)).toCompletableFuture());
                  }
                  return mine;
                }));
      }
      start.countDown();
      for (Future<List<CompletableFuture<Void>>> f : work) {
        stages.addAll(f.get(300, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      sink.close();
    }

    long total = (long) THREADS * PER_THREAD;
    assertThat(stages)
        .hasSize((int) total)
        .allSatisfy(s -> assertThat(s).isCompleted().isNotCompletedExceptionally());
    SinkStats s = sink.stats();
    assertThat(s.dropped()).as("%s", s).isZero();
    assertThat(s.recorded()).as("%s", s).isEqualTo(total);
    assertThat(s.stored()).as("%s", s).isEqualTo(total);
    assertThat(s.failed()).as("%s", s).isZero();
    assertThat(s.pending()).as("%s", s).isZero();
    assertThat(sink.evictedCounters())
        .as("accumulators evicted at the cap and written early")
        .isPositive();

    UsageLayout layout = UsageLayouts.crs(config);
    PlanInterpreter expected = new PlanInterpreter();
    for (int t = 0; t < THREADS; t++) {
      for (int i = 0; i < PER_THREAD; i++) {
        expected.apply(layout.plan(event(t, i)));
      }
    }
    // a key's TTL is set at its last write, which may be minutes before the dump on a loaded
    // machine
    RedisStates.assertInterpreterState(RedisStates.dump(config), expected.state(), 600);
  }
}
