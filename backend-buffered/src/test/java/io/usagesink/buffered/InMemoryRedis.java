package io.usagesink.buffered;

import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.KeyFailure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Redis end state a plan produces (hash fields, sets, the last TTL set per key), without Redis:
 * the reference the buffered sink's batches are compared with in unit tests, where the point is the
 * buffering, not Redis. Guarded plans are applied at most once per guard id, like the Lua writer. A
 * key can be {@linkplain #poison poisoned} (as if it held a string: Redis answers WRONGTYPE): the
 * updates of a poisoned key are refused and reported, every other update of the plan is applied, as
 * the Lua writer does. Thread-safe (synchronized).
 */
final class InMemoryRedis {
  private final Map<String, Map<String, Long>> hashes = new TreeMap<>();
  private final Map<String, Set<String>> sets = new TreeMap<>();
  private final Map<String, Long> ttls = new TreeMap<>();
  private final Set<String> guards = new HashSet<>();
  private final Set<String> poisoned = new HashSet<>();

  /** Makes {@code key} refuse every update from now on, like a key of the wrong type. */
  synchronized void poison(String key) {
    poisoned.add(key);
  }

  /** Applies {@code plan} unless {@code guardId} was applied before; returns whether it applied. */
  synchronized boolean apply(UsagePlan plan, String guardId) {
    return apply(plan, guardId, new ArrayList<>());
  }

  /**
   * Applies {@code plan} unless {@code guardId} was applied before, except the updates of poisoned
   * keys, which are added to {@code failed}; returns whether it applied.
   */
  synchronized boolean apply(UsagePlan plan, String guardId, List<KeyFailure> failed) {
    if (guardId != null && !guards.add(guardId)) {
      return false;
    }
    Set<String> refused = new LinkedHashSet<>();
    for (CounterDelta c : plan.counters()) {
      if (poisoned.contains(c.key())) {
        refused.add(c.key());
        continue;
      }
      hashes
          .computeIfAbsent(c.key(), k -> new TreeMap<>())
          .merge(c.field(), c.delta(), Math::addExact);
    }
    for (Expiry e : plan.expiries()) {
      if (!poisoned.contains(e.key())) {
        ttls.put(e.key(), e.ttlSeconds());
      }
    }
    for (IndexAdd a : plan.indexAdds()) {
      if (poisoned.contains(a.setKey())) {
        refused.add(a.setKey());
        continue;
      }
      sets.computeIfAbsent(a.setKey(), k -> new TreeSet<>()).add(a.member());
      if (a.ttlSeconds() > 0) {
        ttls.put(a.setKey(), a.ttlSeconds());
      }
    }
    for (String key : refused) {
      failed.add(
          new KeyFailure(
              key, "WRONGTYPE Operation against a key holding the wrong kind of value", false));
    }
    return true;
  }

  synchronized Map<String, Map<String, Long>> hashes() {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    hashes.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
    return copy;
  }

  synchronized Map<String, Long> ttls() {
    return new TreeMap<>(ttls);
  }

  synchronized Map<String, Set<String>> sets() {
    return new TreeMap<>(sets);
  }

  synchronized long field(String key, String field) {
    return hashes.getOrDefault(key, Map.of()).getOrDefault(field, 0L);
  }
}
