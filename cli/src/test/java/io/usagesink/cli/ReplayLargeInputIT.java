package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * replay streams its input: a file far larger than the heap replays in a child JVM with -Xmx64m.
 */
@DisplayName("replay of a large input in bounded memory")
class ReplayLargeInputIT {

  private static final int LINES = 200_000;

  @TempDir Path dir;

  @Test
  void twoHundredThousandLinesReplayWithA64MegabyteHeap() throws Exception {
    Path file = dir.resolve("large.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < LINES; i++) {
        int s = i % 86_400;
        w.write(
            String.format(
                Locale.ROOT,
                "{\"id\":\"req-%d\",\"at\":\"2025-08-15T%02d:%02d:%02dZ\",\"keyId\":\"k%d\","
                    + "\"accountId\":\"a%d\",\"model\":\"claude-sonnet-4-20250514\",\"inputTokens\":%d,\"outputTokens\":%d,"
                    + "\"cacheReadTokens\":%d}%n",
                i,
                s / 3600,
                s % 3600 / 60,
                s % 60,
                i % 10,
                i % 2,
                1000 + i % 500,
                300 + i % 97,
                i % 7 * 100));
      }
    }
    // the events alone as objects would take well over 64 MB; the file is about 34 MB
    assertThat(Files.size(file)).isGreaterThan(30_000_000);
    for (String input : List.of(file.toString(), "-")) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx64m",
                  "-jar",
                  RunnableJarIT.jar().toString(),
                  "replay",
                  "--backend",
                  "noop",
                  "--input",
                  input)
              .redirectOutput(dir.resolve("out.txt").toFile())
              .redirectError(dir.resolve("err.txt").toFile());
      if ("-".equals(input)) {
        pb.redirectInput(file.toFile());
      }
      Process p = pb.start();
      assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
      String out = Files.readString(dir.resolve("out.txt"));
      String err = Files.readString(dir.resolve("err.txt"));
      assertThat(p.exitValue()).as("--input %s\n%s\n%s", input, out, err).isZero();
      assertThat(out)
          .containsPattern("events read +" + LINES + "\n")
          .containsPattern("recorded +" + LINES + "\n")
          .containsPattern("dropped +" + LINES + "\n");
      assertThat(err).doesNotContain("OutOfMemoryError");
    }
  }
}
