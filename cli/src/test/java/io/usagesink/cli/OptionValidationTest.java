package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("bad options exit 2 naming the option, the value and what is allowed")
class OptionValidationTest {

  @TempDir static Path dir;

  private static String events() throws Exception {
    Path f = dir.resolve("events.jsonl");
    if (!Files.exists(f)) {
      Files.writeString(f, "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"}\n");
    }
    return f.toString();
  }

  @ParameterizedTest(name = "replay {0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--rate|abc|Invalid value for option '--rate': 'abc' is not a number; use a positive number"
            + " of events per second, e.g. 500",
        "--rate|0|Invalid value for option '--rate': '0' must be a positive number of events per"
            + " second, e.g. 500",
        "--clock|sundial|Invalid value for option '--clock': expected one of [wall, events]"
            + " (case-insensitive) but was 'sundial'",
        "--flush-interval|abc|Invalid value for option '--flush-interval': 'abc' is not a duration"
            + " like 500ms, 60s, 5m, 1h or PT1S",
        "--flush-interval|-1s|Invalid value for option '--flush-interval': '-1s' must be a positive"
            + " duration, a duration like 500ms, 60s, 5m, 1h or PT1S",
        "--close-timeout|0s|Invalid value for option '--close-timeout': '0s' must be a positive"
            + " duration, a duration like 500ms, 60s, 5m, 1h or PT1S",
        "--zone|Mars/Olympus|Invalid value for option '--zone': 'Mars/Olympus' is not a zone; use"
            + " UTC, an offset like +08:00, or a region like Asia/Shanghai",
      })
  void replayOptionIsRejected(String option, String value, String message) throws Exception {
    Cli.Result r = Cli.run("replay", "--backend", "noop", "--input", events(), option, value);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .as(r.toString())
        .contains(message)
        .contains("Try 'usagesink replay --help'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void redisUriWithAnotherSchemeIsRejectedWithThePasswordMasked() throws Exception {
    Cli.Result r =
        Cli.run(
            "replay",
            "--backend",
            "noop",
            "--input",
            events(),
            "--redis",
            "http://u:hunter2@host:6379");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid value for option '--redis'")
        .contains("***")
        .doesNotContain("hunter2");
  }

  @Test
  void replayWithoutBackendSaysItIsRequired() throws Exception {
    Cli.Result r = Cli.run("replay", "--input", events());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--backend=NAME'");
  }

  @Test
  void unknownOptionIsNamed() {
    Cli.Result r = Cli.run("compare", "--colour", "red");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown options: '--colour', 'red'");
  }

  @ParameterizedTest(name = "compare {0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--workload|nightly|Invalid value for option '--workload' (seed-day|busy|FILE.jsonl):"
            + " 'nightly' is neither seed-day, busy nor a readable JSON-lines file",
        "--busy-seconds|0|Invalid value for option '--busy-seconds': '0' must be a positive whole"
            + " number",
        "--busy-seconds|ten|Invalid value for option '--busy-seconds': 'ten' is not a whole number;"
            + " use a positive whole number",
        "--events|-3|Invalid value for option '--events': '-3' must be a positive whole number",
        "--flush-interval|1s,soon|Invalid value for option '--flush-interval' (DURATION): 'soon' is"
            + " not a duration like 500ms, 60s, 5m, 1h or PT1S",
        "--buffered-writer|carrier-pigeon|Invalid value for option '--buffered-writer':"
            + " 'carrier-pigeon' is not a writer; use lua or pipeline",
        "--warmup-events|-1|Invalid value for option '--warmup-events': '-1' must be a whole number"
            + " >= 0",
      })
  void compareOptionIsRejected(String option, String value, String message) {
    Cli.Result r = Cli.run("compare", option, value);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(message);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void compareWithABackendNotOnTheClassPathListsTheAvailableOnes() {
    Cli.Result r =
        Cli.run("compare", "--backend", "redis-carrier-pigeon", "--redis", "redis://127.0.0.1:1");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "Invalid value for option '--backend': 'redis-carrier-pigeon' is not on the class path;"
                + " available: ")
        .contains("noop")
        .contains("redis-lua")
        .contains("redis-pipeline")
        .contains("buffered");
  }

  @Test
  void helpListsTheThreeCommands() {
    Cli.Result r = Cli.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("compare").contains("replay").contains("dump");
  }
}
