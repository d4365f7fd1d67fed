package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("replay without Redis (noop backend)")
class ReplayCommandTest {

  private static final String LINE = "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\",\"inputTokens\":5}\n";

  @TempDir
  Path dir;

  @Test
  void noopRecordsEveryEventFromStdinAndSucceeds() {
    Cli.Result r = Cli.run(Map.of(), LINE.repeat(3), "replay", "--backend", "noop", "--input", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("replayed standard input through noop into (no Redis) (clock: wall)")
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
    Files.writeString(f, LINE + "{\"at\":\"yesterday\",\"keyId\":\"k\"}\n" + LINE + "{\"keyId\":\"k\",\"inputTokens\":-1," + "\"at\":\"2025-07-31T16:30:00Z\"}\n");
    Cli.Result r = Cli.run("replay", "--backend", "noop", "--input", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("line 2: at: must be an ISO-8601 instant with an offset")
        .contains("line 4: inputTokens: must be >= 0 but was -1")
        .contains("replay: 2 bad lines in " + f + "; nothing was recorded");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aBadLineFailsBeforeTheBackendIsOpened() {
    // an unknown backend would fail at open; the bad input is reported first, so nothing was opened
    Cli.Result r = Cli.run(Map.of(), "{\"at\":\"2025-07-31T16:30:00Z\"}\n", "replay", "--backend", "no-such-backend",
        "--input", "-");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("line 1: keyId: keyId and accountId are both absent").doesNotContain("no-such-backend");
  }

  @Test
  void anUnknownBackendIsAConfigurationErrorListingTheAvailableOnes() {
    Cli.Result r = Cli.run(Map.of(), LINE, "replay", "--backend", "no-such-backend", "--input", "-");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("usagesink replay: ").contains("no-such-backend").contains("redis-lua");
  }

  @Test
  void aMissingFileIsAUsageError() {
    Cli.Result r = Cli.run("replay", "--backend", "noop", "--input", dir.resolve("nope.jsonl").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--input " + dir.resolve("nope.jsonl") + ": no such file");
  }

  @Test
  void eventClockAndRateAreAccepted() {
    Cli.Result r = Cli.run(Map.of(), LINE.repeat(5), "replay", "--backend", "noop", "--input", "-",
        "--clock", "events", "--rate", "1000");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(clock: events, rate: 1000 events/s)");
  }

  @Test
  void aRedisPasswordNeverAppearsInTheOutput() {
    Cli.Result r = Cli.run(Map.of(), LINE, "replay", "--backend", "noop", "--input", "-",
        "--redis", "redis://app:s3cr3t-pw@127.0.0.1:1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("redis://app:***@127.0.0.1:1");
    assertThat(r.out() + r.err()).doesNotContain("s3cr3t-pw");
  }
}
