package io.usagesink.plan;

import java.util.Objects;

/**
 * Add {@code delta} to the integer counter {@code field} of the hash {@code key}. A logical update:
 * which Redis command carries it is the writer's business.
 *
 * @param key the hash key
 * @param field the field of the hash
 * @param delta the amount to add, {@code >= 0} for every layout of this library
 */
public record CounterDelta(String key, String field, long delta) {
  /** Validates non-null key and field. */
  public CounterDelta {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(field, "field");
  }
}
