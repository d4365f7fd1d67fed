package io.usagesink.layout;

import io.usagesink.UsageEvent;
import io.usagesink.plan.UsagePlan;
import java.time.Instant;

/**
 * Turns usage into the Redis updates of one statistics layout: key names, fields, TTLs and index
 * sets. Pure computation: no I/O, never blocks.
 *
 * <p>Implementations are immutable and thread-safe. Get one from {@link UsageLayouts}.
 */
public interface UsageLayout {

  /**
   * Plans one event. Equivalent to planning {@link UsageTally#of(UsageEvent)} into a new builder.
   */
  default UsagePlan plan(UsageEvent event) {
    UsagePlan.Builder b = UsagePlan.builder();
    plan(UsageTally.of(event), b);
    return b.build();
  }

  /**
   * Adds the updates of {@code tally} to {@code into} (merging with what is there).
   *
   * @throws ArithmeticException if a merged counter overflows a long (see {@link
   *     UsagePlan.Builder})
   */
  void plan(UsageTally tally, UsagePlan.Builder into);

  /**
   * The start of the finest time bucket this layout distinguishes that contains {@code at}. Every
   * instant from the result up to {@code at} lands in exactly the same keys as {@code at} (for the
   * same ids and model); hence two instants with the same bucket start do too, and an aggregating
   * sink may sum their usage ({@link UsageTally#plus(UsageTally)}) before planning. The converse
   * need not hold: a bucket may be finer than the keys require (for instance split at a
   * daylight-saving transition).
   */
  Instant bucketStart(Instant at);

  /** The policy this layout was built with. */
  StatsPolicy policy();
}
