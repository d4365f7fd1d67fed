package io.usagesink.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.StateDump;
import io.usagesink.testkit.redis.StoredKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Comparison of stored Redis states in the test kit's model ({@link StoredKey}, {@link StateDump});
 * {@link #fromReader} converts what the library's {@code UsageReader.dump()} returns.
 */
public final class States {
  private States() {}

  /**
   * The library reader's dump ({@link io.usagesink.redis.read.UsageReader#dump()}) in the test
   * kit's model.
   */
  public static SortedMap<String, StoredKey> fromReader(
      Map<String, io.usagesink.redis.read.StoredKey> dump) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    dump.forEach(
        (k, v) -> out.put(k, new StoredKey(v.type(), v.fields(), v.members(), v.value(), v.ttl())));
    return out;
  }

  /**
   * The state {@code events} must leave on an empty Redis (by the in-memory plan interpreter; TTLs
   * as set).
   */
  public static SortedMap<String, StoredKey> expected(UsageLayout layout, List<UsageEvent> events) {
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events) {
      model.apply(layout.plan(e));
    }
    return model.state();
  }

  /**
   * Asserts that every counter of {@code expected} is present in {@code actual} with at least its
   * value ({@code actual} may have more keys and fields), and returns the total excess over it.
   */
  public static long assertAtLeastAndMeasureExcess(
      Map<String, StoredKey> actual, Map<String, StoredKey> expected) {
    assertThat(actual.keySet()).as("keys").containsAll(expected.keySet());
    long excess = 0;
    for (Map.Entry<String, StoredKey> e : expected.entrySet()) {
      StoredKey a = actual.get(e.getKey());
      assertThat(a.fields().keySet()).as(e.getKey()).containsAll(e.getValue().fields().keySet());
      assertThat(a.members()).as(e.getKey()).containsAll(e.getValue().members());
      for (Map.Entry<String, String> f : e.getValue().fields().entrySet()) {
        long want = Long.parseLong(f.getValue());
        long got = Long.parseLong(a.fields().get(f.getKey()));
        assertThat(got)
            .as(e.getKey() + " " + f.getKey() + " (no loss)")
            .isGreaterThanOrEqualTo(want);
        excess += got - want;
      }
    }
    return excess;
  }

  /**
   * The TTL drift the state comparisons allow: generous, since a loaded 2-core CI machine may take
   * many seconds between two writes of the same key; TTLs are days or minutes long, so 30 s still
   * tells a wrong TTL from a late one.
   */
  public static final long TTL_TOLERANCE_SECONDS = 30;

  /**
   * The TTL drift allowed between the states of two runs of the same workload one after the other:
   * a key's TTL also drifts by the difference of the runs' durations, which on a loaded machine
   * adds tens of seconds.
   */
  public static final long CROSS_RUN_TTL_TOLERANCE_SECONDS = 90;

  /**
   * Asserts same keys, same content, TTLs within {@code toleranceSeconds}; the failure lists the
   * differences.
   */
  public static void assertSameState(
      Map<String, StoredKey> actual,
      Map<String, StoredKey> expected,
      long toleranceSeconds,
      String what) {
    StateDump.of(actual)
        .diff(StateDump.of(expected), Duration.ofSeconds(toleranceSeconds))
        .assertNone(what);
  }
}
