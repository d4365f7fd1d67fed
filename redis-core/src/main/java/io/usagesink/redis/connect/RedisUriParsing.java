package io.usagesink.redis.connect;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Turns a configured Redis URI (possibly with several comma-separated seed nodes) into Lettuce
 * URIs. The URI has been checked where it was read ({@link io.usagesink.redis.RedisOptions#from}
 * and the property {@code usagesink.redis.uri}: the port, the database and the {@code timeout}
 * parameter, naming a bad value); this class is the fallback for whatever else Lettuce refuses. A
 * {@code timeout} parameter is replaced by {@code usagesink.command-timeout}.
 */
final class RedisUriParsing {
  private RedisUriParsing() {}

  /**
   * The nodes of {@code uri}, each with {@code timeout} as its command timeout.
   *
   * @throws ConfigurationException naming the property and the masked URI when it cannot be parsed
   */
  static List<RedisURI> parse(String uri, Duration timeout) {
    String masked = RedisUriMask.mask(uri);
    List<RedisURI> nodes;
    try {
      String lower = uri.toLowerCase(Locale.ROOT);
      int hostStart = uri.indexOf("://") + 3;
      int hostEnd = firstOf(uri, hostStart, '/', '?');
      boolean several = uri.substring(hostStart, hostEnd).contains(",");
      if (several && (lower.startsWith("redis://") || lower.startsWith("rediss://"))) {
        nodes = RedisClusterURIUtil.toRedisURIs(URI.create(uri));
      } else {
        nodes = List.of(RedisURI.create(uri));
      }
    } catch (RuntimeException e) {
      throw new ConfigurationException(
          "Invalid value for property usagesink.redis.uri="
              + masked
              + ". Must be a Redis URI like redis://[user:password@]host[:port][/database] or"
              + " rediss://... (reason: "
              + RedisUriMask.scrub(String.valueOf(e.getMessage()), uri)
              + ")");
    }
    if (nodes.isEmpty()) {
      throw new ConfigurationException(
          "Invalid value for property usagesink.redis.uri=" + masked + ". It names no host.");
    }
    for (RedisURI n : nodes) {
      n.setTimeout(timeout);
    }
    return nodes;
  }

  private static int firstOf(String s, int from, char a, char b) {
    int end = s.length();
    int ia = s.indexOf(a, from);
    int ib = s.indexOf(b, from);
    if (ia >= 0) {
      end = Math.min(end, ia);
    }
    if (ib >= 0) {
      end = Math.min(end, ib);
    }
    return end;
  }
}
