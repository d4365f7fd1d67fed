package io.usagesink.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.redis.read.StoredKey;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.golden.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Comparison of stored Redis states (dumps) with a TTL tolerance. */
public final class States {
  private States() {}

  /** A golden file's state in the form of {@link io.usagesink.redis.read.UsageReader#dump()}. */
  public static SortedMap<String, StoredKey> fromGolden(Map<String, StoredValue> golden) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    golden.forEach((k, v) -> out.put(k, StoredValue.SET.equals(v.type())
        ? StoredKey.set(v.members(), v.ttl()) : StoredKey.hash(v.fields(), v.ttl())));
    return out;
  }

  /** The state {@code events} must leave on an empty Redis (by the in-memory plan interpreter; TTLs as set). */
  public static SortedMap<String, StoredKey> expected(UsageLayout layout, List<UsageEvent> events) {
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events) {
      model.apply(layout.plan(e));
    }
    return fromGolden(model.state());
  }

  /**
   * Asserts that no counter of {@code expected} is missing or lower in {@code actual} (no loss) and
   * no other key exists, and returns by how much the counters exceed it in total (over-counting).
   */
  public static long assertNoLossAndMeasureExcess(Map<String, StoredKey> actual, Map<String, StoredKey> expected) {
    assertThat(actual.keySet()).as("keys").containsExactlyInAnyOrderElementsOf(expected.keySet());
    return assertAtLeastAndMeasureExcess(actual, expected);
  }

  /**
   * Asserts that every counter of {@code expected} is present in {@code actual} with at least its value
   * ({@code actual} may have more keys and fields), and returns the total excess over it.
   */
  public static long assertAtLeastAndMeasureExcess(Map<String, StoredKey> actual, Map<String, StoredKey> expected) {
    assertThat(actual.keySet()).as("keys").containsAll(expected.keySet());
    long excess = 0;
    for (Map.Entry<String, StoredKey> e : expected.entrySet()) {
      StoredKey a = actual.get(e.getKey());
      assertThat(a.fields().keySet()).as(e.getKey()).containsAll(e.getValue().fields().keySet());
      assertThat(a.members()).as(e.getKey()).containsAll(e.getValue().members());
      for (Map.Entry<String, String> f : e.getValue().fields().entrySet()) {
        long want = Long.parseLong(f.getValue());
        long got = Long.parseLong(a.fields().get(f.getKey()));
        assertThat(got).as(e.getKey() + " " + f.getKey() + " (no loss)").isGreaterThanOrEqualTo(want);
        excess += got - want;
      }
    }
    return excess;
  }

  /** {@code state} with every TTL > 0 replaced by 0 (kept: -1, no expiry), for exact comparison of content. */
  public static SortedMap<String, StoredKey> withoutTtls(Map<String, StoredKey> state) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    state.forEach((k, v) -> out.put(k, v.ttl() > 0 ? v.withTtl(0) : v));
    return out;
  }

  /** The keys whose TTLs differ by more than {@code toleranceSeconds} (or expire in one but not the other). */
  public static List<String> ttlMismatches(Map<String, StoredKey> actual, Map<String, StoredKey> expected,
      long toleranceSeconds) {
    List<String> out = new ArrayList<>();
    expected.forEach((k, e) -> {
      StoredKey a = actual.get(k);
      if (a == null) {
        return;
      }
      boolean bothExpire = a.ttl() > 0 && e.ttl() > 0;
      if (bothExpire ? Math.abs(a.ttl() - e.ttl()) > toleranceSeconds : a.ttl() != e.ttl()) {
        out.add(k + ": ttl " + a.ttl() + ", expected " + e.ttl());
      }
    });
    return out;
  }

  /**
   * The TTL drift the state comparisons allow: generous, since a loaded 2-core CI machine may take many
   * seconds between two writes of the same key; TTLs are days or minutes long, so 30 s still tells a
   * wrong TTL from a late one.
   */
  public static final long TTL_TOLERANCE_SECONDS = 30;

  /**
   * The TTL drift allowed between the states of two runs of the same workload one after the other:
   * a key's TTL also drifts by the difference of the runs' durations, which on a loaded machine
   * adds tens of seconds.
   */
  public static final long CROSS_RUN_TTL_TOLERANCE_SECONDS = 90;

  /** Asserts same keys, same content, TTLs within {@code toleranceSeconds}. */
  public static void assertSameState(Map<String, StoredKey> actual, Map<String, StoredKey> expected,
      long toleranceSeconds, String what) {
    assertThat(actual.keySet()).as(what + ": keys").containsExactlyElementsOf(new TreeMap<>(expected).keySet());
    assertThat(withoutTtls(actual)).as(what + ": content").isEqualTo(withoutTtls(expected));
    assertThat(ttlMismatches(actual, expected, toleranceSeconds)).as(what + ": TTLs within " + toleranceSeconds + " s").isEmpty();
  }
}
