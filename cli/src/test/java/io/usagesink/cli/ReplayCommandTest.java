package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkStats;
import io.usagesink.cli.events.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("replay without Redis (noop backend)")
class ReplayCommandTest {

  private static final String LINE =
      "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\",\"inputTokens\":5}\n";

  @TempDir Path dir;

  @Test
  void noopRecordsEveryEventFromStdinAndSucceeds() {
    Cli.Result r = Cli.run(Map.of(), LINE.repeat(3), "replay", "--backend", "noop", "--input", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("replayed standard input through noop into (no Redis) (clock: wall)")
        .containsPattern("events read +3\n")
        .containsPattern("recorded +3\n")
        .containsPattern("dropped +3\n")
        .containsPattern("commands +0\n")
        .containsPattern("round trips +0\n")
        .containsPattern("elapsed +[0-9.]+ s\n")
        .containsPattern("events/s +[0-9.]+\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aBadLineExitsTwoNamingItAndRecordsNothing() throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(
        f,
        LINE
            + "{\"at\":\"yesterday\",\"keyId\":\"k\"}\n"
            + LINE
            + "{\"keyId\":\"k\",\"inputTokens\":-1,"
            + "\"at\":\"2025-07-31T16:30:00Z\"}\n");
    Cli.Result r = Cli.run("replay", "--backend", "noop", "--input", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("line 2: at: must be an ISO-8601 instant with an offset")
        .contains("line 4: inputTokens: must be >= 0 but was -1")
        .contains("replay: 2 bad lines in " + f + "; nothing was recorded");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aBadLineFailsBeforeTheBackendIsOpened() {
    // an unknown backend would fail at open; the bad input is reported first, so nothing was opened
    Cli.Result r =
        Cli.run(
            Map.of(),
            "{\"at\":\"2025-07-31T16:30:00Z\"}\n",
            "replay",
            "--backend",
            "no-such-backend",
            "--input",
            "-");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("line 1: keyId: keyId and accountId are both absent")
        .doesNotContain("no-such-backend");
  }

  @Test
  void anUnknownBackendIsAConfigurationErrorListingTheAvailableOnes() {
    Cli.Result r =
        Cli.run(Map.of(), LINE, "replay", "--backend", "no-such-backend", "--input", "-");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("usagesink replay: ")
        .contains("no-such-backend")
        .contains("redis-lua");
  }

  @Test
  void aMissingFileIsAUsageError() {
    Cli.Result r =
        Cli.run("replay", "--backend", "noop", "--input", dir.resolve("nope.jsonl").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--input " + dir.resolve("nope.jsonl") + ": no such file");
  }

  @Test
  void eventClockAndRateAreAccepted() {
    Cli.Result r =
        Cli.run(
            Map.of(),
            LINE.repeat(5),
            "replay",
            "--backend",
            "noop",
            "--input",
            "-",
            "--clock",
            "events",
            "--rate",
            "1000");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(clock: events, rate: 1000 events/s)");
  }

  @Test
  void aRedisPasswordNeverAppearsInTheOutput() {
    Cli.Result r =
        Cli.run(
            Map.of(),
            LINE,
            "replay",
            "--backend",
            "noop",
            "--input",
            "-",
            "--redis",
            "redis://app:s3cr3t-pw@127.0.0.1:1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("redis://app:***@127.0.0.1:1");
    assertThat(r.out() + r.err()).doesNotContain("s3cr3t-pw");
  }

  private static Recorder.Outcome outcome(long offered, SinkStats s) {
    return new Recorder.Outcome(
        offered, offered, 0, 0, new Histogram(3), Duration.ZERO, Duration.ZERO, s, null);
  }

  @Test
  void onlyEveryRecordedEventStoredIsSuccess() {
    // recorded, rejected, stored, pending, failed, dropped, commands, roundTrips, flushes, retries
    assertThat(outcome(10, new SinkStats(10, 0, 10, 0, 0, 0, 10, 10, 0, 0)).problems("redis-lua"))
        .isEmpty();
    assertThat(outcome(10, new SinkStats(10, 0, 0, 0, 0, 10, 0, 0, 0, 0)).problems("noop"))
        .isEmpty();
    assertThat(outcome(10, new SinkStats(10, 0, 6, 0, 4, 0, 10, 10, 0, 0)).problems("buffered"))
        .containsExactly("4 failed");
    assertThat(outcome(10, new SinkStats(8, 2, 8, 0, 0, 0, 8, 8, 0, 0)).problems("buffered"))
        .containsExactly("2 rejected");
    assertThat(outcome(10, new SinkStats(10, 0, 7, 0, 0, 0, 8, 8, 0, 0)).problems("redis-pipeline"))
        .containsExactly("only 7 of 10 recorded events were confirmed stored");
    assertThat(outcome(10, new SinkStats(9, 0, 9, 0, 0, 0, 8, 8, 0, 0)).problems("redis-pipeline"))
        .containsExactly("1 events offered but neither recorded nor rejected");
    // deferred (last): kept in the journal for the next sink; not stored yet, not lost
    assertThat(outcome(10, new SinkStats(10, 0, 6, 0, 0, 0, 8, 8, 0, 0, 4)).problems("buffered"))
        .containsExactly(
            "4 deferred (not stored by the close deadline but kept in the journal: the next sink"
                + " opened on it stores them)");
  }

  @Test
  void failureReasonsAreAShortListMostFrequentFirst() {
    assertThat(ReplayCommand.reasonLines(Map.of(), 10)).isEmpty();
    assertThat(
            ReplayCommand.reasonLines(
                Map.of(
                    "usage:k1: WRONGTYPE Operation against a key holding the wrong "
                        + "kind of value",
                    400L,
                    "closed before stored",
                    1L),
                10))
        .containsExactly(
            "  400 events: usage:k1: WRONGTYPE Operation against a key holding the wrong kind of"
                + " value",
            "  1 event: closed before stored");
    Map<String, Long> many = new HashMap<>();
    for (int i = 1; i <= 25; i++) {
      many.put("usage:k" + i + ": WRONGTYPE\nsecond line", (long) i * 1000);
    }
    List<String> lines = ReplayCommand.reasonLines(many, 10);
    assertThat(lines).hasSize(10);
    assertThat(lines.get(0)).isEqualTo("  25,000 events: usage:k25: WRONGTYPE second line");
    assertThat(lines.get(8)).startsWith("  17,000 events: usage:k17:");
    assertThat(lines.get(9)).isEqualTo("  ... and 16 more reasons (136,000 events)");
  }

  @Test
  void standardInputIsSpooledAndDeletedAfterwards() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = spools(tmp);
    Cli.Result r =
        Cli.run(Map.of(), LINE.repeat(1000), "replay", "--backend", "noop", "--input", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).containsPattern("events read +1000\n").containsPattern("dropped +1000\n");
    assertThat(spools(tmp)).isEqualTo(before);
  }

  private static List<Path> spools(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("usagesink-replay-"))
          .sorted()
          .toList();
    }
  }

  @Test
  void aLineOverTheLimitIsNamedNotCalledTrailingContent() throws Exception {
    Path f = dir.resolve("long.jsonl");
    Files.writeString(
        f,
        LINE
            + "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\""
            + "k".repeat(2 << 20)
            + "\"}\n"
            + "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"inputTokens\":"
            + "1".repeat(1200)
            + "}\n");
    Cli.Result r = Cli.run("replay", "--backend", "noop", "--input", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("line 2: json: line longer than 1048576 bytes")
        .contains(
            "line 3: inputTokens: number too large (more than 1000 characters); must be an integer"
                + " between 0 and 9223372036854775807")
        .doesNotContain("unexpected content");
  }

  @Test
  void helpSaysWhatEachExitCodeMeans() {
    Cli.Result r = Cli.run("replay", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains("0 every recorded event stored")
        .contains("1 something was not stored")
        .contains("2 bad options or input")
        .contains("130 stopped by SIGINT")
        .contains("143 stopped by SIGTERM")
        .contains("1048576 bytes")
        .contains("--progress");
  }
}
