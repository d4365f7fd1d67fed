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

  /** Asserts same keys, same contents, TTLs within {@value #TTL_TOLERANCE_SECONDS} s. */
  static void assertSameState(Map<String, StoredKey> actual, Map<String, StoredKey> expected, String what) {
    assertThat(actual.keySet()).as(what + ": keys").containsExactlyElementsOf(new TreeMap<>(expected).keySet());
    assertThat(withoutTtls(actual)).as(what + ": contents").isEqualTo(withoutTtls(expected));
    List<String> ttl = new ArrayList<>();
    expected.forEach((k, e) -> {
      StoredKey a = actual.get(k);
      boolean bothExpire = a.ttl() > 0 && e.ttl() > 0;
      if (bothExpire ? Math.abs(a.ttl() - e.ttl()) > TTL_TOLERANCE_SECONDS : a.ttl() != e.ttl()) {
        ttl.add(k + ": ttl " + a.ttl() + ", expected " + e.ttl());
      }
    });
    assertThat(ttl).as(what + ": TTLs within " + TTL_TOLERANCE_SECONDS + " s").isEmpty();
  }

  private static SortedMap<String, StoredKey> withoutTtls(Map<String, StoredKey> state) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    state.forEach((k, v) -> out.put(k, v.ttl() > 0 ? v.withTtl(0) : v));
    return out;
  }
}
