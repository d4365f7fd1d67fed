package io.usagesink.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class UsageSinkHealthIndicatorTest {

  /** A sink whose stats and failure reasons the test sets; never touches Redis. */
  static final class FakeSink implements UsageSink {
    final AtomicReference<SinkStats> stats = new AtomicReference<>(SinkStats.EMPTY);
    final AtomicReference<Map<String, Long>> reasons = new AtomicReference<>(Map.of());

    @Override
    public CompletionStage<Void> record(UsageEvent event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}

    @Override
    public SinkStats stats() {
      return stats.get();
    }

    @Override
    public Map<String, Long> failureReasons() {
      return reasons.get();
    }
  }

  private final FakeSink sink = new FakeSink();
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final UsageSinkHealthIndicator indicator =
      new UsageSinkHealthIndicator(sink, Duration.ofSeconds(60), nanos::get);

  private static SinkStats stats(long recorded, long stored, long pending, long failed) {
    return new SinkStats(recorded, 0, stored, pending, failed, 0, stored, stored, 0, 0);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void anIdleSinkIsUpWithItsStatsAsDetails() {
    Health health = indicator.health();
    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails())
        .containsEntry("recorded", 0L)
        .containsEntry("pending", 0L)
        .containsEntry("failed", 0L)
        .containsKeys(
            "stored",
            "rejected",
            "dropped",
            "deferred",
            "commands",
            "roundTrips",
            "flushes",
            "retries")
        .doesNotContainKeys("reason", "failureReasons");
  }

  @Test
  void growingFailuresAreDownUntilTheNextCheckWithoutNewOnes() {
    sink.stats.set(stats(10, 8, 0, 2));
    sink.reasons.set(
        Map.of("usage:k1: WRONGTYPE Operation against a key holding the wrong kind of value", 2L));
    Health down = indicator.health();
    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
    assertThat(down.getDetails())
        .containsEntry("reason", "2 events failed since the previous check")
        .containsEntry("failed", 2L)
        .containsEntry(
            "failureReasons",
            Map.of(
                "usage:k1: WRONGTYPE Operation against a key holding the wrong kind of value", 2L));

    assertThat(indicator.health().getStatus()).as("no new failure").isEqualTo(Status.UP);
    sink.stats.set(stats(11, 8, 0, 3));
    assertThat(indicator.health().getDetails())
        .containsEntry("reason", "1 event failed since the previous check");
  }

  @Test
  void pendingWithoutProgressPastTheThresholdIsDown() {
    sink.stats.set(stats(5, 0, 5, 0));
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    advance(Duration.ofSeconds(59));
    sink.stats.set(stats(9, 0, 9, 0)); // more arrives, nothing stored: no progress
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    advance(Duration.ofSeconds(16));
    Health down = indicator.health();
    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
    assertThat(down.getDetails())
        .containsEntry(
            "reason", "9 pending and no progress for 75s (usagesink.health.stall-threshold 60s)");

    sink.stats.set(stats(9, 4, 5, 0)); // Redis is back: stored grows
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void steadyTrafficThatKeepsStoringIsUpEvenIfPendingNeverFalls() {
    for (int i = 1; i <= 10; i++) {
      sink.stats.set(stats(100L * i + 20, 100L * i, 20, 0));
      advance(Duration.ofSeconds(30));
      assertThat(indicator.health().getStatus()).as("check %d", i).isEqualTo(Status.UP);
    }
  }

  @Test
  void nothingPendingIsUpHoweverLongNothingHappens() {
    sink.stats.set(stats(5, 5, 0, 0));
    advance(Duration.ofHours(2));
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void theThresholdMustBePositive() {
    assertThatThrownBy(() -> new UsageSinkHealthIndicator(sink, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "usagesink.health.stall-threshold must be a positive duration like 60s but was PT0S");
    assertThatThrownBy(() -> new UsageSinkHealthIndicator(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sink");
  }
}
