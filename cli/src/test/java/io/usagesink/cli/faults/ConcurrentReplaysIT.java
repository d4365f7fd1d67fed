package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Eight {@code replay} child JVMs (the shaded jar) at once against one Redis, on event files that
 * share every key (six distinct files, two of them replayed twice): each process exits 0 and
 * reports stored == its lines, and Redis holds exactly the interpreter's state of all eight files
 * together.
 */
@DisplayName("8 concurrent replay processes against one Redis")
@ExtendWith(RedisExtension.class)
class ConcurrentReplaysIT {
  private static final int PROCESSES = 8;
  private static final int EVENTS_PER_FILE = 150;
  private static final int PROCESS_DEADLINE_SECONDS = 300;

  /**
   * A class-data-sharing archive of the shaded jar's classes (JDK 13+ dynamic AppCDS), written once
   * for the class by a replay of its own; null when it could not be written (the children then
   * start without it). Each child maps the classes it shares with the archive instead of loading
   * and verifying them: 8 children starting at once on 2 cores spend about 40% less CPU. The
   * children still run the same jar ({@code -Xshare:auto}: an archive that does not match the jar
   * is ignored).
   */
  private static Path classArchive;

  private static Path jar() {
    Path jar = Path.of(System.getProperty("usagesink.cli.jar", "target/usagesink.jar"));
    assertThat(jar).as("the shaded jar is built in the package phase").exists();
    return jar;
  }

  @BeforeAll
  static void archiveTheJarsClasses(RedisServer redis, @TempDir Path dir) throws Exception {
    Path archive = dir.resolve("usagesink-cli.jsa");
    Path input =
        Files.writeString(
            dir.resolve("archive-run.jsonl"),
            FaultWorkload.jsonLines(FaultWorkload.events(99, 20)));
    List<String> cmd = new ArrayList<>(Child.jvm());
    cmd.add("-XX:ArchiveClassesAtExit=" + archive);
    cmd.addAll(Child.replay(Backend.REDIS_LUA, redis.uri(), input));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("archive-run.out").toFile());
    pb.environment().keySet().removeIf(k -> k.equals("REDIS_URL") || k.startsWith("USAGESINK_"));
    Process p = pb.start();
    boolean exited = p.waitFor(PROCESS_DEADLINE_SECONDS, TimeUnit.SECONDS);
    if (exited && p.exitValue() == 0 && Files.isRegularFile(archive)) {
      classArchive = archive;
    } else {
      p.destroyForcibly();
      System.out.println(
          "no class-data-sharing archive (the children start without one): "
              + Files.readString(dir.resolve("archive-run.out")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void everyProcessReportsTheTruthAndRedisHoldsAllTheirEventsOnce(
      Backend backend, RedisServer redis, @TempDir Path dir) throws Exception {
    List<UsageEvent> all = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      List<UsageEvent> events = FaultWorkload.events(100 + (i < 6 ? i : i - 6), EVENTS_PER_FILE);
      all.addAll(events);
      files.add(
          Files.writeString(
              dir.resolve("events-" + i + ".jsonl"), FaultWorkload.jsonLines(events)));
    }
    List<Child> children = new ArrayList<>();
    for (Path file : files) {
      children.add(Child.start(backend, redis.uri(), file));
    }
    for (int i = 0; i < PROCESSES; i++) {
      Child c = children.get(i);
      String what = backend + " replay #" + i + " of " + PROCESSES;
      int exit = c.await();
      System.out.println(what + ": exit " + exit + "\n" + c);
      assertThat(exit).as(what + ": exit code\n" + c).isZero();
      assertThat(c.out())
          .as(what + ": its report")
          .containsPattern("recorded +" + EVENTS_PER_FILE + "\n")
          .containsPattern("stored +" + EVENTS_PER_FILE + "\n")
          .containsPattern("failed +0\n")
          .containsPattern("dropped +0\n")
          .containsPattern("rejected +0\n");
    }
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    // what reached Redis (the extension reset the stats before the test): re-sent commands show
    // here
    String seen =
        "commands Redis ran "
            + redis
                .commandStats()
                .without("info", "scan", "type", "ttl", "hgetall", "smembers", "get")
                .asMap()
            + ", "
            + redis
                .info("stats")
                .lines()
                .filter(l -> l.startsWith("total_connections_received"))
                .findFirst()
                .orElse("");
    System.out.println(backend + ": " + seen);
    Expected.assertSameState(
        Expected.dump(List.of(redis)),
        Expected.state(config, all),
        PROCESSES + " concurrent replays through " + backend + " (" + seen + "): exact");
  }

  /** One replay child process with its output collected on background threads. */
  private record Child(
      Process process, CompletableFuture<String> stdout, CompletableFuture<String> stderr) {
    /** The child JVM's command and options, up to the archive option. */
    static List<String> jvm() {
      return List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx192m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1");
    }

    /** The rest of a replay child's command: the backend, the jar and the replay's options. */
    static List<String> replay(Backend backend, String uri, Path input) {
      List<String> cmd = new ArrayList<>();
      if (backend.bufferedWriter != null) {
        cmd.add("-Dusagesink.buffered.writer=" + backend.bufferedWriter);
      }
      cmd.addAll(
          List.of(
              "-jar",
              jar().toString(),
              "replay",
              "--backend",
              backend.provider,
              "--redis",
              uri,
              "--input",
              input.toString(),
              "--clock",
              "events",
              "--close-timeout",
              "60s"));
      if (backend.buffered()) {
        // event time: about 8 flushes of aggregated batches per process, overlapping those of the
        // others
        cmd.addAll(List.of("--flush-interval", "30m"));
      }
      return cmd;
    }

    static Child start(Backend backend, String uri, Path input) throws IOException {
      List<String> cmd = new ArrayList<>(jvm());
      if (classArchive != null) {
        cmd.add("-XX:SharedArchiveFile=" + classArchive);
      }
      cmd.addAll(replay(backend, uri, input));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.equals("REDIS_URL") || k.startsWith("USAGESINK_"));
      Process p = pb.start();
      p.getOutputStream().close();
      return new Child(p, read(p.getInputStream()), read(p.getErrorStream()));
    }

    int await() throws Exception {
      if (!process.waitFor(PROCESS_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "replay still running after " + PROCESS_DEADLINE_SECONDS + " s: " + this);
      }
      stdout.get(30, TimeUnit.SECONDS);
      stderr.get(30, TimeUnit.SECONDS);
      return process.exitValue();
    }

    String out() {
      return stdout.getNow("");
    }

    @Override
    public String toString() {
      return "--- stdout\n"
          + stdout.getNow("(still running)")
          + "\n--- stderr\n"
          + stderr.getNow("(still running)");
    }

    private static CompletableFuture<String> read(InputStream in) {
      CompletableFuture<String> f = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                try {
                  in.transferTo(buf);
                  f.complete(buf.toString(StandardCharsets.UTF_8));
                } catch (IOException e) {
                  f.completeExceptionally(new UncheckedIOException(e));
                }
              },
              "replay-output");
      t.setDaemon(true);
      t.start();
      return f;
    }
  }
}
