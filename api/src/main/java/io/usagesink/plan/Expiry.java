package io.usagesink.plan;

import java.util.Objects;

/**
 * Set the time to live of {@code key} to {@code ttlSeconds}, restarting it (as the reference layout
 * does on every write).
 *
 * @param key the key
 * @param ttlSeconds seconds, {@code > 0}
 */
public record Expiry(String key, long ttlSeconds) {
  /** Validates the key and a positive TTL. */
  public Expiry {
    Objects.requireNonNull(key, "key");
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException(
          "ttlSeconds must be > 0 but was " + ttlSeconds + " for key " + key);
    }
  }
}
