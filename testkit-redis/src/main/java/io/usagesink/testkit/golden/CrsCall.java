package io.usagesink.testkit.golden;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded CRS call: which method, the frozen "now" it ran at, and its arguments.
 *
 * @param method the method called
 * @param at the instant CRS took as "now" for this call (decides the buckets)
 * @param args the arguments by JS parameter name
 */
public record CrsCall(CrsMethod method, Instant at, CrsArgs args) {
  /** Validates that nothing is null. */
  public CrsCall {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(args, "args");
  }
}
