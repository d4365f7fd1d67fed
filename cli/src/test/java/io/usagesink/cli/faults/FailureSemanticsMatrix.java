package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.StoredKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The failure-semantics matrix of issue 8 for one topology (a subclass gives the Redis): each Redis
 * write path ({@link Backend}) against a WRONGTYPE key, an overflowing counter, an OOM episode that
 * ends, and an ACL user without scripting. Every test checks stored + failed == recorded (nothing
 * dropped, rejected or pending), that Redis holds exactly what that outcome says (expected states
 * from the plan interpreter, never from a sink), and that the fault really hit (failed > 0, retries
 * > 0, an error at open).
 */
abstract class FailureSemanticsMatrix {
  static final String POISONED = "usage:k1";
  static final String NEAR_MAX = "9223372036854775800";

  /** A short close: the tests that expect failures must not wait 30 s for a deadline. */
  static final Duration SHORT_CLOSE = Duration.ofSeconds(10);

  static final Duration OOM_EPISODE_CLOSE = Duration.ofSeconds(60);
  static final String ACL_USER = "faults-noscript";
  static final String ACL_PASSWORD = "faults-pw";

  /** A config pointing at this topology's Redis, no backend chosen yet. */
  abstract SinkConfig.Builder base();

  /** This topology's URI with {@code user:password@}. */
  abstract String uriWithUser(String user, String password);

  /** The master owning {@code key}. */
  abstract RedisServer nodeFor(String key);

  /** Every master. */
  abstract List<RedisServer> nodes();

  /** The topology's name for assertion messages. */
  abstract String topology();

  private SinkConfig config(Backend backend, Duration closeTimeout) {
    return backend.configure(base()).closeTimeout(closeTimeout).shutdownHook(false).build();
  }

  private String what(Backend backend, String scenario) {
    return scenario + " through " + backend + " on " + topology();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void aWrongTypeKeyFailsExactlyItsEventsAndEverythingElseIsStoredOnce(Backend backend)
      throws Exception {
    List<UsageEvent> events = FaultWorkload.events(1, 300);
    List<UsageEvent> poisoned = FaultWorkload.ofKey(events, "k1");
    assertThat(poisoned).isNotEmpty();
    nodeFor(POISONED).command("SET", POISONED, "x");
    SinkConfig config = config(backend, SHORT_CLOSE);
    SinkRun.Outcome o;
    try (UsageSink sink = UsageSinks.open(config)) {
      o = new SinkRun(sink).record(events).close();
    }
    String what = what(backend, "WRONGTYPE " + POISONED);
    System.out.println(what + ": " + o);
    SortedMap<String, StoredKey> expected = new TreeMap<>(Expected.state(config, events));
    expected.put(POISONED, new StoredKey("string", new TreeMap<>(), List.of(), "x", -1));
    SortedMap<String, StoredKey> actual = Expected.dump(nodes());
    new Checks()
        .check(() -> o.assertAccounted(events.size()))
        .check(() -> assertPoisonedKeyReported(o, poisoned.size(), backend, what))
        .check(
            () ->
                Expected.assertSameState(
                    actual,
                    expected,
                    what
                        + " (every update but "
                        + POISONED
                        + "'s applied once; "
                        + POISONED
                        + " still the string x)"))
        .done();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void anOverflowingCounterFailsExactlyItsEvents(Backend backend) throws Exception {
    List<UsageEvent> events = FaultWorkload.events(2, 300);
    List<UsageEvent> poisoned = FaultWorkload.ofKey(events, "k1");
    assertThat(poisoned).isNotEmpty();
    nodeFor(POISONED).command("HSET", POISONED, "totalInputTokens", NEAR_MAX);
    SinkConfig config = config(backend, SHORT_CLOSE);
    SinkRun.Outcome o;
    try (UsageSink sink = UsageSinks.open(config)) {
      o = new SinkRun(sink).record(events).close();
    }
    String what = what(backend, "HINCRBY overflow on " + POISONED + " totalInputTokens");
    System.out.println(what + ": " + o);
    SortedMap<String, StoredKey> expected = new TreeMap<>(Expected.state(config, events));
    String k1State;
    if (backend.lua) {
      k1State = POISONED + " unchanged (the script undoes every update of the poisoned key)";
      expected.put(POISONED, StoredKey.hash(java.util.Map.of("totalInputTokens", NEAR_MAX), -1));
    } else {
      // plain commands: only the overflowing HINCRBY is refused; the other fields of usage:k1 are
      // applied
      k1State =
          POISONED
              + " partly applied: every field but totalInputTokens holds the sum of k1's events"
              + " (pipelined HINCRBYs are independent), totalInputTokens stays "
              + NEAR_MAX;
      java.util.Map<String, String> fields = new TreeMap<>(expected.get(POISONED).fields());
      fields.put("totalInputTokens", NEAR_MAX);
      expected.put(POISONED, StoredKey.hash(fields, -1));
    }
    SortedMap<String, StoredKey> actual = Expected.dump(nodes());
    String state = what + ": every other key exact; " + k1State;
    new Checks()
        .check(() -> o.assertAccounted(events.size()))
        .check(() -> assertPoisonedKeyReported(o, poisoned.size(), backend, what))
        .check(() -> Expected.assertSameState(actual, expected, state))
        .done();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void anOomEpisodeThatEndsLosesNothingAndCountsNothingTwice(Backend backend) throws Exception {
    List<UsageEvent> before = FaultWorkload.events(3, 100);
    List<UsageEvent> during = FaultWorkload.events(4, 150);
    SinkConfig config =
        backend
            .configure(base())
            .closeTimeout(OOM_EPISODE_CLOSE)
            .shutdownHook(false)
            .flushInterval(Duration.ofMillis(200))
            .build();
    SinkRun.Outcome o;
    try (UsageSink sink = UsageSinks.open(config)) {
      SinkRun run = new SinkRun(sink).record(before).awaitStages();
      sink.flush().toCompletableFuture().get(SinkRun.STAGE_DEADLINE_SECONDS, TimeUnit.SECONDS);
      assertThat(sink.stats().failed()).as("before the episode").isZero();
      setMaxmemory("1");
      try {
        run.recordPaced(during, 20); // about 3 s of traffic against a server that refuses to grow
      } finally {
        setMaxmemory("0");
      }
      o = run.close();
    }
    List<UsageEvent> all = new ArrayList<>(before);
    all.addAll(during);
    String what = what(backend, "OOM episode (maxmemory 1 for ~3 s)");
    System.out.println(what + ": " + o);
    SortedMap<String, StoredKey> actual = Expected.dump(nodes());
    new Checks()
        .check(() -> o.assertAccounted(all.size()))
        .check(
            () -> assertThat(o.stats().failed()).as(what + ": failed (OOM is transient)").isZero())
        .check(
            () ->
                assertThat(o.stats().retries())
                    .as(what + ": retries (the OOM replies were seen)")
                    .isPositive())
        .check(
            () -> Expected.assertSameState(actual, Expected.state(config, all), what + ": exact"))
        .done();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void anAclUserWithoutScriptingIsRefusedAtOpenByLuaWritersOnly(Backend backend) throws Exception {
    for (RedisServer node : nodes()) {
      node.command(
          "ACL",
          "SETUSER",
          ACL_USER,
          "reset",
          "on",
          ">" + ACL_PASSWORD,
          "~*",
          "&*",
          "+@all",
          "-evalsha",
          "-eval",
          "-script");
    }
    try {
      SinkConfig config =
          backend
              .configure(base())
              .redisUri(uriWithUser(ACL_USER, ACL_PASSWORD))
              .closeTimeout(SHORT_CLOSE)
              .shutdownHook(false)
              .build();
      String what = what(backend, "ACL user without EVAL/EVALSHA/SCRIPT");
      if (backend.lua) {
        assertThatThrownBy(() -> UsageSinks.open(config).close())
            .as(what + ": open")
            .satisfies(
                e ->
                    assertThat(e.toString())
                        .as(what + ": the message names the missing command")
                        .containsPattern("(?i)\\b(evalsha|eval|script( load)?)\\b")
                        .containsIgnoringCase("NOPERM"));
        return;
      }
      List<UsageEvent> events = FaultWorkload.events(5, 100);
      SinkRun.Outcome o;
      try (UsageSink sink = UsageSinks.open(config)) {
        o = new SinkRun(sink).record(events).close();
      }
      System.out.println(what + ": " + o);
      o.assertAccounted(events.size());
      assertThat(o.stats().failed()).as(what + ": failed").isZero();
      Expected.assertSameState(
          Expected.dump(nodes()), Expected.state(config, events), what + ": exact");
    } finally {
      for (RedisServer node : nodes()) {
        node.command("ACL", "DELUSER", ACL_USER);
      }
    }
  }

  private void setMaxmemory(String value) {
    for (RedisServer node : nodes()) {
      node.command("CONFIG", "SET", "maxmemory", value);
    }
  }

  private static void assertPoisonedKeyReported(
      SinkRun.Outcome o, int poisonedEvents, Backend backend, String what) {
    assertThat(o.stats().failed())
        .as(what + ": failed == the poisoned key's events")
        .isEqualTo(poisonedEvents);
    assertThat(o.stats().stored())
        .as(what + ": stored == every other event")
        .isEqualTo(o.stats().recorded() - poisonedEvents);
    assertThat(o.reasons()).as(what + ": failure reasons").isNotEmpty();
    assertThat(o.reasons().keySet())
        .as(what + ": every reason names " + POISONED)
        .allSatisfy(r -> assertThat(r).containsPattern(POISONED + "(?!\\w|:\\w)"));
    assertThat(o.reasons().values().stream().mapToLong(Long::longValue).sum())
        .as(what + ": events per reason")
        .isEqualTo(poisonedEvents);
    if (!backend.buffered()) {
      assertThat(o.exceptionalStages())
          .as(what + ": record stages completed exceptionally")
          .isEqualTo(poisonedEvents);
    }
  }
}
