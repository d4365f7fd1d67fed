package io.usagesink.buffered;

import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Redis end state a plan produces (hash fields, sets, the last TTL set per key), without Redis:
 * the reference the buffered sink's batches are compared with in unit tests, where the point is the
 * buffering, not Redis. Guarded plans are applied at most once per guard id, like the Lua writer.
 * Thread-safe (synchronized).
 */
final class InMemoryRedis {
  private final Map<String, Map<String, Long>> hashes = new TreeMap<>();
  private final Map<String, Set<String>> sets = new TreeMap<>();
  private final Map<String, Long> ttls = new TreeMap<>();
  private final Set<String> guards = new HashSet<>();

  /** Applies {@code plan} unless {@code guardId} was applied before; returns whether it applied. */
  synchronized boolean apply(UsagePlan plan, String guardId) {
    if (guardId != null && !guards.add(guardId)) {
      return false;
    }
    for (CounterDelta c : plan.counters()) {
      hashes.computeIfAbsent(c.key(), k -> new TreeMap<>()).merge(c.field(), c.delta(), Math::addExact);
    }
    for (Expiry e : plan.expiries()) {
      ttls.put(e.key(), e.ttlSeconds());
    }
    for (IndexAdd a : plan.indexAdds()) {
      sets.computeIfAbsent(a.setKey(), k -> new TreeSet<>()).add(a.member());
      if (a.ttlSeconds() > 0) {
        ttls.put(a.setKey(), a.ttlSeconds());
      }
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
