package io.usagesink.redis.write;

import io.lettuce.core.cluster.SlotHash;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes a plan as the KEYS and ARGV of {@code apply-plan.lua}, split into slot groups when the
 * target is a cluster. See the script's header for the layout.
 */
final class PlanEncoding {
  private PlanEncoding() {}

  /**
   * One EVALSHA's worth of the plan: statistics keys of one slot (on a cluster), with their ARGV
   * (without the leading guard TTL) and the number of Redis commands the script runs for them when
   * no key fails (the guard's SET not included).
   */
  record Group(int slot, List<String> keys, List<String> argv, int scriptCommands) {}

  /** Per-key updates, in the plan's first-seen key order. */
  private static final class KeyOps {
    final String key;
    final List<String> pairs = new ArrayList<>();
    final List<String> members = new ArrayList<>();
    long ttl;

    KeyOps(String key) {
      this.key = key;
    }

    int commands() {
      return pairs.size() / 2 + members.size() + (ttl > 0 ? 1 : 0);
    }
  }

  /**
   * The groups of {@code plan}: one when {@code bySlot} is false, else one per hash slot (ordered
   * by first appearance of the slot in the plan).
   *
   * @throws IllegalArgumentException when a key is both a hash (counters) and a set (index members)
   */
  static List<Group> encode(UsagePlan plan, boolean bySlot) {
    Map<String, KeyOps> byKey = new LinkedHashMap<>();
    for (CounterDelta c : plan.counters()) {
      KeyOps k = byKey.computeIfAbsent(c.key(), KeyOps::new);
      k.pairs.add(c.field());
      k.pairs.add(Long.toString(c.delta()));
    }
    for (Expiry e : plan.expiries()) {
      byKey.computeIfAbsent(e.key(), KeyOps::new).ttl = e.ttlSeconds();
    }
    for (IndexAdd a : plan.indexAdds()) {
      KeyOps k = byKey.computeIfAbsent(a.setKey(), KeyOps::new);
      k.members.add(a.member());
      if (a.ttlSeconds() > 0) {
        k.ttl = a.ttlSeconds();
      }
    }
    if (!bySlot) {
      String first = byKey.keySet().iterator().next();
      return List.of(group(SlotHash.getSlot(first), byKey.values()));
    }
    Map<Integer, List<KeyOps>> slots = new LinkedHashMap<>();
    for (KeyOps k : byKey.values()) {
      slots.computeIfAbsent(SlotHash.getSlot(k.key), s -> new ArrayList<>()).add(k);
    }
    List<Group> groups = new ArrayList<>(slots.size());
    slots.forEach((slot, ops) -> groups.add(group(slot, ops)));
    return groups;
  }

  /**
   * The updates of {@code plan} on {@code keys} only (counters, expiries and index additions of
   * those keys), in the plan's order: the part of a plan that slot groups which failed transiently
   * leave.
   */
  static UsagePlan only(UsagePlan plan, Set<String> keys) {
    UsagePlan.Builder b = UsagePlan.builder(plan.counters().size());
    for (CounterDelta c : plan.counters()) {
      if (keys.contains(c.key())) {
        b.increment(c.key(), c.field(), c.delta());
      }
    }
    for (Expiry e : plan.expiries()) {
      if (keys.contains(e.key())) {
        b.expire(e.key(), e.ttlSeconds());
      }
    }
    for (IndexAdd a : plan.indexAdds()) {
      if (keys.contains(a.setKey())) {
        b.indexAdd(a.setKey(), a.member(), a.ttlSeconds());
      }
    }
    return b.build();
  }

  private static Group group(int slot, Iterable<KeyOps> ops) {
    List<String> keys = new ArrayList<>();
    List<String> argv = new ArrayList<>();
    int commands = 0;
    for (KeyOps k : ops) {
      if (!k.pairs.isEmpty() && !k.members.isEmpty()) {
        throw new IllegalArgumentException(
            "key " + k.key + " gets both hash counters and set members in one plan");
      }
      keys.add(k.key);
      if (!k.pairs.isEmpty()) {
        argv.add(Integer.toString(k.pairs.size() / 2));
        argv.addAll(k.pairs);
      } else if (!k.members.isEmpty()) {
        argv.add(Integer.toString(-k.members.size()));
        argv.addAll(k.members);
      } else {
        argv.add("0");
      }
      argv.add(Long.toString(k.ttl));
      commands += k.commands();
    }
    return new Group(slot, keys, argv, commands);
  }
}
