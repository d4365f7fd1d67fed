package io.usagesink.redis;

import io.usagesink.redis.write.PlanWriter;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link PlanWriter#write} did. An immutable value.
 *
 * @param clientCommands commands the client sent to Redis for this write (an EVALSHA counts one; a
 *     script reload after {@code NOSCRIPT} and the retried EVALSHA count too)
 * @param roundTrips network round trips the write waited for; groups sent in parallel (cluster)
 *     count once
 * @param scriptCommands commands Redis ran inside scripts for this write (HINCRBY, EXPIRE, SADD,
 *     the guard's SET); 0 for the pipeline writer
 * @param groups calls the plan was split into: slot groups (Lua writer on a cluster), otherwise 1;
 *     0 for an empty plan
 * @param duplicateGroups groups the idempotency guard found already applied and skipped
 * @param applied {@code false} only when the write changed nothing because every group had already
 *     been applied under the same guard id; {@code true} otherwise (also for an empty plan)
 * @param failedKeys keys whose updates Redis refused for good (poisoned keys, see {@link
 *     KeyFailure}); every other update of the plan was applied (or skipped as a duplicate). Empty
 *     when the whole plan was applied.
 */
public record WriteResult(
    int clientCommands,
    int roundTrips,
    int scriptCommands,
    int groups,
    int duplicateGroups,
    boolean applied,
    List<KeyFailure> failedKeys) {

  /** The result of writing an empty plan: nothing sent. */
  public static final WriteResult NOTHING = new WriteResult(0, 0, 0, 0, 0, true);

  /** A result without failed keys. */
  public WriteResult(
      int clientCommands,
      int roundTrips,
      int scriptCommands,
      int groups,
      int duplicateGroups,
      boolean applied) {
    this(clientCommands, roundTrips, scriptCommands, groups, duplicateGroups, applied, List.of());
  }

  /** Whether every update of the plan was applied or skipped as a duplicate: no failed key. */
  public boolean complete() {
    return failedKeys.isEmpty();
  }

  /** Validates the counts. */
  public WriteResult {
    failedKeys = List.copyOf(Objects.requireNonNull(failedKeys, "failedKeys"));
    if (clientCommands < 0
        || roundTrips < 0
        || scriptCommands < 0
        || groups < 0
        || duplicateGroups < 0
        || duplicateGroups > groups) {
      throw new IllegalArgumentException(
          "invalid write result counts: clientCommands="
              + clientCommands
              + " roundTrips="
              + roundTrips
              + " scriptCommands="
              + scriptCommands
              + " groups="
              + groups
              + " duplicateGroups="
              + duplicateGroups);
    }
  }
}
