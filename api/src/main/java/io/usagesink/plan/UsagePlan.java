package io.usagesink.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logical Redis updates of one event or of one merged batch: counter deltas, key expiries and
 * index-set additions. Immutable; what commands carry it is up to a writer.
 *
 * <p><b>Order.</b> Counters keep the order in which the planner first produced each
 * {@code (key, field)}; expiries and index additions keep the order of each first key (member).
 * A writer that sends counters, then expiries, then index additions reproduces the reference
 * layout's command order for a single event (see the layout's documentation for the one
 * difference it allows).
 *
 * <p><b>Merging.</b> {@link Builder} sums deltas of the same {@code (key, field)}, keeps one expiry
 * per key (the last TTL given) and one entry per {@code (set, member)}. A sum that overflows a
 * {@code long} is rejected with {@link ArithmeticException} naming the counter.
 */
public final class UsagePlan {

  private static final UsagePlan EMPTY = new UsagePlan(List.of(), List.of(), List.of());

  private final List<CounterDelta> counters;
  private final List<Expiry> expiries;
  private final List<IndexAdd> indexAdds;

  private UsagePlan(List<CounterDelta> counters, List<Expiry> expiries, List<IndexAdd> indexAdds) {
    this.counters = counters;
    this.expiries = expiries;
    this.indexAdds = indexAdds;
  }

  /** The plan that changes nothing. */
  public static UsagePlan empty() {
    return EMPTY;
  }

  /** A new, empty, merging builder. Not thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** Counter deltas, in first-produced order; unmodifiable. */
  public List<CounterDelta> counters() {
    return counters;
  }

  /** Expiries, one per key, in first-produced order; unmodifiable. */
  public List<Expiry> expiries() {
    return expiries;
  }

  /** Index-set additions, one per (set, member); unmodifiable. */
  public List<IndexAdd> indexAdds() {
    return indexAdds;
  }

  /** True when the plan changes nothing. */
  public boolean isEmpty() {
    return counters.isEmpty() && expiries.isEmpty() && indexAdds.isEmpty();
  }

  /** The number of logical updates: counters + expiries + index additions. */
  public int size() {
    return counters.size() + expiries.size() + indexAdds.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UsagePlan p
        && counters.equals(p.counters) && expiries.equals(p.expiries) && indexAdds.equals(p.indexAdds);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * counters.hashCode() + expiries.hashCode()) + indexAdds.hashCode();
  }

  @Override
  public String toString() {
    return "UsagePlan[counters=" + counters.size() + ", expiries=" + expiries.size()
        + ", indexAdds=" + indexAdds.size() + "]";
  }

  private record SetMember(String setKey, String member) {}

  /** Accumulates updates, merging duplicates; see {@link UsagePlan}. Not thread-safe. */
  public static final class Builder {
    // key -> (field -> index into deltas): two-level so a layout's many fields of one key share one lookup
    private final Map<String, Map<String, Integer>> counterIndex = new HashMap<>();
    private final List<String> keys = new ArrayList<>();
    private final List<String> fields = new ArrayList<>();
    private final List<long[]> deltas = new ArrayList<>();
    private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();
    private final LinkedHashMap<SetMember, Long> indexAdds = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds {@code delta} to {@code (key, field)}.
     *
     * @throws ArithmeticException if the merged value overflows a long
     */
    public Builder increment(String key, String field, long delta) {
      Map<String, Integer> byField = counterIndex.computeIfAbsent(key, k -> new HashMap<>());
      Integer at = byField.get(field);
      if (at == null) {
        byField.put(field, deltas.size());
        keys.add(key);
        fields.add(field);
        deltas.add(new long[] {delta});
      } else {
        long[] cell = deltas.get(at);
        try {
          cell[0] = Math.addExact(cell[0], delta);
        } catch (ArithmeticException e) {
          throw new ArithmeticException("counter " + key + " " + field + " overflows a long: "
              + cell[0] + " + " + delta);
        }
      }
      return this;
    }

    /** Sets the TTL of {@code key} (keeps the key's first position, takes the latest TTL). */
    public Builder expire(String key, long ttlSeconds) {
      new Expiry(key, ttlSeconds); // validates
      expiries.put(key, ttlSeconds);
      return this;
    }

    /** Adds {@code member} to {@code setKey} with the set TTL {@code ttlSeconds} (0: none). */
    public Builder indexAdd(String setKey, String member, long ttlSeconds) {
      new IndexAdd(setKey, member, ttlSeconds); // validates
      indexAdds.put(new SetMember(setKey, member), ttlSeconds);
      return this;
    }

    /** Merges every update of {@code plan} into this builder. */
    public Builder addAll(UsagePlan plan) {
      for (CounterDelta c : plan.counters) {
        increment(c.key(), c.field(), c.delta());
      }
      for (Expiry e : plan.expiries) {
        expire(e.key(), e.ttlSeconds());
      }
      for (IndexAdd a : plan.indexAdds) {
        indexAdd(a.setKey(), a.member(), a.ttlSeconds());
      }
      return this;
    }

    /** True when nothing has been added. */
    public boolean isEmpty() {
      return deltas.isEmpty() && expiries.isEmpty() && indexAdds.isEmpty();
    }

    /** Builds an immutable plan; the builder may be used further. */
    public UsagePlan build() {
      if (isEmpty()) {
        return EMPTY;
      }
      List<CounterDelta> c = new ArrayList<>(deltas.size());
      for (int i = 0; i < deltas.size(); i++) {
        c.add(new CounterDelta(keys.get(i), fields.get(i), deltas.get(i)[0]));
      }
      List<Expiry> e = new ArrayList<>(expiries.size());
      expiries.forEach((k, ttl) -> e.add(new Expiry(k, ttl)));
      List<IndexAdd> a = new ArrayList<>(indexAdds.size());
      indexAdds.forEach((sm, ttl) -> a.add(new IndexAdd(sm.setKey(), sm.member(), ttl)));
      return new UsagePlan(Collections.unmodifiableList(c), Collections.unmodifiableList(e),
          Collections.unmodifiableList(a));
    }
  }
}
