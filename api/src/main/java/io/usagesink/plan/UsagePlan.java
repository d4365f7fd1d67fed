package io.usagesink.plan;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * The logical Redis updates of one event or of one merged batch: counter deltas, key expiries and
 * index-set additions. Immutable and thread-safe; what commands carry it is up to a writer.
 *
 * <p><b>Order.</b> Counters keep the order in which the planner first produced each {@code (key,
 * field)}; expiries keep the order of each key's first expiry; index additions keep the order of
 * each {@code (set, member)}'s first addition. A writer that sends counters, then expiries, then
 * index additions reproduces the reference layout's command order for a single event (see the
 * layout's documentation for the one difference it allows).
 *
 * <p><b>Merging.</b> {@link Builder} sums deltas of the same {@code (key, field)}, keeps one expiry
 * per key (the last TTL given) and one entry per {@code (set, member)} (the last TTL given). Each
 * of these merges leaves the Redis end state of the plan unchanged. A sum that overflows a {@code
 * long} is rejected with {@link ArithmeticException} naming the counter.
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
    return new Builder(Builder.DEFAULT_CAPACITY);
  }

  /**
   * A new, empty, merging builder sized for about {@code expectedCounters} distinct counters (a
   * hint: it grows as needed). Not thread-safe.
   *
   * @throws IllegalArgumentException if {@code expectedCounters < 0}
   */
  public static Builder builder(int expectedCounters) {
    if (expectedCounters < 0) {
      throw new IllegalArgumentException(
          "expectedCounters must be >= 0 but was " + expectedCounters);
    }
    return new Builder(Math.max(expectedCounters, 4));
  }

  /** Counter deltas, in first-produced order; unmodifiable. */
  public List<CounterDelta> counters() {
    return counters;
  }

  /** Expiries, one per key, in first-produced order; unmodifiable. */
  public List<Expiry> expiries() {
    return expiries;
  }

  /** Index-set additions, one per (set, member), in first-produced order; unmodifiable. */
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
        && counters.equals(p.counters)
        && expiries.equals(p.expiries)
        && indexAdds.equals(p.indexAdds);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * counters.hashCode() + expiries.hashCode()) + indexAdds.hashCode();
  }

  @Override
  public String toString() {
    return "UsagePlan[counters="
        + counters.size()
        + ", expiries="
        + expiries.size()
        + ", indexAdds="
        + indexAdds.size()
        + "]";
  }

  private static <T> List<T> listOf(T[] array) {
    return Collections.unmodifiableList(Arrays.asList(array));
  }

  private record SetMember(String setKey, String member) {}

  /**
   * Accumulates updates, merging duplicates; see {@link UsagePlan}. Not thread-safe.
   *
   * <p>Allocation-light: counters and expiries live in parallel arrays indexed by an
   * open-addressing hash table (no per-entry nodes, no boxing). Records are created once, in {@link
   * #build()}.
   */
  public static final class Builder {
    static final int DEFAULT_CAPACITY = 32;
    // Fibonacci hashing multiplier (2^32 / golden ratio), spreads String hash codes over the table.
    private static final int SPREAD = 0x9E3779B9;

    private String[] keys;
    private String[] fields;
    private long[] deltas;
    private int counterCount;
    private int[] counterSlots; // 0 = empty, else index + 1; a power of two, at most 3/4 full
    private int counterShift;

    private String[] expiryKeys;
    private long[] ttls;
    private int expiryCount;
    private int[] expirySlots;
    private int expiryShift;

    private LinkedHashMap<SetMember, Long> indexAdds; // rare: created on first use

    private Builder(int capacity) {
      keys = new String[capacity];
      fields = new String[capacity];
      deltas = new long[capacity];
      counterSlots = new int[tableSize(capacity)];
      counterShift = Integer.numberOfLeadingZeros(counterSlots.length) + 1;
      int expiryCapacity = Math.max(4, capacity / 4);
      expiryKeys = new String[expiryCapacity];
      ttls = new long[expiryCapacity];
      expirySlots = new int[tableSize(expiryCapacity)];
      expiryShift = Integer.numberOfLeadingZeros(expirySlots.length) + 1;
    }

    /**
     * Adds {@code delta} to {@code (key, field)}.
     *
     * @throws NullPointerException if {@code key} or {@code field} is null
     * @throws ArithmeticException if the merged value overflows a long
     */
    public Builder increment(String key, String field, long delta) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      int mask = counterSlots.length - 1;
      int slot = ((key.hashCode() * 31 + field.hashCode()) * SPREAD) >>> counterShift;
      while (true) {
        int at = counterSlots[slot];
        if (at == 0) {
          break;
        }
        int i = at - 1;
        String k = keys[i];
        String f = fields[i];
        if (k.equals(key) && f.equals(field)) { // String.equals tests identity first
          try {
            deltas[i] = Math.addExact(deltas[i], delta);
          } catch (ArithmeticException e) {
            throw new ArithmeticException(
                "counter " + key + " " + field + " overflows a long: " + deltas[i] + " + " + delta);
          }
          return this;
        }
        slot = (slot + 1) & mask;
      }
      if (counterCount == keys.length) {
        growCounters();
        return increment(key, field, delta);
      }
      int i = counterCount++;
      keys[i] = key;
      fields[i] = field;
      deltas[i] = delta;
      counterSlots[slot] = i + 1;
      return this;
    }

    /**
     * Sets the TTL of {@code key} (keeps the key's first position, takes the latest TTL).
     *
     * @throws IllegalArgumentException if {@code ttlSeconds <= 0}
     */
    public Builder expire(String key, long ttlSeconds) {
      Objects.requireNonNull(key, "key");
      if (ttlSeconds <= 0) {
        throw new IllegalArgumentException(
            "ttlSeconds must be > 0 but was " + ttlSeconds + " for key " + key);
      }
      int mask = expirySlots.length - 1;
      int slot = (key.hashCode() * SPREAD) >>> expiryShift;
      while (true) {
        int at = expirySlots[slot];
        if (at == 0) {
          break;
        }
        String k = expiryKeys[at - 1];
        if (k.equals(key)) {
          ttls[at - 1] = ttlSeconds;
          return this;
        }
        slot = (slot + 1) & mask;
      }
      if (expiryCount == expiryKeys.length) {
        growExpiries();
        return expire(key, ttlSeconds);
      }
      int i = expiryCount++;
      expiryKeys[i] = key;
      ttls[i] = ttlSeconds;
      expirySlots[slot] = i + 1;
      return this;
    }

    /**
     * Adds {@code member} to {@code setKey} with the set TTL {@code ttlSeconds} (0: none; keeps the
     * first position of the (set, member), takes the latest TTL).
     *
     * @throws IllegalArgumentException if {@code ttlSeconds < 0}
     */
    public Builder indexAdd(String setKey, String member, long ttlSeconds) {
      new IndexAdd(setKey, member, ttlSeconds); // validates
      if (indexAdds == null) {
        indexAdds = new LinkedHashMap<>();
      }
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
      return counterCount == 0 && expiryCount == 0 && (indexAdds == null || indexAdds.isEmpty());
    }

    /** The number of distinct counters added so far. */
    public int counterCount() {
      return counterCount;
    }

    /** Forgets everything added, keeping the allocated capacity, so the builder can be reused. */
    public Builder clear() {
      Arrays.fill(keys, 0, counterCount, null);
      Arrays.fill(fields, 0, counterCount, null);
      Arrays.fill(counterSlots, 0);
      counterCount = 0;
      Arrays.fill(expiryKeys, 0, expiryCount, null);
      Arrays.fill(expirySlots, 0);
      expiryCount = 0;
      if (indexAdds != null) {
        indexAdds.clear();
      }
      return this;
    }

    /** Builds an immutable plan; the builder may be used further. */
    public UsagePlan build() {
      if (isEmpty()) {
        return EMPTY;
      }
      CounterDelta[] c = new CounterDelta[counterCount];
      for (int i = 0; i < counterCount; i++) {
        c[i] = new CounterDelta(keys[i], fields[i], deltas[i]);
      }
      Expiry[] e = new Expiry[expiryCount];
      for (int i = 0; i < expiryCount; i++) {
        e[i] = new Expiry(expiryKeys[i], ttls[i]);
      }
      List<IndexAdd> a = List.of();
      if (indexAdds != null && !indexAdds.isEmpty()) {
        IndexAdd[] arr = new IndexAdd[indexAdds.size()];
        int i = 0;
        for (var entry : indexAdds.entrySet()) {
          arr[i++] =
              new IndexAdd(entry.getKey().setKey(), entry.getKey().member(), entry.getValue());
        }
        a = listOf(arr);
      }
      return new UsagePlan(listOf(c), listOf(e), a);
    }

    private void growCounters() {
      int capacity = keys.length * 2;
      keys = Arrays.copyOf(keys, capacity);
      fields = Arrays.copyOf(fields, capacity);
      deltas = Arrays.copyOf(deltas, capacity);
      counterSlots = new int[tableSize(capacity)];
      counterShift = Integer.numberOfLeadingZeros(counterSlots.length) + 1;
      int mask = counterSlots.length - 1;
      for (int i = 0; i < counterCount; i++) {
        int slot = ((keys[i].hashCode() * 31 + fields[i].hashCode()) * SPREAD) >>> counterShift;
        while (counterSlots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        counterSlots[slot] = i + 1;
      }
    }

    private void growExpiries() {
      int capacity = expiryKeys.length * 2;
      expiryKeys = Arrays.copyOf(expiryKeys, capacity);
      ttls = Arrays.copyOf(ttls, capacity);
      expirySlots = new int[tableSize(capacity)];
      expiryShift = Integer.numberOfLeadingZeros(expirySlots.length) + 1;
      int mask = expirySlots.length - 1;
      for (int i = 0; i < expiryCount; i++) {
        int slot = (expiryKeys[i].hashCode() * SPREAD) >>> expiryShift;
        while (expirySlots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        expirySlots[slot] = i + 1;
      }
    }

    /** A power of two at least 4/3 of {@code capacity} (load factor <= 0.75). */
    private static int tableSize(int capacity) {
      int n =
          Integer.highestOneBit(capacity + capacity / 3 + 1) << 1; // > capacity, so probing ends
      if (n <= 0 || n > (1 << 30)) {
        throw new IllegalStateException("plan too large: " + capacity + " entries");
      }
      return n;
    }
  }
}
