package io.usagesink.layout;

import io.usagesink.UsageEvent;
import io.usagesink.plan.UsagePlan;
import java.time.Instant;

/**
 * Turns usage into the Redis updates of one statistics layout: key names, fields, TTLs and index
 * sets. Pure computation: no I/O.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface UsageLayout {

  /** Plans one event. Equivalent to planning {@link UsageTally#of(UsageEvent)} into a new builder. */
  default UsagePlan plan(UsageEvent event) {
    UsagePlan.Builder b = UsagePlan.builder();
    plan(UsageTally.of(event), b);
    return b.build();
  }

  /** Adds the updates of {@code tally} to {@code into} (merging with what is there). */
  void plan(UsageTally tally, UsagePlan.Builder into);

  /**
   * The start of the finest time bucket this layout distinguishes that contains {@code at}. Two
   * instants with the same bucket start land in exactly the same keys, so an aggregating sink may
   * sum their usage before planning.
   */
  Instant bucketStart(Instant at);

  /** The policy this layout was built with. */
  StatsPolicy policy();
}
