package io.usagesink.testkit.golden;

import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.testkit.redis.StoredKey;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies plans to an in-memory model of the keys they touch, with the Redis semantics of the
 * commands a writer sends ({@code HINCRBY}, {@code EXPIRE}, {@code SADD}), and reports the final
 * state in the golden files' form ({@link StoredKey}s). Time does not pass: a TTL is the last one
 * set, {@code -1} when none was.
 *
 * <p><b>A plan interpreter for unit tests, not a Redis mock.</b> It models only what plans do, so
 * that a layout can be checked against golden states without a server. Integration tests of writers
 * and backends must run against a real Redis (the testkit's fixture).
 *
 * <p>Mutable and not thread-safe.
 */
public final class PlanInterpreter {

  private final Map<String, Map<String, Long>> hashes = new HashMap<>();
  private final Map<String, TreeSet<String>> sets = new HashMap<>();
  private final Map<String, Long> ttls = new HashMap<>();

  /**
   * Applies {@code plan}: its counters, then its expiries, then its index additions.
   *
   * @throws IllegalStateException if a key would be used with two types (Redis: WRONGTYPE)
   * @throws ArithmeticException if a counter would overflow (Redis rejects the HINCRBY)
   */
  public PlanInterpreter apply(UsagePlan plan) {
    for (CounterDelta c : plan.counters()) {
      hincrby(c.key(), c.field(), c.delta());
    }
    for (Expiry e : plan.expiries()) {
      expire(e.key(), e.ttlSeconds());
    }
    for (IndexAdd a : plan.indexAdds()) {
      sadd(a.setKey(), a.member());
      if (a.ttlSeconds() > 0) {
        expire(a.setKey(), a.ttlSeconds());
      }
    }
    return this;
  }

  /** {@code HINCRBY key field delta}. */
  public PlanInterpreter hincrby(String key, String field, long delta) {
    if (sets.containsKey(key)) {
      throw new IllegalStateException("WRONGTYPE: HINCRBY on set " + key);
    }
    hashes
        .computeIfAbsent(key, k -> new HashMap<>())
        .merge(
            field,
            delta,
            (a, b) -> {
              try {
                return Math.addExact(a, b);
              } catch (ArithmeticException e) {
                throw new ArithmeticException(
                    "HINCRBY " + key + " " + field + " would overflow: " + a + " + " + b);
              }
            });
    return this;
  }

  /** {@code SADD key member}. */
  public PlanInterpreter sadd(String key, String member) {
    if (hashes.containsKey(key)) {
      throw new IllegalStateException("WRONGTYPE: SADD on hash " + key);
    }
    sets.computeIfAbsent(key, k -> new TreeSet<>()).add(member);
    return this;
  }

  /** {@code EXPIRE key ttl}: sets the TTL of an existing key; does nothing to a missing one. */
  public PlanInterpreter expire(String key, long ttlSeconds) {
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException(
          "ttlSeconds must be > 0 but was " + ttlSeconds + " for key " + key);
    }
    if (hashes.containsKey(key) || sets.containsKey(key)) {
      ttls.put(key, ttlSeconds);
    }
    return this;
  }

  /** Every key, sorted, as the golden files record a database. */
  public SortedMap<String, StoredKey> state() {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    hashes.forEach(
        (key, fields) -> {
          Map<String, String> text = new TreeMap<>();
          fields.forEach((f, v) -> text.put(f, Long.toString(v)));
          out.put(key, StoredKey.hash(text, ttls.getOrDefault(key, -1L)));
        });
    sets.forEach(
        (key, members) ->
            out.put(key, StoredKey.set(members.stream().toList(), ttls.getOrDefault(key, -1L))));
    return out;
  }
}
