package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.cli.compare.RedisAdmin;
import io.usagesink.cli.compare.RedisState;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A replay in a child JVM (the shaded jar) stopped by SIGTERM or SIGINT: it stops reading, closes
 * the sink (storing what is pending), prints its counts and exits 143 / 130; Redis then holds
 * exactly the statistics of the events it says it recorded, the first N of the file.
 */
@DisplayName("replay stopped by a signal")
@ExtendWith(RedisExtension.class)
class ReplaySignalIT {

  private static final Pattern PROGRESS = Pattern.compile("replay: ([0-9,]+) events recorded");
  private static final int EVENTS = 20_000;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"buffered, TERM, 143", "redis-lua, INT, 130"})
  void aSignalStopsTheReplayWhichStoresExactlyWhatItRecorded(
      String backend, String signal, int exitCode, RedisServer redis) throws Exception {
    // a job started in the background by a non-interactive shell inherits SIGINT ignored, and so
    // does every
    // JVM below it: the child would never see the signal (its JVM installs no handler for an
    // ignored one)
    assumeFalse(
        "INT".equals(signal) && ignoredByThisProcess(2),
        "SIGINT is ignored by inheritance here (a background job); run the build in the"
            + " foreground");
    redis.flushAll();
    List<UsageEvent> events = Fixture.seedDay(EVENTS);
    Path file = Fixture.write(dir.resolve("events.jsonl"), events);

    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                RunnableJarIT.jar().toString(),
                "replay",
                "--backend",
                backend,
                "--redis",
                redis.authenticatedUri(),
                "--input",
                file.toString(),
                "--flush-interval",
                "60s",
                "--rate",
                "300",
                "--progress"));
    // output to files: Process.destroy() closes the parent's ends of pipes, which would lose the
    // summary
    Path outFile = dir.resolve("out.txt");
    Path errFile = dir.resolve("err.txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
    // the library's settings come from the environment: run the child with the defaults
    pb.environment()
        .keySet()
        .removeIf(
            k -> k.startsWith("USAGESINK_") || k.startsWith("ENABLE_") || k.equals("REDIS_URL"));
    Process p = pb.start();
    try {
      // a generous deadline: JVM start, validation and the first progress line (after 1 s of
      // recording)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (recordedSoFar(errFile) < 100 && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(recordedSoFar(errFile))
          .as("progress on stderr: %s", Files.readString(errFile))
          .isGreaterThanOrEqualTo(100);
      if ("TERM".equals(signal)) {
        p.destroy(); // SIGTERM on Linux
      } else {
        Process kill =
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
      }
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the replay ends after the signal").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(outFile);
    String err = Files.readString(errFile);
    String report = "--- stdout\n" + out + "\n--- stderr\n" + err;
    assertThat(p.exitValue()).as(report).isEqualTo(exitCode);

    long recorded = count(out, "recorded", report);
    assertThat(recorded).as(report).isPositive().isLessThan(EVENTS);
    assertThat(count(out, "stored", report)).as(report).isEqualTo(recorded);
    assertThat(count(out, "failed", report)).as(report).isZero();
    assertThat(count(out, "pending", report)).as(report).isZero();
    assertThat(count(out, "events read", report)).as(report).isGreaterThanOrEqualTo(recorded);
    assertThat(err).as(report).contains("replay: stopped by a shutdown signal after reading ");

    // Redis holds exactly the statistics of the first `recorded` events, computed without the sink
    UsageLayout layout = UsageLayouts.crs(SinkConfig.builder().build());
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events.subList(0, (int) recorded)) {
      model.apply(layout.plan(e));
    }
    RedisState expected = Fixture.state(model.state());
    RedisState actual;
    try (RedisAdmin admin =
        RedisAdmin.open(SinkConfig.builder().redisUri(redis.authenticatedUri()).build())) {
      actual = admin.dump();
    }
    assertThat(actual.size()).isPositive();
    assertThat(actual.differences(expected, 600, 10)).as(report).isEmpty();
  }

  /**
   * Whether signal {@code number} is ignored by this process (Linux: the SigIgn mask of
   * /proc/self/status).
   */
  private static boolean ignoredByThisProcess(int number) throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
        return (mask & (1L << (number - 1))) != 0;
      }
    }
    return false;
  }

  private static long recordedSoFar(Path errFile) throws IOException {
    long n = 0;
    Matcher m = PROGRESS.matcher(Files.readString(errFile));
    while (m.find()) {
      n = Math.max(n, Long.parseLong(m.group(1).replace(",", "")));
    }
    return n;
  }

  private static long count(CharSequence out, String row, String report) {
    Matcher m = Pattern.compile("(?m)^" + row + " +([0-9]+)$").matcher(out);
    assertThat(m.find()).as("row '%s' in:\n%s", row, report).isTrue();
    return Long.parseLong(m.group(1));
  }
}
