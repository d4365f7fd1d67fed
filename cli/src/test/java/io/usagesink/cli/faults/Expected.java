package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.StoredKey;
import io.usagesink.redis.UsageReader;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.golden.StoredValue;
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

  /** Every statistics key in Redis now (bookkeeping keys left out), on one server or every master. */
  static SortedMap<String, StoredKey> dump(SinkConfig config) {
    SinkConfig plain = SinkConfig.builder().redisUri(config.redisUri().orElseThrow())
        .redisCluster(config.redisCluster().orElse(null)).zone(config.zone()).build();
    try (RedisConnection c = RedisConnection.open(plain)) {
      return UsageReader.of(c, plain).dump();
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
