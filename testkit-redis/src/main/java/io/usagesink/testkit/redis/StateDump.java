package io.usagesink.testkit.redis;

import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Every key of a Redis database with its content and TTL ({@link StoredKey}s by name): what a sink
 * left on a fixture, or what a golden file or the plan interpreter expects. Immutable.
 *
 * <p>{@link #read(RedisServer)} reads a fixture server directly over its admin connection ({@code
 * SCAN}, {@code TYPE}, {@code HGETALL}/{@code SMEMBERS}/{@code GET}, {@code TTL}), independent of
 * the library's readers; it blocks, and its commands show in the server's command stats. {@link
 * #diff} compares two dumps with a TTL tolerance, since a key's TTL counts down between its last
 * write and the read.
 *
 * @param keys key name to key, sorted by name
 */
public record StateDump(SortedMap<String, StoredKey> keys) {

  /** The TTL drift tolerated between the state of a run and its expectation by default: 30 s. */
  public static final Duration DEFAULT_TTL_TOLERANCE = Duration.ofSeconds(30);

  /** Copies the keys. */
  public StateDump {
    keys = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(keys, "keys")));
  }

  /** A dump of the given keys. */
  public static StateDump of(Map<String, StoredKey> keys) {
    return new StateDump(new TreeMap<>(keys));
  }

  /** Every key of database 0 of {@code redis}. */
  public static StateDump read(RedisServer redis) {
    Objects.requireNonNull(redis, "redis");
    SortedMap<String, StoredKey> out = new TreeMap<>();
    String cursor = "0";
    do {
      List<?> reply = (List<?>) redis.command("SCAN", cursor, "COUNT", "1000");
      cursor = (String) reply.get(0);
      for (Object key : (List<?>) reply.get(1)) {
        read(redis, (String) key).ifPresent(k -> out.put((String) key, k));
      }
    } while (!cursor.equals("0"));
    return new StateDump(out);
  }

  /** Every key of every node of {@code cluster}. */
  public static StateDump read(RedisClusterHandle cluster) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    for (RedisServer node : cluster.nodes()) {
      out.putAll(read(node).keys());
    }
    return new StateDump(out);
  }

  private static Optional<StoredKey> read(RedisServer redis, String key) {
    String type = (String) redis.command("TYPE", key);
    long ttl = (Long) redis.command("TTL", key);
    if (type.equals("none") || ttl == -2) {
      return Optional.empty(); // expired or deleted since SCAN saw it
    }
    switch (type) {
      case StoredKey.HASH:
        {
          List<?> flat = (List<?>) redis.command("HGETALL", key);
          SortedMap<String, String> fields = new TreeMap<>();
          for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
          }
          return Optional.of(StoredKey.hash(fields, ttl));
        }
      case StoredKey.SET:
        {
          List<String> members = new ArrayList<>();
          ((List<?>) redis.command("SMEMBERS", key)).forEach(m -> members.add((String) m));
          return Optional.of(StoredKey.set(members, ttl));
        }
      case StoredKey.STRING:
        return Optional.of(StoredKey.string((String) redis.command("GET", key), ttl));
      default:
        return Optional.of(new StoredKey(type, new TreeMap<>(), List.of(), null, ttl));
    }
  }

  /** The keys whose names pass {@code filter}. */
  public StateDump filter(Predicate<String> filter) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    keys.forEach(
        (k, v) -> {
          if (filter.test(k)) {
            out.put(k, v);
          }
        });
    return new StateDump(out);
  }

  /**
   * This dump with every TTL > 0 replaced by 0 (no expiry, -1, is kept): for comparing content
   * only.
   */
  public StateDump withoutTtls() {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    keys.forEach((k, v) -> out.put(k, v.expires() ? v.withTtl(0) : v));
    return new StateDump(out);
  }

  /**
   * How this dump (the actual state) differs from {@code expected}: keys missing or unexpected,
   * types, fields, members and string values that differ, and TTLs that differ by more than {@code
   * ttlTolerance} (or where one key expires and the other does not).
   */
  public StateDiff diff(StateDump expected, Duration ttlTolerance) {
    long tolerance = ttlTolerance.toSeconds();
    List<String> lines = new ArrayList<>();
    Set<String> all = new TreeSet<>(keys.keySet());
    all.addAll(expected.keys.keySet());
    for (String key : all) {
      StoredKey a = keys.get(key);
      StoredKey e = expected.keys.get(key);
      if (a == null) {
        lines.add(key + ": missing (expected " + e.summary() + ")");
      } else if (e == null) {
        lines.add(key + ": not expected (" + a.summary() + ")");
      } else if (!a.type().equals(e.type())) {
        lines.add(key + ": a " + a.type() + ", expected a " + e.type());
      } else {
        content(key, a, e, lines);
        boolean bothExpire = a.expires() && e.expires();
        if (bothExpire ? Math.abs(a.ttl() - e.ttl()) > tolerance : a.ttl() != e.ttl()) {
          lines.add(
              key
                  + ": ttl "
                  + a.ttl()
                  + ", expected "
                  + e.ttl()
                  + (bothExpire ? " +- " + tolerance : ""));
        }
      }
    }
    return new StateDiff(lines);
  }

  /**
   * {@link #diff} with the {@link #DEFAULT_TTL_TOLERANCE}, failing with the readable diff when
   * there is one.
   */
  public void assertSameAs(StateDump expected, String what) {
    diff(expected, DEFAULT_TTL_TOLERANCE).assertNone(what);
  }

  /** {@code " (+n)"} or {@code " (-n)"} when both are decimal integers, else empty. */
  private static String excess(String actual, String expected) {
    try {
      long d = Math.subtractExact(Long.parseLong(actual), Long.parseLong(expected));
      return d > 0 ? " (+" + d + ")" : " (" + d + ")";
    } catch (NumberFormatException | ArithmeticException e) {
      return "";
    }
  }

  private static void content(String key, StoredKey a, StoredKey e, List<String> lines) {
    Set<String> fields = new TreeSet<>(a.fields().keySet());
    fields.addAll(e.fields().keySet());
    for (String f : fields) {
      String av = a.fields().get(f);
      String ev = e.fields().get(f);
      if (av == null) {
        lines.add(key + " field " + f + ": missing, expected " + ev);
      } else if (ev == null) {
        lines.add(key + " field " + f + ": " + av + ", not expected");
      } else if (!av.equals(ev)) {
        lines.add(key + " field " + f + ": " + av + ", expected " + ev + excess(av, ev));
      }
    }
    if (!a.members().equals(e.members())) {
      Set<String> missing = new TreeSet<>(e.members());
      missing.removeAll(a.members());
      Set<String> extra = new TreeSet<>(a.members());
      extra.removeAll(e.members());
      lines.add(key + " members: missing " + missing + ", not expected " + extra);
    }
    if (!Objects.equals(a.value(), e.value())) {
      lines.add(key + " value: \"" + a.value() + "\", expected \"" + e.value() + "\"");
    }
  }
}
