package io.usagesink.redis;

import java.util.Objects;

/**
 * A key whose updates Redis refused for a reason that retrying cannot fix (a poisoned key): the key
 * holds another type ({@code WRONGTYPE}), a counter would overflow a signed 64-bit integer, a field
 * holds something that is not an integer. An immutable value.
 *
 * @param key the Redis key, as written
 * @param reason Redis's error reply (or a short description), never containing a password
 * @param partial {@code true} when some updates of this key may have been applied before the error
 *     (the pipeline writer cannot undo them); {@code false} when none of this key's updates of the
 *     write were applied (the Lua writer undoes the ones it applied before the error)
 */
public record KeyFailure(String key, String reason, boolean partial) {

  /** Validates. */
  public KeyFailure {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return key + " (" + reason + (partial ? "; partly applied" : "") + ")";
  }
}
