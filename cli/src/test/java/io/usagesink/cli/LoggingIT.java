package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.launcher.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar logs through one facade: SLF4J with slf4j-simple, the api's System.Logger lines
 * routed into it, and no "no provider" / "StaticLoggerBinder" lines.
 */
@DisplayName("logging of the shaded jar cli/target/usagesink.jar")
class LoggingIT {

  private static final String LINE =
      "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"logging-k1\",\"accountId\":\"a1\",\"inputTokens\":5}\n";

  private static RedisServer redis;

  @BeforeAll
  static void start() {
    redis = Fixture.redis();
  }

  @Test
  void aRunAgainstRedisPrintsNoLoggingNoise() throws Exception {
    String[] r =
        run(List.of(), "replay", "--backend", "buffered", "--redis", redis.uri(), "--input", "-");

    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    assertThat(r[2])
        .doesNotContain("SLF4J")
        .doesNotContain("StaticLoggerBinder")
        .doesNotContain("NOP");
  }

  @Test
  void debugLogsOfTheApiAndTheBackendsGoThroughSlf4jSimple() throws Exception {
    String[] r =
        run(
            List.of("-Dorg.slf4j.simpleLogger.log.io.usagesink=debug"),
            "replay",
            "--backend",
            "buffered",
            "--redis",
            redis.uri(),
            "--input",
            "-");

    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    // the api (System.Logger, through slf4j-jdk-platform-logging) and the buffered sink (SLF4J),
    // one format
    assertThat(r[2])
        .contains("DEBUG UsageSinks - Opened usagesink backend buffered")
        .contains("DEBUG BufferedSink - ")
        .contains(" closed: recorded=1 stored=1 ");
    assertThat(r[2]).doesNotContain("SLF4J");
  }

  private static String[] run(List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(RunnableJarIT.jar().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("USAGESINK_") || k.equals("REDIS_URL"));
    Process p = pb.start();
    p.getOutputStream().write(LINE.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader =
        new Thread(
            () -> {
              try {
                p.getErrorStream().transferTo(err);
              } catch (IOException ignored) {
                // the process ended
              }
            });
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the cli finished").isTrue();
    errReader.join();
    return new String[] {String.valueOf(p.exitValue()), out, err.toString(StandardCharsets.UTF_8)};
  }
}
