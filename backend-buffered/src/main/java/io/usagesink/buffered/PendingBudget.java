package io.usagesink.buffered;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts pending accumulators (recorded into, not yet stored or given up) against {@code
 * maxPendingCounters}, and says when an early flush is due. Thread-safe. Touched once per new
 * accumulator and once per flushed batch, never per event, so one shared atomic is cheap enough.
 */
final class PendingBudget {
  private final AtomicLong pending = new AtomicLong();
  private final long max;
  private final long flushThreshold;

  /**
   * @param max the cap on pending accumulators
   * @param flushThreshold pending accumulators at which an early flush is due
   */
  PendingBudget(long max, long flushThreshold) {
    this.max = max;
    this.flushThreshold = flushThreshold;
  }

  /** Reserves room for one new accumulator; {@code false} when the cap is reached. */
  boolean tryReserve() {
    long now = pending.incrementAndGet();
    if (now > max) {
      pending.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Releases {@code n} accumulators (stored or given up). */
  void release(long n) {
    pending.addAndGet(-n);
  }

  /** Pending accumulators now. */
  long pending() {
    return pending.get();
  }

  /** Whether enough accumulators are pending to flush before the interval ends. */
  boolean flushDue() {
    return pending.get() >= flushThreshold;
  }

  long max() {
    return max;
  }
}
