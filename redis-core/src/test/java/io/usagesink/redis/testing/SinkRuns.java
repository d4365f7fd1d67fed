package io.usagesink.redis.testing;

import static io.usagesink.redis.testing.States.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.testkit.golden.CrsCall;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenExpectations;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.redis.StoredKey;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Running workloads through sinks in tests. */
public final class SinkRuns {
  private SinkRuns() {}

  /**
   * Records every event with at most {@code window} stages outstanding (so a loaded machine does
   * not run into command timeouts), and returns every stage. Does not wait for the last ones.
   */
  public static List<CompletableFuture<Void>> recordAll(
      UsageSink sink, List<UsageEvent> events, int window) throws InterruptedException {
    Semaphore permits = new Semaphore(window);
    List<CompletableFuture<Void>> stages = new ArrayList<>(events.size());
    for (UsageEvent e : events) {
      permits.acquire();
      CompletableFuture<Void> f = sink.record(e).toCompletableFuture();
      f.whenComplete((r, x) -> permits.release());
      stages.add(f);
    }
    return stages;
  }

  /** Waits for every stage; fails the test with the first failure. */
  public static void awaitAll(List<CompletableFuture<Void>> stages, int seconds) throws Exception {
    CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0]))
        .get(seconds, TimeUnit.SECONDS);
  }

  /**
   * Every case of the reference golden file through a fresh sink from {@code factory} (configured
   * with the golden zone and metrics window on top of {@code base}) gives the recorded state (for
   * the documented deviation: the recorded state with the deviation applied, {@link
   * GoldenExpectations}), never a state computed by the code under test.
   */
  public static void assertGoldenCases(
      SinkConfig base, Function<SinkConfig, UsageSink> factory, Runnable flushAll)
      throws Exception {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config =
        base.toBuilder()
            .zone(golden.config().zone())
            .metricsWindow(golden.config().metricsWindow())
            .build();
    try (RedisConnection c = RedisConnection.open(config)) {
      for (GoldenCase gc : golden.cases()) {
        flushAll.run();
        try (UsageSink sink = factory.apply(config)) {
          for (CrsCall call : gc.events()) {
            sink.record(CrsCallAdapter.toEvent(call))
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
          }
          assertThat(sink.stats().stored()).as(gc.name()).isEqualTo(gc.events().size());
        }
        SortedMap<String, StoredKey> actual = States.fromReader(UsageReader.of(c, config).dump());
        assertSameState(
            actual,
            GoldenExpectations.expectedState(gc),
            States.TTL_TOLERANCE_SECONDS,
            gc.name() + gc.deviation().map(d -> " (deviation: " + d + ")").orElse(""));
      }
    }
  }
}
