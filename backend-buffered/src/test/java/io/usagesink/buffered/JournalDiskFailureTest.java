package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSinks;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.buffered.journal.JournalException;
import io.usagesink.buffered.journal.JournalSettings;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.workload.Workloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal directory the sink cannot write, at the sink level: a clear error at open (through the
 * SPI, before any connection), and at run time, when appends start failing (the disk is full or the
 * directory went away, so the next segment cannot be created), the documented policy: each such
 * event fails, its stage fails with the {@link JournalException}, it is counted failed under a
 * reason naming the directory, and nothing is stored for it; what was accepted before is stored.
 */
class JournalDiskFailureTest {

  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  @TempDir Path tmp;

  private static SinkConfig.Builder config() {
    return SinkConfig.builder()
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .closeTimeout(Duration.ofSeconds(3))
        .flushInterval(Duration.ofHours(1));
  }

  private static SinkConfig.Builder openedBySpi(Path journalDir) {
    // nothing listens on port 1: the journal is opened before any connection, so none is tried
    return config()
        .backend("buffered")
        .redisUri("redis://127.0.0.1:1")
        .property(JournalSettings.DIR, journalDir.toString());
  }

  @Test
  void aJournalDirectoryThatCannotBeCreatedFailsOpenNamingIt() throws Exception {
    Path file = Files.createFile(tmp.resolve("a-file"));
    Path dir = file.resolve("journal");
    assertThatThrownBy(() -> UsageSinks.open(openedBySpi(dir).build()))
        .isInstanceOf(JournalException.class)
        .hasMessageStartingWith("cannot create journal directory " + dir.toAbsolutePath());
  }

  @Test
  void aReadOnlyJournalDirectoryFailsOpenNamingIt() throws Exception {
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")), "root may write a read-only directory");
    Path ro = Files.createDirectory(tmp.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThatThrownBy(() -> UsageSinks.open(openedBySpi(ro).build()))
          .isInstanceOf(JournalException.class)
          .hasMessageStartingWith(
              "journal directory " + ro.toAbsolutePath() + " is not writable: permission denied");
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void whenAppendsStartFailingEachEventFailsCountedAndNamedAndNothingIsStoredForIt()
      throws Exception {
    Path dir = tmp.resolve("journal");
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink =
        BufferedSink.builder(config().build())
            .writer(writer)
            .clock(new ManualClock(T0))
            .journal(JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10))
            .build();
    UsageLayout layout = UsageLayouts.crs(config().build());
    try {
      List<UsageEvent> accepted = new ArrayList<>();
      List<UsageEvent> events = Workloads.random(7, 20_000, T0, Duration.ofHours(1));
      int i = 0;
      for (; i < 100; i++) {
        sink.record(events.get(i)).toCompletableFuture().get();
        accepted.add(events.get(i));
      }
      // the directory goes away (as a full disk would): the mapped segments still take appends, but
      // no
      // further segment can be created, so appends fail once the current one and the prepared spare
      // are full
      Files.move(dir, tmp.resolve("moved"));
      Files.createFile(dir);
      Throwable firstFailure = null;
      int failed = 0;
      for (; i < events.size(); i++) {
        CompletionStage<Void> stage = sink.record(events.get(i));
        try {
          stage.toCompletableFuture().get();
          accepted.add(events.get(i));
        } catch (ExecutionException e) {
          firstFailure = firstFailure == null ? e.getCause() : firstFailure;
          failed++;
        }
      }
      assertThat(failed).as("appends failed once no segment could be created").isPositive();
      assertThat(firstFailure)
          .isInstanceOf(JournalException.class)
          .hasMessageContaining(dir.toAbsolutePath().toString())
          .hasMessageContaining("cannot create the next segment");
      assertThat(accepted.size() + failed).isEqualTo(events.size());
      assertThat(sink.journalStats().orElseThrow().appendFailures()).isEqualTo(failed);

      sink.flush().toCompletableFuture().get(20, TimeUnit.SECONDS);
      SinkStats s = sink.stats();
      assertThat(s.recorded()).isEqualTo(events.size());
      assertThat(s.failed()).as("every failed append counted failed").isEqualTo(failed);
      assertThat(s.stored()).isEqualTo(accepted.size());
      long failedEvents = failed;
      assertThat(sink.failureReasons())
          .hasSize(1)
          .allSatisfy(
              (reason, count) -> {
                assertThat(reason)
                    .isEqualTo(
                        "journal append failed: journal "
                            + dir.toAbsolutePath()
                            + ": cannot create the next segment: Not a directory");
                assertThat(count).isEqualTo(failedEvents);
              });
      InMemoryRedis expected = new InMemoryRedis();
      accepted.forEach(e -> expected.apply(layout.plan(e), null));
      assertThat(writer.redis.hashes())
          .as("exactly the accepted events are stored")
          .isEqualTo(expected.hashes());
    } finally {
      sink.close();
    }
  }
}
