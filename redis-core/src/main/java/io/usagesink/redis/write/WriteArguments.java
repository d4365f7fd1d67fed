package io.usagesink.redis.write;

import io.usagesink.plan.UsagePlan;
import java.util.List;
import java.util.Objects;

/** The argument checks every {@link PlanWriter} applies, in one place so their messages agree. */
final class WriteArguments {
  private WriteArguments() {}

  /** Rejects plan and guard-id lists of different sizes. */
  static void requireSameSize(List<UsagePlan> plans, List<String> guardIds) {
    if (plans.size() != guardIds.size()) {
      throw new IllegalArgumentException(
          "plans and guardIds differ in size: " + plans.size() + " != " + guardIds.size());
    }
  }

  /** The {@code i}-th plan, non-null, after checking its guard id is null or non-blank. */
  static UsagePlan plan(List<UsagePlan> plans, List<String> guardIds, int i) {
    UsagePlan plan = Objects.requireNonNull(plans.get(i), "plan");
    String guardId = guardIds.get(i);
    if (guardId != null && guardId.isBlank()) {
      throw new IllegalArgumentException(
          "guardId must be null or non-blank but was \"" + guardId + "\"");
    }
    return plan;
  }
}
