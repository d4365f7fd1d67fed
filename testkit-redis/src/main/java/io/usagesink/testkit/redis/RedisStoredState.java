package io.usagesink.testkit.redis;

import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.contract.StoredState;
import io.usagesink.testkit.contract.UsageSinkContract;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@link StoredState} of a sink storing on a fixture Redis, for {@link
 * UsageSinkContract#storedState()}: {@code Optional.of(RedisStoredState.of(redis))}. Stateless;
 * reads block on the fixture's admin connection.
 */
public final class RedisStoredState {
  private RedisStoredState() {}

  /**
   * Reads {@code redis} over the fixture's admin connection ({@link RedisServer#command}: {@code
   * TYPE}, {@code HGETALL}), independent of the library's readers.
   *
   * @throws IllegalStateException from {@link StoredState#hash} when the key holds something other
   *     than a hash
   */
  public static StoredState of(RedisServer redis) {
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
