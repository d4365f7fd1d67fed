package io.usagesink.buffered;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts pending accumulators (recorded into, not yet stored or given up, including those the cache
 * evicted at {@code maxPendingCounters} and the batch in flight) and says when an early flush is
 * due. Thread-safe. Touched once per new accumulator and once per flushed batch, never per event,
 * so one shared atomic is cheap enough.
 */
final class PendingCount {
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();
  private final long flushThreshold;

  /**
   * @param flushThreshold pending accumulators at which an early flush is due
   */
  PendingCount(long flushThreshold) {
    this.flushThreshold = flushThreshold;
  }

  /** Counts {@code n} new accumulators. */
  void add(long n) {
    pending.addAndGet(n);
  }

  /** Releases {@code n} accumulators (stored or given up). */
  void release(long n) {
    pending.addAndGet(-n);
  }

  /**
   * Counts an accumulator the cache evicted at the cap (it stays pending until its batch is
   * written).
   */
  void evicted() {
    evicted.incrementAndGet();
  }

  /** Accumulators evicted at the cap so far. */
  long evictedTotal() {
    return evicted.get();
  }

  /** Pending accumulators now. */
  long pending() {
    return pending.get();
  }

  /** Whether enough accumulators are pending to flush before the interval ends. */
  boolean flushDue() {
    return pending.get() >= flushThreshold;
  }
}
