package io.usagesink.buffered.journal;

import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a journal holds: its directory's files open and mapped (seen through {@link ProcSelf}) and
 * its two threads are all let go at close (the files also after an open that failed), and its id
 * file is kept, or made anew when it holds none.
 */
class JournalResourcesTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  @BeforeEach
  void resourcesAreObservable() {
    assumeThat(ProcSelf.available()).as("Linux /proc/self").isTrue();
  }

  private JournalConfig config(FsyncPolicy fsync) {
    return new JournalConfig(dir, fsync, Duration.ofMillis(5), SMALL);
  }

  private static UsageEvent event(long i) {
    return UsageEvent.builder().at(AT.plusMillis(i)).keyId("key-" + i % 3).model("m").build();
  }

  @Test
  void aClosedJournalHoldsNoFileOfItsDirectoryOpenOrMapped() throws Exception {
    Journal j = Journal.open(config(FsyncPolicy.INTERVAL));
    try {
      eventually(() -> j.stats().segments() == 1 + Journal.PREPARED_AHEAD);
      for (int i = 0; j.nextPosition() < SMALL + 100; i++) {
        j.append(event(i));
      }
      assertThat(ProcSelf.mappedBytes(dir)).isPositive();
      assertThat(ProcSelf.openFiles(dir))
          .as("journal.lock and journal.state")
          .isGreaterThanOrEqualTo(2);
    } finally {
      j.close();
    }
    assertThat(ProcSelf.mappedBytes(dir)).isZero();
    assertThat(ProcSelf.openFiles(dir)).isZero();
  }

  @Test
  void anOpenThatFailsHoldsNoFileOfTheDirectoryOpen() throws IOException {
    Files.createDirectories(dir.resolve(Journal.ID_FILE)); // journal.id cannot be read
    assertThat(catchThrowable(() -> Journal.open(config(FsyncPolicy.NONE), false)))
        .isInstanceOf(JournalException.class);
    assertThat(ProcSelf.openFiles(dir)).isZero();
  }

  @Test
  void theIdIsKeptAcrossOpensAndMadeAnewWhenItsFileHoldsNone() throws IOException {
    Path file = dir.resolve(Journal.ID_FILE);
    Files.writeString(file, " \n", StandardCharsets.UTF_8);
    String id;
    try (Journal j = Journal.open(config(FsyncPolicy.NONE), false)) {
      id = j.id();
      assertThat(id).isNotBlank();
      assertThat(j.batchId(64, 128)).isEqualTo(id + ":64-128");
    }
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(id);
    try (Journal j = Journal.open(config(FsyncPolicy.NONE), false)) {
      assertThat(j.id()).isEqualTo(id);
    }
    Files.writeString(file, "given-id\n", StandardCharsets.UTF_8);
    try (Journal j = Journal.open(config(FsyncPolicy.NONE), false)) {
      assertThat(j.id()).isEqualTo("given-id");
    }
  }

  @Test
  void itsTwoThreadsAreNamedDaemonsAndEndWithTheClose() {
    String preparer = "usagesink-journal-" + dir.getFileName();
    String syncer = "usagesink-journal-sync-" + dir.getFileName();
    List<Thread> threads;
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL))) {
      threads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals(preparer) || t.getName().equals(syncer))
              .toList();
      assertThat(threads).extracting(Thread::getName).containsExactlyInAnyOrder(preparer, syncer);
      assertThat(threads).as("never keep the JVM alive").allMatch(Thread::isDaemon);
      j.append(event(0));
    }
    assertThat(threads).as("joined by the close").noneMatch(Thread::isAlive);
  }

  /**
   * A close on an interrupted thread does not wait for the threads but closes, and keeps the flag.
   */
  @Test
  void anInterruptedCloseClosesAndKeepsTheInterrupt() {
    Journal j = Journal.open(config(FsyncPolicy.INTERVAL));
    long p = j.append(event(0));
    Thread.currentThread().interrupt();
    try {
      j.close();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThatIllegalStateException().isThrownBy(() -> j.cancel(p));
  }
}
