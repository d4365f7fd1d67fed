package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.StoredKey;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.golden.StoredValue;
import io.usagesink.launcher.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Expected Redis states computed without any sink (the testkit's plan interpreter over the layout's plans),
 * the stored state read back from Redis, and their comparison with a TTL tolerance.
 */
final class Expected {
  /** TTL drift allowed between a key written by the sink and the interpreter's TTL (a loaded 2-core machine). */
  static final long TTL_TOLERANCE_SECONDS = 30;

  private Expected() {}

  /** The state {@code events} leave on an empty Redis, every update applied once (TTLs as set). */
  static SortedMap<String, StoredKey> state(SinkConfig config, List<UsageEvent> events) {
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events) {
      model.apply(UsageLayouts.crs(config).plan(e));
    }
    SortedMap<String, StoredKey> out = new TreeMap<>();
    for (Map.Entry<String, StoredValue> e : model.state().entrySet()) {
      StoredValue v = e.getValue();
      out.put(e.getKey(), StoredValue.SET.equals(v.type())
          ? StoredKey.set(v.members(), v.ttl()) : StoredKey.hash(v.fields(), v.ttl()));
    }
    return out;
  }

  /**
   * Every statistics key on {@code nodes} now (the bookkeeping prefix {@code usagesink:} left out), read over
   * the test kit's own admin connections (SCAN, TYPE, TTL, HGETALL / SMEMBERS / GET), not through our reader.
   */
  static SortedMap<String, StoredKey> dump(List<RedisServer> nodes) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    for (RedisServer node : nodes) {
      String cursor = "0";
      do {
        List<?> reply = (List<?>) node.command("SCAN", cursor, "COUNT", "1000");
        cursor = (String) reply.get(0);
        for (Object o : (List<?>) reply.get(1)) {
          String key = (String) o;
          if (!key.startsWith(LayoutSettings.DEFAULT_KEY_PREFIX)) {
            read(node, key).ifPresent(v -> out.put(key, v));
          }
        }
      } while (!"0".equals(cursor));
    }
    return out;
  }

  private static java.util.Optional<StoredKey> read(RedisServer node, String key) {
    String type = (String) node.command("TYPE", key);
    long ttl = (Long) node.command("TTL", key);
    switch (type) {
      case "hash": {
        List<?> flat = (List<?>) node.command("HGETALL", key);
        Map<String, String> fields = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
          fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return java.util.Optional.of(StoredKey.hash(fields, ttl));
      }
      case "set": {
        List<String> members = new ArrayList<>();
        ((List<?>) node.command("SMEMBERS", key)).forEach(m -> members.add((String) m));
        return java.util.Optional.of(StoredKey.set(members, ttl));
      }
      case "string":
        return java.util.Optional.of(new StoredKey("string", new TreeMap<>(), List.of(), (String) node.command("GET",
            key), ttl));
      case "none":
        return java.util.Optional.empty();
      default:
        return java.util.Optional.of(new StoredKey(type, new TreeMap<>(), List.of(), null, ttl));
    }
  }

  /** Asserts same keys, same contents, TTLs within {@value #TTL_TOLERANCE_SECONDS} s; lists the first differences. */
  static void assertSameState(Map<String, StoredKey> actual, Map<String, StoredKey> expected, String what) {
    List<String> diff = differences(actual, expected);
    assertThat(diff).as(what + ": " + diff.size() + " differences (first 25: " + diff.subList(0, Math.min(25,
        diff.size())) + ")").isEmpty();
  }

  /**
   * Every difference: a key missing or extra, a type, value, member or field that differs (with the excess
   * {@code got - want} for counters), a TTL off by more than the tolerance.
   */
  static List<String> differences(Map<String, StoredKey> actual, Map<String, StoredKey> expected) {
    List<String> out = new ArrayList<>();
    for (String k : new TreeMap<>(expected).keySet()) {
      if (!actual.containsKey(k)) {
        out.add(k + ": missing");
      }
    }
    for (String k : new TreeMap<>(actual).keySet()) {
      if (!expected.containsKey(k)) {
        out.add(k + ": not expected (" + actual.get(k) + ")");
      }
    }
    new TreeMap<>(expected).forEach((k, e) -> {
      StoredKey a = actual.get(k);
      if (a == null) {
        return;
      }
      if (!a.type().equals(e.type()) || !java.util.Objects.equals(a.value(), e.value())
          || !new java.util.TreeSet<>(a.members()).equals(new java.util.TreeSet<>(e.members()))) {
        out.add(k + ": " + a + ", expected " + e);
        return;
      }
      java.util.Set<String> fields = new java.util.TreeSet<>(e.fields().keySet());
      fields.addAll(a.fields().keySet());
      for (String f : fields) {
        String got = a.fields().get(f);
        String want = e.fields().get(f);
        if (!java.util.Objects.equals(got, want)) {
          out.add(k + " " + f + ": " + got + ", expected " + want + excess(got, want));
        }
      }
      boolean bothExpire = a.ttl() > 0 && e.ttl() > 0;
      if (bothExpire ? Math.abs(a.ttl() - e.ttl()) > TTL_TOLERANCE_SECONDS : a.ttl() != e.ttl()) {
        out.add(k + ": ttl " + a.ttl() + ", expected " + e.ttl() + " (tolerance " + TTL_TOLERANCE_SECONDS + " s)");
      }
    });
    return out;
  }

  private static String excess(String got, String want) {
    try {
      return " (excess " + Math.subtractExact(Long.parseLong(got), Long.parseLong(want)) + ")";
    } catch (NumberFormatException | ArithmeticException e) {
      return "";
    }
  }
}
