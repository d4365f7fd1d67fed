package io.usagesink.testkit.redis;

import java.util.List;
import java.util.Objects;

/**
 * The differences between two {@link StateDump}s, one per line, readable in a failure message: a
 * missing or unexpected key, a field or member that differs, a TTL outside the tolerance.
 * Immutable. {@link #toString()} shows the first {@value #SHOWN} lines and how many more there are,
 * never a multi-KB one-line dump.
 *
 * @param lines every difference, in key order
 */
public record StateDiff(List<String> lines) {

  /** Lines {@link #toString()} and {@link #assertNone} show. */
  public static final int SHOWN = 40;

  /** Copies the lines. */
  public StateDiff {
    lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
  }

  /** Whether the states are the same (within the TTL tolerance). */
  public boolean isEmpty() {
    return lines.isEmpty();
  }

  /**
   * Throws an {@link AssertionError} naming {@code what}, the number of differences and the first
   * {@value #SHOWN} of them, one per line; returns when there is none.
   */
  public void assertNone(String what) {
    if (!isEmpty()) {
      throw new AssertionError(what + ": " + this);
    }
  }

  @Override
  public String toString() {
    if (lines.isEmpty()) {
      return "no differences";
    }
    StringBuilder sb =
        new StringBuilder()
            .append(lines.size())
            .append(lines.size() == 1 ? " difference" : " differences");
    lines.stream().limit(SHOWN).forEach(l -> sb.append("\n  ").append(l));
    if (lines.size() > SHOWN) {
      sb.append("\n  ... and ").append(lines.size() - SHOWN).append(" more");
    }
    return sb.toString();
  }
}
