package io.usagesink.cli.compare;

import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.read.StoredKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state the CRS layout holds after a workload, computed without Redis and without any backend:
 * each event is planned on its own by the CRS layout and its plan applied to an in-memory model
 * with the semantics of the commands that carry it ({@code HINCRBY} sums and creates a field even
 * for 0, {@code EXPIRE} sets the TTL of an existing key, {@code SADD}). Time does not pass: a TTL
 * is the last one set, {@code -1} when none was; a real database's TTLs count down from the key's
 * last write. This is what {@code compare} checks every row against, the pipeline's own included.
 *
 * <p>Mutable while built, not thread-safe.
 */
public final class ExpectedState {

  private final Map<String, Map<String, Long>> hashes = new HashMap<>();
  private final Map<String, TreeSet<String>> sets = new HashMap<>();
  private final Map<String, Long> ttls = new HashMap<>();

  private ExpectedState() {}

  /**
   * The CRS state after {@code events}, each planned by {@code layout}.
   *
   * @throws IllegalStateException if a plan would use a key with two types (Redis: WRONGTYPE)
   * @throws ArithmeticException if a counter would overflow (Redis refuses the HINCRBY)
   */
  static RedisState of(Iterator<UsageEvent> events, UsageLayout layout) {
    ExpectedState s = new ExpectedState();
    while (events.hasNext()) {
      s.apply(layout.plan(events.next()));
    }
    return s.state();
  }

  private void apply(UsagePlan plan) {
    for (CounterDelta c : plan.counters()) {
      if (sets.containsKey(c.key())) {
        throw new IllegalStateException("WRONGTYPE: HINCRBY on the set " + c.key());
      }
      hashes
          .computeIfAbsent(c.key(), k -> new HashMap<>())
          .merge(c.field(), c.delta(), Math::addExact);
    }
    for (Expiry e : plan.expiries()) {
      expire(e.key(), e.ttlSeconds());
    }
    for (IndexAdd a : plan.indexAdds()) {
      if (hashes.containsKey(a.setKey())) {
        throw new IllegalStateException("WRONGTYPE: SADD on the hash " + a.setKey());
      }
      sets.computeIfAbsent(a.setKey(), k -> new TreeSet<>()).add(a.member());
      if (a.ttlSeconds() > 0) {
        expire(a.setKey(), a.ttlSeconds());
      }
    }
  }

  private void expire(String key, long ttlSeconds) {
    if (hashes.containsKey(key) || sets.containsKey(key)) {
      ttls.put(key, ttlSeconds);
    }
  }

  private RedisState state() {
    Map<String, StoredKey> out = new TreeMap<>();
    hashes.forEach(
        (key, fields) -> {
          Map<String, String> text = new TreeMap<>();
          fields.forEach((f, v) -> text.put(f, Long.toString(v)));
          out.put(key, StoredKey.hash(text, ttls.getOrDefault(key, -1L)));
        });
    sets.forEach(
        (key, members) -> out.put(key, StoredKey.set(members, ttls.getOrDefault(key, -1L))));
    return new RedisState(out);
  }
}
