package io.usagesink.testkit.contract;

import java.util.Map;

/**
 * Read access to what a storing sink wrote, for {@link UsageSinkContract}: the fields of one hash.
 * Implementations read the store directly (not through the sink or the library's readers), and may
 * block; the kit calls them from the test thread only, after a flush or close completed.
 *
 * <p>A sink storing in Redis uses {@code RedisStoredState.of(redis)} from {@code
 * usagesink-testkit-redis}; a custom store supplies a lambda over its own storage (see {@code
 * InMemorySinkContractTest} in this module's tests).
 */
@FunctionalInterface
public interface StoredState {

  /**
   * Every field of the hash {@code key} with its value exactly as stored, or an empty map when the
   * key does not exist.
   *
   * @throws IllegalStateException if {@code key} holds something other than a hash
   */
  Map<String, String> hash(String key);
}
