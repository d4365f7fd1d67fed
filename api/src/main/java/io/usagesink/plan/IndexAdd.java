package io.usagesink.plan;

import java.util.Objects;

/**
 * Add {@code member} to the set {@code setKey}, then set the set's TTL to {@code ttlSeconds} when
 * it is positive ({@code 0} means the set never expires).
 *
 * @param setKey the set key
 * @param member the member
 * @param ttlSeconds seconds, or 0 for no expiry
 */
public record IndexAdd(String setKey, String member, long ttlSeconds) {
  /** Validates non-null key and member and a non-negative TTL. */
  public IndexAdd {
    Objects.requireNonNull(setKey, "setKey");
    Objects.requireNonNull(member, "member");
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException(
          "ttlSeconds must be >= 0 but was " + ttlSeconds + " for set " + setKey);
    }
  }
}
