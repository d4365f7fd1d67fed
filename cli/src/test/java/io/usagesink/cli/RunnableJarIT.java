package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the shaded jar cli/target/usagesink.jar")
class RunnableJarIT {

  /** The shaded jar built in the package phase (Failsafe names it). */
  static Path jar() {
    Path jar = Path.of(System.getProperty("usagesink.cli.jar", "target/usagesink.jar"));
    assertThat(jar).as("the shaded jar is built in the package phase").exists();
    return jar;
  }

  private static String[] run(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    errReader.join();
    return new String[] {String.valueOf(p.exitValue()), out, err.toString(StandardCharsets.UTF_8)};
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void helpRuns() throws Exception {
    String[] r = run("", "--help");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("compare").contains("replay").contains("dump");
  }

  @Test
  void everyBackendIsRegisteredInTheMergedServiceFile() throws Exception {
    try (JarFile j = new JarFile(jar().toFile())) {
      assertThat(j.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.usagesink.cli.Main");
      String services =
          new String(
              j.getInputStream(j.getEntry("META-INF/services/io.usagesink.UsageSinkProvider"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(services.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count())
          .isEqualTo(4);
      assertThat(j.stream().noneMatch(e -> e.getName().matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")))
          .isTrue();
    }
  }

  @Test
  void replayFindsTheBackendsInsideTheJar() throws Exception {
    String line =
        "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\",\"inputTokens\":5}\n";
    String[] r = run(line + line, "replay", "--backend", "noop", "--input", "-");
    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    assertThat(r[1]).containsPattern("events read +2");
    // quiet logging: nothing on stderr for a successful run
    assertThat(r[2]).isEmpty();
    String[] bad = run("", "replay", "--backend", "no-such", "--input", "-");
    assertThat(bad[2])
        .contains("buffered")
        .contains("noop")
        .contains("redis-lua")
        .contains("redis-pipeline");
    assertThat(Files.size(jar())).isGreaterThan(1_000_000);
  }

  @Test
  void replayPacesEventsWithTheGuavaClassesShippedInTheJar() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 21; i++) {
      lines.append(
          String.format(
              "{\"at\":\"2025-07-31T16:30:%02dZ\",\"keyId\":\"k1\",\"accountId\":\"a1\","
                  + "\"inputTokens\":5}%n",
              i));
    }
    String[] r =
        run(lines.toString(), "replay", "--backend", "noop", "--input", "-", "--rate", "100");
    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    assertThat(r[1]).containsPattern("events read +21").contains("rate: 100 events/s");
    // 21 events at 100 per second: the first at once, then one every 10 ms, so at least 0.2 s
    java.util.regex.Matcher elapsed =
        java.util.regex.Pattern.compile("elapsed +([0-9.]+) s").matcher(r[1]);
    assertThat(elapsed.find()).as(r[1]).isTrue();
    assertThat(Double.parseDouble(elapsed.group(1))).isGreaterThanOrEqualTo(0.2);
    assertThat(r[2]).isEmpty();
    try (JarFile j = new JarFile(jar().toFile())) {
      // minimized: the Guava classes the cli reaches, not all of Guava (about 2,000 classes)
      long guava = j.stream().filter(e -> e.getName().startsWith("com/google/common/")).count();
      assertThat(guava).isBetween(1L, 400L);
      assertThat(j.getEntry("com/google/common/util/concurrent/RateLimiter.class")).isNotNull();
      assertThat(j.getEntry("com/google/common/html/HtmlEscapers.class")).isNotNull();
    }
  }
}
