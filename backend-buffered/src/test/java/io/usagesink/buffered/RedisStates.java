package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.testkit.redis.StateDump;
import io.usagesink.testkit.redis.StoredKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Reads and compares the statistics stored in a real Redis. */
final class RedisStates {
  /** TTLs restart at every write; the two runs compared write seconds apart. */
  static final long TTL_TOLERANCE_SECONDS = 30;

  private RedisStates() {}

  /** Every statistics key (guards left out) with contents and TTL. */
  static SortedMap<String, StoredKey> dump(SinkConfig config) {
    try (RedisConnection connection = RedisConnection.open(config)) {
      return States.fromReader(UsageReader.of(connection, config).dump());
    }
  }

  /**
   * Plans each event on its own and applies it with the pipeline writer, as the pipeline backend
   * does: the reference state.
   */
  static void applyEachEvent(SinkConfig config, UsageLayout layout, List<UsageEvent> events)
      throws Exception {
    try (RedisConnection connection = RedisConnection.open(config)) {
      PlanWriter writer = PlanWriters.pipeline(connection, config);
      List<CompletableFuture<WriteResult>> pending = new ArrayList<>();
      for (UsageEvent e : events) {
        pending.add(writer.write(layout.plan(e), null));
        if (pending.size() == 1_000) {
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
              .get(60, TimeUnit.SECONDS);
          pending.clear();
        }
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
  }

  /** The fields of a stored hash as numbers. */
  static Map<String, Long> numbers(StoredKey hash) {
    Map<String, Long> fields = new TreeMap<>();
    hash.fields().forEach((f, v) -> fields.put(f, Long.parseLong(v)));
    return fields;
  }

  /**
   * Same keys, types, fields, members; TTLs both absent or within {@link #TTL_TOLERANCE_SECONDS}.
   */
  static void assertSameState(
      SortedMap<String, StoredKey> actual, SortedMap<String, StoredKey> expected) {
    StateDump.of(actual)
        .diff(StateDump.of(expected), Duration.ofSeconds(TTL_TOLERANCE_SECONDS))
        .assertNone("state");
  }

  /** The in-memory reference against what Redis holds: same hashes, every TTL as last planned. */
  static void assertSameState(SortedMap<String, StoredKey> actual, InMemoryRedis expected) {
    Map<String, Map<String, Long>> hashes = new TreeMap<>();
    Map<String, Set<String>> sets = new TreeMap<>();
    actual.forEach(
        (key, stored) -> {
          if (stored.type().equals("set")) {
            sets.put(key, new TreeSet<>(stored.members()));
          } else {
            hashes.put(key, numbers(stored));
          }
        });
    assertThat(hashes).as("hashes").isEqualTo(expected.hashes());
    assertThat(sets).as("sets").isEqualTo(expected.sets());
    Map<String, Long> ttls = expected.ttls();
    actual.forEach(
        (key, stored) -> {
          Long ttl = ttls.get(key);
          if (ttl == null) {
            assertThat(stored.ttl()).as("TTL of %s", key).isEqualTo(-1);
          } else {
            assertThat(stored.ttl())
                .as("TTL of %s", key)
                .isBetween(ttl - TTL_TOLERANCE_SECONDS, ttl);
          }
        });
  }

  /**
   * The testkit's plan interpreter's state (an independent expectation) against what Redis holds:
   * same keys, types, fields and members; TTLs both absent, or at most the planned one and no more
   * than {@code ttlSlackSeconds} below it (a TTL is set at a key's last write, which may lie that
   * long before the dump).
   */
  static void assertInterpreterState(
      SortedMap<String, StoredKey> actual,
      SortedMap<String, StoredKey> expected,
      long ttlSlackSeconds) {
    assertThat(actual.keySet()).as("keys").isEqualTo(expected.keySet());
    for (String key : expected.keySet()) {
      StoredKey a = actual.get(key);
      StoredKey e = expected.get(key);
      assertThat(a.type()).as("type of %s", key).isEqualTo(e.type());
      assertThat(a.fields()).as("fields of %s", key).isEqualTo(e.fields());
      assertThat(new TreeSet<>(a.members()))
          .as("members of %s", key)
          .isEqualTo(new TreeSet<>(e.members()));
    }
    for (String key : expected.keySet()) {
      long ttl = actual.get(key).ttl();
      long planned = expected.get(key).ttl();
      if (planned < 0) {
        assertThat(ttl).as("TTL of %s", key).isNegative();
      } else {
        assertThat(ttl).as("TTL of %s", key).isBetween(planned - ttlSlackSeconds, planned);
      }
    }
  }
}
