package io.usagesink.cli.faults;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.StateDump;
import io.usagesink.testkit.redis.StoredKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Expected Redis states computed without any sink (the testkit's plan interpreter over the layout's
 * plans), the stored state read back from Redis (the test kit's {@link StateDump}), and their
 * comparison with a TTL tolerance.
 */
final class Expected {
  /**
   * TTL drift allowed between a key written by the sink and the interpreter's TTL (a loaded 2-core
   * machine).
   */
  static final long TTL_TOLERANCE_SECONDS = 30;

  private Expected() {}

  /** The state {@code events} leave on an empty Redis, every update applied once (TTLs as set). */
  static SortedMap<String, StoredKey> state(SinkConfig config, List<UsageEvent> events) {
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events) {
      model.apply(UsageLayouts.crs(config).plan(e));
    }
    return model.state();
  }

  /**
   * Every statistics key on {@code nodes} now (the bookkeeping prefix {@code usagesink:} left out),
   * read over the test kit's admin connections ({@link StateDump#read}), not through our reader.
   */
  static SortedMap<String, StoredKey> dump(List<RedisServer> nodes) {
    SortedMap<String, StoredKey> out = new TreeMap<>();
    for (RedisServer node : nodes) {
      out.putAll(
          StateDump.read(node)
              .filter(k -> !k.startsWith(LayoutSettings.DEFAULT_KEY_PREFIX))
              .keys());
    }
    return out;
  }

  /**
   * Asserts same keys, same contents, TTLs within {@value #TTL_TOLERANCE_SECONDS} s; lists the
   * first differences.
   */
  static void assertSameState(
      Map<String, StoredKey> actual, Map<String, StoredKey> expected, String what) {
    assertSameState(actual, expected, what, TTL_TOLERANCE_SECONDS);
  }

  /** As {@link #assertSameState(Map, Map, String)} with TTLs within {@code ttlToleranceSeconds}. */
  static void assertSameState(
      Map<String, StoredKey> actual,
      Map<String, StoredKey> expected,
      String what,
      long ttlToleranceSeconds) {
    StateDump.of(actual)
        .diff(StateDump.of(expected), Duration.ofSeconds(ttlToleranceSeconds))
        .assertNone(what);
  }
}
