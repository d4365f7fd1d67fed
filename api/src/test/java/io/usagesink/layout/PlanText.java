package io.usagesink.layout;

import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Test helpers: a plan as readable command lines, as counter maps, filtered. */
final class PlanText {

  private PlanText() {}

  /** "HINCRBY key field delta" for each counter, then "EXPIRE key ttl" for each expiry. */
  static List<String> commands(UsagePlan plan) {
    List<String> out = new ArrayList<>();
    for (CounterDelta c : plan.counters()) {
      out.add("HINCRBY " + c.key() + " " + c.field() + " " + c.delta());
    }
    for (Expiry e : plan.expiries()) {
      out.add("EXPIRE " + e.key() + " " + e.ttlSeconds());
    }
    return out;
  }

  /** key -> field -> delta, in plan order. */
  static Map<String, Map<String, Long>> hashes(UsagePlan plan) {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    for (CounterDelta c : plan.counters()) {
      out.computeIfAbsent(c.key(), k -> new LinkedHashMap<>())
          .merge(c.field(), c.delta(), Long::sum);
    }
    return out;
  }

  /** key -> ttl, in plan order. */
  static Map<String, Long> ttls(UsagePlan plan) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Expiry e : plan.expiries()) {
      out.put(e.key(), e.ttlSeconds());
    }
    return out;
  }

  /** The distinct counter keys, in first-counter order. */
  static List<String> counterKeys(UsagePlan plan) {
    return new ArrayList<>(hashes(plan).keySet());
  }

  /** The fields of {@code key}, in plan order. */
  static List<String> fields(UsagePlan plan, String key) {
    return new ArrayList<>(hashes(plan).getOrDefault(key, Map.of()).keySet());
  }

  /**
   * The plan without the counters {@code dropCounter} accepts and the expiries {@code dropKey}
   * accepts.
   */
  static UsagePlan without(
      UsagePlan plan, Predicate<CounterDelta> dropCounter, Predicate<String> dropKey) {
    UsagePlan.Builder b = UsagePlan.builder();
    for (CounterDelta c : plan.counters()) {
      if (!dropCounter.test(c)) {
        b.increment(c.key(), c.field(), c.delta());
      }
    }
    for (Expiry e : plan.expiries()) {
      if (!dropKey.test(e.key())) {
        b.expire(e.key(), e.ttlSeconds());
      }
    }
    return b.build();
  }
}
