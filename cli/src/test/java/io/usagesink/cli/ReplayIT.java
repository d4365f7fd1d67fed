package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.cli.compare.RedisAdmin;
import io.usagesink.cli.compare.RedisState;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.golden.PlanInterpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("replay against a real Redis")
class ReplayIT {

  private static RedisServer redis;

  /**
   * What the 300 events must leave: the test kit's plan interpreter over the layout's plans, not a
   * replay.
   */
  private static RedisState expectedState;

  @TempDir static Path dir;

  private static Path events;

  @BeforeAll
  static void start() throws Exception {
    redis = Fixture.redis();
    List<UsageEvent> seed = Fixture.seedDay(300);
    events = Fixture.write(dir.resolve("seed-day-300.jsonl"), seed);
    expectedState = interpreted(seed);
    assertThat(expectedState.size()).isGreaterThan(100);
  }

  /**
   * The state {@code events} leave by the test kit's plan interpreter (CRS layout, UTC: replay's
   * defaults).
   */
  private static RedisState interpreted(List<UsageEvent> events) {
    UsageLayout layout = UsageLayouts.crs(SinkConfig.builder().zone(ZoneOffset.UTC).build());
    PlanInterpreter model = new PlanInterpreter();
    events.forEach(e -> model.apply(layout.plan(e)));
    return Fixture.state(model.state());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() {
    redis.flushAll();
  }

  private static Cli.Result replay(String backend, String... more) {
    String[] base = {
      "replay",
      "--backend",
      backend,
      "--redis",
      redis.authenticatedUri(),
      "--input",
      events.toString(),
      "--clock",
      "events"
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return Cli.run(args);
  }

  private static RedisState dump() {
    try (RedisAdmin admin =
        RedisAdmin.open(SinkConfig.builder().redisUri(redis.authenticatedUri()).build())) {
      return admin.dump();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"redis-pipeline", "redis-lua", "buffered"})
  void everyRedisBackendLeavesTheInterpretedState(String backend) {
    Cli.Result r = replay(backend, "--flush-interval", "60s");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsPattern("events read +300\n")
        .containsPattern("recorded +300\n")
        .containsPattern("stored +300\n")
        .containsPattern("failed +0\n");
    assertThat(dump().differences(expectedState, 30, 5)).isEmpty();
  }

  @Test
  void whatAReplayLeftInItsJournalIsStoredByReplayJournalWithAnEmptyInputOnceAndExactly(
      @TempDir Path journal) {
    // Redis unreachable: nothing is stored, the batch stays in the journal at the close deadline
    Cli.Result left =
        Cli.run(
            "replay",
            "--backend",
            "buffered",
            "--redis",
            "redis://127.0.0.1:1",
            "--input",
            events.toString(),
            "--clock",
            "events",
            "--journal",
            journal.toString(),
            "--close-timeout",
            "2s");
    assertThat(left.exitCode()).as(left.toString()).isEqualTo(1);
    assertThat(left.out())
        .containsPattern("recorded +300\n")
        .containsPattern("stored +0\n")
        .containsPattern("failed +0\n")
        .containsPattern("deferred +300\n")
        .containsPattern("pending +0\n");
    assertSummaryAddsUp(left.out());
    assertThat(left.err())
        .contains(
            "300 events were not stored by the close deadline and stay in the journal "
                + journal.toAbsolutePath()
                + "; they are not lost: the next sink opened on that directory stores them")
        .contains("300 deferred");

    Cli.Result recovered =
        Cli.run(
            "replay",
            "--backend",
            "buffered",
            "--redis",
            redis.authenticatedUri(),
            "--journal",
            journal.toString(),
            "--input",
            "/dev/null");
    assertThat(recovered.exitCode()).as(recovered.toString()).isZero();
    assertThat(recovered.out())
        .containsPattern("events read +0\n")
        .containsPattern("recorded +300\n")
        .containsPattern("stored +300\n")
        .containsPattern("failed +0\n")
        .containsPattern("deferred +0\n")
        .contains("journal ");
    assertSummaryAddsUp(recovered.out());
    assertThat(dump().differences(expectedState, 30, 5)).isEmpty();

    Cli.Result again =
        Cli.run(
            "replay",
            "--backend",
            "buffered",
            "--redis",
            redis.authenticatedUri(),
            "--journal",
            journal.toString(),
            "--input",
            "/dev/null");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).containsPattern("recorded +0\n");
    assertThat(dump().differences(expectedState, 30, 5))
        .as("recovering twice changes nothing")
        .isEmpty();
  }

  /**
   * The summary's counts of one replay: {@code recorded = stored + failed + dropped + deferred}.
   */
  private static void assertSummaryAddsUp(String out) {
    assertThat(row(out, "pending")).as(out).isZero();
    assertThat(row(out, "stored") + row(out, "failed") + row(out, "dropped") + row(out, "deferred"))
        .as("stored + failed + dropped + deferred in%n%s", out)
        .isEqualTo(row(out, "recorded"));
  }

  private static long row(String out, String name) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^" + name + " +(\\d+)$").matcher(out);
    assertThat(m.find()).as("row %s in%n%s", name, out).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void journalNeedsTheBufferedBackend(@TempDir Path journal) {
    Cli.Result r = replay("redis-lua", "--journal", journal.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--journal needs --backend buffered");
  }

  @Test
  void bufferedOnTheEventClockFlushesAsSimulatedTimePasses() {
    Cli.Result r = replay("buffered", "--flush-interval", "1h");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    // 300 events over one simulated day with an hourly interval: about one flush per hour, not one
    // at close
    assertThat(r.out()).containsPattern("flushes +(1[5-9]|2[0-9])\n");
    assertThat(dump().differences(expectedState, 30, 5)).isEmpty();
  }

  @Test
  void noopWritesNothingAndSucceeds() {
    Cli.Result r = replay("noop");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void aBadLineExitsTwoAndWritesNothing() throws Exception {
    Path bad = dir.resolve("bad.jsonl");
    String good = Files.readString(events);
    Files.writeString(
        bad, good + "{\"at\":\"2025-08-15T10:00:00Z\",\"keyId\":\"k\",\"outputTokens\":-1}\n");
    Cli.Result r =
        Cli.run(
            "replay",
            "--backend",
            "redis-pipeline",
            "--redis",
            redis.authenticatedUri(),
            "--input",
            bad.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("line 301: outputTokens: must be >= 0 but was -1")
        .contains("nothing was recorded");
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void anUnreachableRedisExitsOneWithoutThePassword() {
    Cli.Result r =
        Cli.run(
            Map.of(),
            "",
            "replay",
            "--backend",
            "redis-lua",
            "--redis",
            "redis://app:pa55-w0rd@127.0.0.1:1",
            "--input",
            events.toString(),
            // nothing can be stored: a short close deadline (the default would wait 30 s) reaches
            // the same exit and messages
            "--close-timeout",
            "2s");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("redis://app:***@127.0.0.1:1");
    assertThat(r.out() + r.err()).doesNotContain("pa55-w0rd");
  }

  @Test
  void redisUrlFromTheEnvironmentIsUsedWhenNoOptionIsGiven() {
    Cli.Result r =
        Cli.run(
            Map.of("REDIS_URL", redis.authenticatedUri()),
            "",
            "replay",
            "--backend",
            "redis-lua",
            "--input",
            events.toString(),
            "--clock",
            "events");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(dump().differences(expectedState, 30, 5)).isEmpty();
  }

  @Test
  void dataNotStoredWithinTheCloseTimeoutExitsOne() throws Exception {
    // paused far longer than any replay takes on a loaded machine; ended explicitly once replay
    // returned
    redis.pauseWrites(
        java.time.Duration.ofMinutes(5)); // connecting (HELLO, INFO) still works; the HINCRBYs wait
    try {
      // the sink's connection check waits on the paused server for a command timeout before it
      // retries in the background: 2 s instead of the default 10 s, still far beyond the close
      // timeout, so it is the close deadline that leaves the events unstored
      Cli.Result r =
          Cli.run(
              Map.of("USAGESINK_COMMAND_TIMEOUT", "2s"),
              "",
              "replay",
              "--backend",
              "redis-pipeline",
              "--redis",
              redis.authenticatedUri(),
              "--input",
              events.toString(),
              "--clock",
              "events",
              "--close-timeout",
              "300ms");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).contains("replay: not all data was stored: ").contains("failed");
      assertThat(r.out())
          .containsPattern("events read +300\n")
          .doesNotContainPattern("failed +0\n");
    } finally {
      redis.command("CLIENT", "UNPAUSE");
      redis.flushAll();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"redis-pipeline", "redis-lua"})
  void aPoisonedKeyExitsOneAndSaysWhy(String backend) {
    String key =
        expectedState.keys().keySet().stream()
            .filter(k -> !k.startsWith("usagesink:"))
            .findFirst()
            .orElseThrow();
    redis.command("SET", key, "not a hash");
    Cli.Result r = replay(backend, "--close-timeout", "5s");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("recorded +(\\d+)\nstored +(\\d+)\nfailed +(\\d+)\n")
            .matcher(r.out());
    assertThat(m.find()).as(r.toString()).isTrue();
    long recorded = Long.parseLong(m.group(1));
    long stored = Long.parseLong(m.group(2));
    long failed = Long.parseLong(m.group(3));
    assertThat(failed).as(r.toString()).isPositive();
    assertThat(stored + failed).as(r.toString()).isEqualTo(recorded);
    // the reasons (UsageSink.failureReasons, or the first failed record() stage) name the error
    assertThat(r.err()).contains("replay: not all data was stored: ").contains("WRONGTYPE");
  }
}
