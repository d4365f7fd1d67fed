package io.usagesink.redis;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some updates of an event or batch were refused for good because their keys are poisoned (see
 * {@link KeyFailure}); every other update was stored exactly once. The message names the keys.
 */
public final class PoisonedKeysException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<KeyFailure> keys;

  /**
   * @param keys the poisoned keys (not empty)
   */
  public PoisonedKeysException(List<KeyFailure> keys) {
    super(
        "not stored for "
            + keys.size()
            + " key(s): "
            + keys.stream().limit(5).map(KeyFailure::toString).collect(Collectors.joining("; "))
            + (keys.size() > 5 ? "; ..." : "")
            + "; every other update was stored");
    this.keys = List.copyOf(keys);
  }

  /** The poisoned keys with Redis's reasons. */
  public List<KeyFailure> keys() {
    return keys;
  }
}
