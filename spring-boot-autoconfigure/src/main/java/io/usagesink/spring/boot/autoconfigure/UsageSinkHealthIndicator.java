package io.usagesink.spring.boot.autoconfigure;

import io.usagesink.SinkStats;
import io.usagesink.UsageSink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of a {@link UsageSink}, from its {@link UsageSink#stats()} (registered as {@code
 * usagesink}). DOWN when
 *
 * <ul>
 *   <li>the {@code failed} count grew since the previous check (the first check compares with
 *       zero): statistics were lost; or
 *   <li>something is pending and the sink has made no progress (nothing stored, pending not lower,
 *       pending never zero) for longer than the stall threshold, e.g. while Redis is unreachable.
 * </ul>
 *
 * UP otherwise. Details: the stats counters, a {@code reason} when DOWN, and the sink's {@link
 * UsageSink#failureReasons()} when there are any.
 *
 * <p>Progress is judged between checks, so the stall is noticed at the first check after the
 * threshold. Thread-safe (checks are serialised); a check never blocks, since {@code stats()} does
 * not.
 */
public final class UsageSinkHealthIndicator implements HealthIndicator {

  private final UsageSink sink;
  private final long thresholdNanos;
  private final Duration threshold;
  private final LongSupplier nanoTime;

  private long lastFailed;
  private long lastStored;
  private long lastPending;
  private long lastProgressNanos;

  /**
   * A health indicator for {@code sink}.
   *
   * @param stallThreshold how long the sink may hold pending data without progress before DOWN
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code stallThreshold} is not positive
   */
  public UsageSinkHealthIndicator(UsageSink sink, Duration stallThreshold) {
    this(sink, stallThreshold, System::nanoTime);
  }

  UsageSinkHealthIndicator(UsageSink sink, Duration stallThreshold, LongSupplier nanoTime) {
    this.sink = Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(stallThreshold, "stallThreshold");
    if (stallThreshold.isNegative() || stallThreshold.isZero()) {
      throw new IllegalArgumentException(
          "usagesink.health.stall-threshold must be a positive duration like 60s but was "
              + stallThreshold);
    }
    this.threshold = stallThreshold;
    this.thresholdNanos = saturatedNanos(stallThreshold);
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.lastProgressNanos = nanoTime.getAsLong();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public synchronized Health health() {
    SinkStats s = sink.stats();
    long now = nanoTime.getAsLong();
    long newFailures = s.failed() - lastFailed;
    boolean progress = s.pending() == 0 || s.stored() > lastStored || s.pending() < lastPending;
    if (progress) {
      lastProgressNanos = now;
    }
    long stalledNanos = now - lastProgressNanos;
    lastFailed = s.failed();
    lastStored = s.stored();
    lastPending = s.pending();

    Health.Builder health;
    if (newFailures > 0) {
      health =
          Health.down()
              .withDetail(
                  "reason",
                  newFailures
                      + " event"
                      + (newFailures == 1 ? "" : "s")
                      + " failed since the previous check");
    } else if (s.pending() > 0 && stalledNanos > thresholdNanos) {
      health =
          Health.down()
              .withDetail(
                  "reason",
                  s.pending()
                      + " pending and no progress for "
                      + format(Duration.ofNanos(stalledNanos))
                      + " (usagesink.health.stall-threshold "
                      + format(threshold)
                      + ")");
    } else {
      health = Health.up();
    }
    health.withDetails(details(s));
    Map<String, Long> reasons = sink.failureReasons();
    if (!reasons.isEmpty()) {
      health.withDetail("failureReasons", reasons);
    }
    return health.build();
  }

  /** {@code 75s}, or {@code 1500ms} below a whole second. */
  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 || d.toSeconds() >= 10
        ? d.toSeconds() + "s"
        : d.toMillis() + "ms";
  }

  private static Map<String, Object> details(SinkStats s) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("recorded", s.recorded());
    d.put("rejected", s.rejected());
    d.put("stored", s.stored());
    d.put("pending", s.pending());
    d.put("failed", s.failed());
    d.put("dropped", s.dropped());
    d.put("deferred", s.deferred());
    d.put("commands", s.commands());
    d.put("roundTrips", s.roundTrips());
    d.put("flushes", s.flushes());
    d.put("retries", s.retries());
    return d;
  }

  @Override
  public String toString() {
    return "UsageSinkHealthIndicator{stallThreshold=" + format(threshold) + "}";
  }
}
