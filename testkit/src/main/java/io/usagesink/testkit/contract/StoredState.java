package io.usagesink.testkit.contract;

import io.usagesink.launcher.RedisServer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Read access to what a storing sink wrote, for {@link UsageSinkContract}: the fields of one hash.
 * Implementations read the store directly (not through the sink or the library's readers), and
 * may block; the kit calls them from the test thread only, after a flush or close completed.
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

  /**
   * Reads {@code redis} with the test kit's own RESP client ({@link RedisServer#command}: {@code TYPE},
   * {@code HGETALL}), independent of Lettuce and of the library's readers.
   */
  static StoredState of(RedisServer redis) {
    Objects.requireNonNull(redis, "redis");
    return key -> {
      Object type = redis.command("TYPE", key);
      if ("none".equals(type)) {
        return Map.of();
      }
      if (!"hash".equals(type)) {
        throw new IllegalStateException(key + " is a " + type + "; only a hash is allowed");
      }
      List<?> flat = (List<?>) redis.command("HGETALL", key);
      Map<String, String> fields = new TreeMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        fields.put((String) flat.get(i), (String) flat.get(i + 1));
      }
      return fields;
    };
  }
}
