package io.usagesink.redis;

import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.write.PlanWriter;
import java.util.List;
import java.util.Objects;

/**
 * A {@link PlanWriter#write} that could not finish for a reason that may pass (connection lost,
 * timeout, {@code OOM}, {@code LOADING}, {@code READONLY}, {@code NOSCRIPT}, cluster reconfiguring,
 * not connected yet): the cause is that transient error. {@link #remaining()} is the part of the
 * plan whose outcome is unknown or that was not applied; it is what a retry must send, under the
 * <em>same</em> guard id. Everything else of the plan has a definite outcome: applied, skipped as a
 * duplicate, or refused for a poisoned key ({@link #failedKeys()}), so it must not be sent again.
 *
 * <p>For the Lua writer {@code remaining} holds whole slot groups (a retry under the same guard id
 * is exactly-once). For the pipeline writer it holds the commands that got no reply, or a transient
 * error reply; re-sending a command that got no reply may count it twice (at-least-once).
 */
public final class IncompleteWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient UsagePlan remaining;
  private final transient List<KeyFailure> failedKeys;
  private final transient WriteResult sent;

  /**
   * @param remaining what a retry must send (not empty)
   * @param failedKeys keys refused for good during this attempt
   * @param sent what this attempt sent and had applied (commands, round trips)
   * @param cause the transient error
   */
  public IncompleteWriteException(
      UsagePlan remaining, List<KeyFailure> failedKeys, WriteResult sent, Throwable cause) {
    super(describe(cause), Objects.requireNonNull(cause, "cause"));
    this.remaining = Objects.requireNonNull(remaining, "remaining");
    this.failedKeys = List.copyOf(failedKeys);
    this.sent = Objects.requireNonNull(sent, "sent");
  }

  private static String describe(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return cause == null
        ? "write incomplete"
        : cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The part of the plan a retry must send, under the same guard id. */
  public UsagePlan remaining() {
    return remaining;
  }

  /** Keys refused for good during this attempt (not to be retried). */
  public List<KeyFailure> failedKeys() {
    return failedKeys;
  }

  /** What this attempt sent: commands and round trips, for the sink's counters. */
  public WriteResult sent() {
    return sent;
  }
}
