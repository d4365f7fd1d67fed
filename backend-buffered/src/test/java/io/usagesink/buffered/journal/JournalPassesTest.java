package io.usagesink.buffered.journal;

import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's background work, one pass at a time: a journal opened without its threads lets the
 * test run the preparer's pass ({@link Journal#prepareSpares()}) and the sync thread's pass ({@link
 * Journal#syncPass()}) itself and observe each (segment files, {@link JournalStats}); the threads
 * themselves are checked to run those passes.
 */
class JournalPassesTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private JournalConfig config(FsyncPolicy fsync, Duration interval) {
    return new JournalConfig(dir, fsync, interval, SMALL);
  }

  private static UsageEvent event(long i) {
    return UsageEvent.builder()
        .id("e" + i)
        .at(AT.plusMillis(i))
        .keyId("key-" + i % 5)
        .accountId("acct")
        .model("claude-sonnet-4")
        .inputTokens(i)
        .outputTokens(2 * i)
        .build();
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".tmp"))
          .collect(Collectors.toList());
    }
  }

  /**
   * Appends until a record lies in the next segment (a segment filled to its last byte has not
   * rolled yet); returns the number of the next event.
   */
  private static int appendUntilRoll(Journal j, int from) {
    long nextBase = (j.nextPosition() / SMALL + 1) * SMALL;
    int i = from;
    while (j.nextPosition() <= nextBase) {
      j.append(event(i++));
    }
    return i;
  }

  @Test
  void aSyncPassForcesWhatWasAppendedSinceTheLastPassAndAFullSegmentOnce() {
    long t0 = System.nanoTime();
    try (Journal j = Journal.open(config(FsyncPolicy.NONE, Duration.ofHours(1)), false)) {
      j.syncPass();
      assertThat(j.stats().fsyncs()).as("nothing appended yet").isZero();

      j.append(event(1));
      j.syncPass();
      assertThat(j.stats().fsyncs()).isEqualTo(1);
      j.syncPass();
      assertThat(j.stats().fsyncs()).as("nothing new since the last pass").isEqualTo(1);

      j.append(event(2));
      j.append(event(3));
      j.syncPass();
      assertThat(j.stats().fsyncs()).isEqualTo(2);

      appendUntilRoll(j, 4); // fills the first segment (no spare: the roll creates the next one)
      assertThat(j.stats().segments()).isEqualTo(2);
      j.syncPass();
      assertThat(j.stats().fsyncs()).as("the full segment's tail and the new one").isEqualTo(4);
      j.syncPass();
      assertThat(j.stats().fsyncs())
          .as("a full segment forced to its end is never forced again")
          .isEqualTo(4);

      j.append(event(100_000));
      j.syncPass();
      assertThat(j.stats().fsyncs()).as("only the current segment").isEqualTo(5);
      long elapsed = System.nanoTime() - t0;
      assertThat(j.stats().fsyncNanos()).isBetween(0L, elapsed);
    }
  }

  /**
   * The sync pass unmaps the appenders' windows they have left before it forces them (so writing
   * them back write-protects no mapping), keeps the window still being appended to, and records
   * written across a window boundary read back whole.
   */
  @Test
  void aSyncPassUnmapsTheWindowsAppendersLeftAndEveryRecordReadsBack() {
    assertThat(Unmapper.available()).as("this JVM unmaps at once").isTrue();
    int windows = 4;
    JournalConfig config =
        new JournalConfig(dir, FsyncPolicy.INTERVAL, Duration.ofHours(1), windows * Segment.WINDOW);
    int appended = 0;
    try (Journal j = Journal.open(config, false)) {
      Segment s = j.currentSegment();
      assertThat(s.mappedWindows()).isEqualTo(windows);
      j.syncPass();
      assertThat(s.mappedWindows()).as("nothing appended: no window left").isEqualTo(windows);

      while (j.nextPosition() < 2L * Segment.WINDOW + Segment.WINDOW / 2) {
        j.append(event(appended++));
      }
      j.syncPass();
      assertThat(s.mappedWindows()).as("two windows left behind, two ahead").isEqualTo(2);
      assertThat(j.stats().fsyncs()).isEqualTo(1);

      j.syncPass();
      assertThat(s.mappedWindows()).isEqualTo(2);
      while (j.nextPosition() < 3L * Segment.WINDOW + 100) {
        j.append(event(appended++));
      }
      j.syncPass();
      assertThat(s.mappedWindows()).isEqualTo(1);
      while (j.currentSegment() == s) {
        j.append(event(appended++));
      }
      j.syncPass();
      assertThat(s.mappedWindows()).as("the full segment").isZero();
    }
    try (Journal j = Journal.open(config, false);
        JournalReader r = j.reader(0)) {
      int read = 0;
      while (r.next()) {
        assertThat(r.event()).isEqualTo(event(read++));
      }
      assertThat(read).isEqualTo(appended);
      assertThat(r.report().clean()).as("%s", r.report()).isTrue();
    }
  }

  /**
   * Under {@code none} the sync thread forces nothing but still unmaps, the last window of a
   * segment whose size is not a multiple of the window's included.
   */
  @Test
  void withoutForcingAPassStillUnmapsEveryWindowOfAFullSegment() {
    int capacity = 2 * Segment.WINDOW + Segment.WINDOW / 4;
    try (Journal j =
        Journal.open(
            new JournalConfig(dir, FsyncPolicy.NONE, Duration.ofHours(1), capacity), false)) {
      Segment s = j.currentSegment();
      assertThat(s.mappedWindows()).isEqualTo(3);
      int i = 0;
      while (j.nextPosition() < Segment.WINDOW + 1) {
        j.append(event(i++));
      }
      j.pass(false);
      assertThat(s.mappedWindows()).isEqualTo(2);
      while (j.currentSegment() == s) {
        j.append(event(i++));
      }
      j.pass(false);
      assertThat(s.mappedWindows()).isZero();
      assertThat(j.stats().fsyncs()).isZero();
    }
  }

  @Test
  void thePreparerPassKeepsTwoSegmentsReadyWhichRollsTakeAndCloseDeletes() throws IOException {
    Journal j = Journal.open(config(FsyncPolicy.NONE, Duration.ofHours(1)), false);
    try {
      assertThat(j.stats().segments()).isEqualTo(1);
      assertThat(segmentBases()).containsExactly(0L);

      j.prepareSpares();
      assertThat(segmentBases()).containsExactly(0L, (long) SMALL, 2L * SMALL);
      assertThat(leftovers()).isEmpty();
      assertThat(j.stats().segments()).isEqualTo(1 + Journal.PREPARED_AHEAD);
      assertThat(j.stats().diskBytes()).isEqualTo(3L * SMALL);
      j.prepareSpares();
      assertThat(segmentBases()).as("two ahead at most").hasSize(3);

      int next = appendUntilRoll(j, 0);
      assertThat(j.nextPosition()).isGreaterThan(SMALL).isLessThan(2L * SMALL);
      assertThat(segmentBases()).as("the roll took the first spare").hasSize(3);
      assertThat(j.stats().segments()).isEqualTo(3);

      j.prepareSpares();
      assertThat(segmentBases()).containsExactly(0L, (long) SMALL, 2L * SMALL, 3L * SMALL);
      assertThat(j.stats().segments()).isEqualTo(4);
      assertThat(j.stats().diskBytes()).isEqualTo(4L * SMALL);

      appendUntilRoll(j, next);
      assertThat(j.nextPosition()).isGreaterThan(2L * SMALL).isLessThan(3L * SMALL);
      j.close();
      assertThat(segmentBases())
          .as("the spare nobody used is deleted at close; written segments stay")
          .containsExactly(0L, (long) SMALL, 2L * SMALL);
    } finally {
      j.close(); // idempotent
    }
  }

  @Test
  void theBackgroundThreadsPrepareSegmentsAndForceAppendsOnTheirOwn() throws Exception {
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL, Duration.ofMillis(5)))) {
      eventually(() -> j.stats().segments() == 1 + Journal.PREPARED_AHEAD);
      j.append(event(1));
      eventually(() -> j.stats().fsyncs() > 0);
      appendUntilRoll(j, 2);
      eventually(() -> j.stats().segments() == 2 + Journal.PREPARED_AHEAD);
    }
  }

  /**
   * A pass that finds an append in progress (here the test, entered in the segment) forces the
   * range but neither unmaps a window nor counts it as forced, so the next pass forces it again; a
   * busy pass forces even when nothing new was reserved.
   */
  @Test
  void aPassBesideAnAppendInProgressUnmapsNothingAndTheNextPassForcesAgain() {
    JournalConfig config =
        new JournalConfig(dir, FsyncPolicy.INTERVAL, Duration.ofHours(1), 2 * Segment.WINDOW);
    try (Journal j = Journal.open(config, false)) {
      Segment s = j.currentSegment();
      for (int i = 0; j.nextPosition() < Segment.WINDOW + 100; i++) {
        j.append(event(i));
      }
      assertThat(s.enter()).isTrue();
      try {
        j.syncPass();
        assertThat(s.mappedWindows()).as("not alone: the window stays").isEqualTo(2);
        assertThat(j.stats().fsyncs()).isEqualTo(1);
      } finally {
        s.exit();
      }
      j.syncPass();
      assertThat(s.mappedWindows()).as("alone: the window left is unmapped").isEqualTo(1);
      assertThat(j.stats().fsyncs()).as("forced again, alone").isEqualTo(2);
      j.syncPass();
      assertThat(j.stats().fsyncs()).as("nothing new, nobody inside").isEqualTo(2);

      assertThat(s.enter()).isTrue();
      try {
        j.syncPass();
        assertThat(j.stats().fsyncs()).as("nothing new, but somebody inside").isEqualTo(3);
      } finally {
        s.exit();
      }
    }
  }

  /**
   * Under {@code none} the sync thread unmaps the windows appenders left, pass after pass, and
   * forces nothing.
   */
  @Test
  void underNoneTheSyncThreadUnmapsWindowsAndNeverForces() throws Exception {
    JournalConfig config =
        new JournalConfig(dir, FsyncPolicy.NONE, Duration.ofMillis(5), 4 * Segment.WINDOW);
    try (Journal j = Journal.open(config)) {
      Segment s = j.currentSegment();
      int i = 0;
      while (j.nextPosition() < Segment.WINDOW + 100) {
        j.append(event(i++));
      }
      eventually(() -> s.mappedWindows() == 3);
      while (j.nextPosition() < 2L * Segment.WINDOW + 100) {
        j.append(event(i++));
      }
      // a later pass unmapped this one: the pass that unmapped the first has ended
      eventually(() -> s.mappedWindows() == 2);
      assertThat(j.stats().fsyncs()).isZero();
    }
  }

  private List<Long> segmentBases() throws IOException {
    return JournalContents.segmentBases(dir);
  }
}
