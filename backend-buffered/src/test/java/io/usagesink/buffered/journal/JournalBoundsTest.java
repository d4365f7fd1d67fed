package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal at its bounds, each checked by reopening it and reading what it holds: a record
 * exactly filling a segment, the size bound counting every name, the reader's report of bad regions
 * to the byte, a release at exactly a segment's end, and the persisted progress.
 */
class JournalBoundsTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  /** A cancel record's bytes: header, type, the position as a var-long, padding. */
  private static final int CANCEL = 16;

  @TempDir Path dir;

  private JournalConfig config() {
    return JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(SMALL);
  }

  private static UsageEvent event(long i) {
    return UsageEvent.builder()
        .at(AT.plusMillis(i))
        .keyId("key")
        .accountId("acct")
        .model("m")
        .inputTokens(i)
        .build();
  }

  /** Writes {@code bytes} at {@code position} of the first segment (base 0). */
  private void overwrite(long position, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(Segment.fileOf(dir, 0).toFile(), "rw")) {
      f.seek(position);
      f.write(bytes);
    }
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  /**
   * A cancel record that exactly fills the rest of a segment is written there (and read back from
   * its last bytes); the next record rolls to the next segment, a cancel too, and every cancel is
   * honoured after reopening.
   */
  @Test
  void aRecordExactlyFillingASegmentIsKeptThereAndACancelRollsToTheNextSegment() {
    List<Long> events = new ArrayList<>();
    long cancelA;
    long last;
    long rolled;
    try (Journal j = Journal.open(config(), false)) {
      int i = 0;
      for (; i < 5; i++) {
        events.add(j.append(event(i)));
      }
      // events of growing ids until the rest of the segment is a multiple of a cancel record
      for (int k = 1; (SMALL - j.nextPosition()) % CANCEL != 0; k++) {
        events.add(j.append(event(i++).toBuilder().id("x".repeat(k)).build()));
      }
      int count = events.size();
      cancelA = events.get(0);
      long first = j.cancel(cancelA);
      assertThat(first).isGreaterThan(events.get(count - 1));
      long previous = first;
      while (j.nextPosition() < SMALL - CANCEL) {
        long at = j.cancel(cancelA);
        assertThat(at).as("cancel records are %s bytes", CANCEL).isEqualTo(previous + CANCEL);
        previous = at;
      }
      last = j.cancel(events.get(1));
      assertThat(last).as("exactly filling the segment").isEqualTo(SMALL - CANCEL);
      assertThat(j.nextPosition()).isEqualTo(SMALL);
      assertThat(j.stats().segments()).isEqualTo(1);

      rolled = j.cancel(events.get(2));
      assertThat(rolled).as("the next segment's first record").isEqualTo(SMALL + Segment.HEADER);
      assertThat(j.stats().segments()).isEqualTo(2);
      long after = j.append(event(1000));
      assertThat(after).isGreaterThan(rolled);
      long cancels = (SMALL - first) / CANCEL + 1;
      assertThat(j.stats().appended())
          .as("events, the cancel records, the event after them")
          .isEqualTo(count + cancels + 1);
    }
    JournalContents read = readAll();
    List<UsageEvent> expected = new ArrayList<>();
    expected.add(event(3));
    expected.add(event(4));
    assertThat(read.events()).startsWith(expected.toArray(new UsageEvent[0]));
    assertThat(read.events()).hasSize(events.size() - 3 + 1).endsWith(event(1000));
    assertThat(read.positions()).doesNotContain(events.get(0), events.get(1), events.get(2));
    assertThat(read.report().cancelled()).isEqualTo(3);
    assertThat(read.report().clean()).isTrue();
    assertThat(read.report().holes()).isZero();
  }

  /**
   * Every name counts towards the size bound with its bytes: a name in any field that makes the
   * event exactly as large as a segment allows is journaled, one byte more is refused with the
   * size.
   */
  @Test
  void eachNameCountsTowardsTheSizeBoundAndAnEventExactlyAtItIsJournaled() {
    int room = SMALL - Segment.HEADER;
    int framing = 4 * 32 + 128;
    String message =
        "journal record of "
            + (room + 1)
            + " bytes is larger than a segment of "
            + SMALL
            + " bytes allows (usagesink.buffered.journal segment size)";
    UsageEvent.Builder small = UsageEvent.builder().at(AT).keyId("k").model("m");
    // key "k" and model "m" take 2 bytes besides the long name
    int longest = room - framing - 2;
    List<UsageEvent> fitting =
        List.of(
            small.build().toBuilder().id("i".repeat(longest)).build(),
            small.build().toBuilder().accountId("a".repeat(longest)).build(),
            small.build().toBuilder().model("m".repeat(longest + 1)).build(),
            small.build().toBuilder().keyId("k".repeat(longest + 1)).build(),
            small.build().toBuilder()
                .accountId("a".repeat(longest / 2))
                .id("i".repeat(longest / 2))
                .build());
    try (Journal j = Journal.open(config(), false)) {
      for (UsageEvent e : fitting) {
        j.append(e);
        UsageEvent.Builder over = e.toBuilder();
        if (e.id() != null && e.accountId() == null) {
          over.id(e.id() + "i");
        } else if (e.accountId() != null) {
          over.accountId(e.accountId() + "a");
        } else if (e.model().length() > 1) {
          over.model(e.model() + "m");
        } else {
          over.keyId(e.keyId() + "k");
        }
        UsageEvent tooLarge = over.build();
        assertThatIllegalArgumentException()
            .as("%s", e)
            .isThrownBy(() -> j.append(tooLarge))
            .withMessage(message);
      }
      assertThat(j.stats().appended()).isGreaterThanOrEqualTo(fitting.size());
    }
    assertThat(readAll().events()).containsExactlyElementsOf(fitting);
  }

  /**
   * The reader reports each bad region from its first to its last non-zero byte (8-byte words), the
   * first one's position, and an append that never completed (zeros) as a hole, not as bad.
   */
  @Test
  void theReaderReportsEachBadRegionToTheByteAndZerosAsAHole() throws IOException {
    List<Long> p = new ArrayList<>();
    long end;
    try (Journal j = Journal.open(config(), false)) {
      for (int i = 0; i < 20; i++) {
        p.add(j.append(event(i)));
      }
      end = j.nextPosition();
    }
    // record 3 garbage throughout; record 6 zeros then garbage; record 9 garbage then zeros;
    // record 12 zeros (a hole)
    overwrite(p.get(3), filled((int) (p.get(4) - p.get(3)), 0xFF));
    overwrite(p.get(6), filled(8, 0));
    overwrite(p.get(6) + 8, filled((int) (p.get(7) - p.get(6) - 8), 0xFF));
    overwrite(p.get(9), filled(8, 0xFF));
    overwrite(p.get(9) + 8, filled((int) (p.get(10) - p.get(9) - 8), 0));
    overwrite(p.get(12), filled((int) (p.get(13) - p.get(12)), 0));

    JournalContents read = readAll();
    List<Long> expected = new ArrayList<>(p);
    expected.removeAll(List.of(p.get(3), p.get(6), p.get(9), p.get(12)));
    assertThat(read.positions()).containsExactlyElementsOf(expected);
    ReadReport report = read.report();
    assertThat(report.events()).isEqualTo(16);
    assertThat(report.badRegions()).isEqualTo(3);
    assertThat(report.firstBadPosition()).isEqualTo(p.get(3));
    assertThat(report.badBytes()).isEqualTo((p.get(4) - p.get(3)) + (p.get(7) - p.get(6) - 8) + 8);
    assertThat(report.holes()).as("trailing zeros of the segment are no hole").isEqualTo(1);
    assertThat(report.from()).isZero();
    assertThat(end).isLessThan(SMALL);
    assertThat(report.to()).as("the earlier process's end").isEqualTo(SMALL);

    // from a position inside the segment: the names defined before it still decode the events
    try (Journal j = Journal.open(config(), false);
        JournalReader r = j.reader(p.get(10))) {
      assertThat(r.next()).isTrue();
      assertThat(r.position()).isEqualTo(p.get(10));
      assertThat(r.event()).isEqualTo(event(10));
      assertThat(r.nextPosition()).isEqualTo(p.get(11));
      int n = 1;
      while (r.next()) {
        n++;
      }
      assertThat(n).as("10, 11, 13 to 19").isEqualTo(9);
      assertThat(r.report().from()).isEqualTo(p.get(10));
      assertThat(r.report().to()).isEqualTo(j.recoverableEnd());
      assertThat(r.report().badRegions()).isZero();
      assertThat(r.report().firstBadPosition()).isEqualTo(-1);
      assertThat(r.report().holes()).isEqualTo(1);
    }
  }

  /**
   * A release at exactly a segment's end deletes that segment, in the process that wrote it and in
   * a later one, and the figures no longer count it.
   */
  @Test
  void aReleaseAtExactlyASegmentsEndDeletesItAndTheFiguresDropIt() throws IOException {
    List<Long> positions = new ArrayList<>();
    try (Journal j = Journal.open(config(), false)) {
      for (int i = 0; j.nextPosition() < 2L * SMALL + 100; i++) {
        positions.add(j.append(event(i)));
      }
      assertThat(j.stats().segments()).isEqualTo(3);
      j.release(SMALL);
      assertThat(segmentBases()).containsExactly((long) SMALL, 2L * SMALL);
      assertThat(j.stats().segments()).isEqualTo(2);
      assertThat(j.stats().diskBytes()).isEqualTo(2L * SMALL);
    }
    try (Journal j = Journal.open(config(), false)) {
      assertThat(j.released()).isEqualTo(SMALL);
      assertThat(j.recoverableEnd()).isEqualTo(3L * SMALL);
      assertThat(j.stats().segments()).as("two earlier ones and this one's").isEqualTo(3);
      assertThat(j.stats().diskBytes()).isEqualTo(3L * SMALL);
      j.release(2L * SMALL);
      assertThat(segmentBases()).containsExactly(2L * SMALL, 3L * SMALL);
      assertThat(j.stats().segments()).isEqualTo(2);
      assertThat(j.stats().diskBytes()).isEqualTo(2L * SMALL);
      long third = positions.stream().filter(p -> p >= 2L * SMALL).findFirst().orElseThrow();
      try (JournalReader r = j.reader(0)) {
        assertThat(r.next()).isTrue();
        assertThat(r.position()).isEqualTo(third);
      }
    }
  }

  /**
   * The pending batch is persisted exactly; a release at the released position changes nothing (the
   * batch stays pending), a release past it ends the batch; an empty batch is a batch.
   */
  @Test
  void aReleaseAtTheReleasedPositionKeepsThePendingBatch() {
    try (Journal j = Journal.open(config(), false)) {
      j.release(640);
      j.beginBatch(640, 960);
      j.release(640);
      j.release(100);
      assertThat(j.pendingBatch()).contains(new Journal.Range(640, 960));
    }
    try (Journal j = Journal.open(config(), false)) {
      assertThat(j.released()).isEqualTo(640);
      assertThat(j.pendingBatch()).contains(new Journal.Range(640, 960));
      j.release(641);
      assertThat(j.pendingBatch()).isEmpty();
      j.beginBatch(700, 700);
    }
    try (Journal j = Journal.open(config(), false)) {
      assertThat(j.released()).isEqualTo(641);
      assertThat(j.pendingBatch()).isEqualTo(Optional.of(new Journal.Range(700, 700)));
      assertThatIllegalArgumentException()
          .isThrownBy(() -> j.beginBatch(701, 700))
          .withMessage("batch from 701 must be <= to 700");
    }
  }

  /**
   * A segment released but not deleted when the earlier process stopped (it crashed in between) is
   * deleted at the next open, also one ending exactly at the released position, and not counted.
   */
  @Test
  void aSegmentReleasedButNotDeletedIsDeletedAtTheNextOpen() throws IOException {
    try (Journal j = Journal.open(config(), false)) {
      for (int i = 0; j.nextPosition() < SMALL + 100; i++) {
        j.append(event(i));
      }
    }
    Path first = Segment.fileOf(dir, 0);
    byte[] kept = Files.readAllBytes(first);
    try (Journal j = Journal.open(config(), false)) {
      j.release(SMALL);
      assertThat(segmentBases()).doesNotContain(0L);
    }
    Files.write(first, kept); // as if the deletion had not reached the disk
    try (Journal j = Journal.open(config(), false)) {
      // the second process's segment (nothing appended to it) stays, as any earlier one
      assertThat(segmentBases()).containsExactly((long) SMALL, 2L * SMALL, 3L * SMALL);
      assertThat(j.stats().segments()).isEqualTo(3);
      assertThat(j.stats().diskBytes()).isEqualTo(3L * SMALL);
      assertThat(j.recoverableEnd()).isEqualTo(3L * SMALL);
    }
  }

  /**
   * A preparer pass that comes after the close (the thread was about to run it) creates nothing.
   */
  @Test
  void aPreparerPassAfterTheCloseCreatesNoSegment() throws IOException {
    Journal j = Journal.open(config(), false);
    j.prepareSpares();
    assertThat(segmentBases()).containsExactly(0L, (long) SMALL, 2L * SMALL);
    j.close();
    assertThat(segmentBases()).containsExactly(0L);
    j.prepareSpares();
    assertThat(segmentBases()).containsExactly(0L);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
          .isEmpty();
    }
  }

  /**
   * Under {@code always} every record (names' definitions, events, cancels) is forced on its own
   * before its append returns: one fsync per record, their time counted.
   */
  @Test
  void underAlwaysEveryRecordIsForcedOnceAndTheTimeCounted() {
    long t0 = System.nanoTime();
    try (Journal j = Journal.open(config().withFsync(FsyncPolicy.ALWAYS), false)) {
      long p = j.append(event(1));
      j.append(event(2));
      j.cancel(p);
      assertThat(j.stats().appended()).as("2 events, 1 cancel").isEqualTo(3);
      assertThat(j.stats().fsyncs()).as("3 names, 2 events, 1 cancel").isEqualTo(6);
      assertThat(j.stats().fsyncNanos()).isBetween(0L, System.nanoTime() - t0);
    }
  }

  /**
   * An open that fails after it locked the directory (here {@code journal.id} cannot be read)
   * unlocks it: once the cause is gone, the directory opens in the same process.
   */
  @Test
  void anOpenThatFailsUnlocksTheDirectory() throws IOException {
    Files.createDirectories(dir.resolve(Journal.ID_FILE));
    assertThat(catchThrowable(() -> Journal.open(config(), false)))
        .isInstanceOf(JournalException.class)
        .hasMessageStartingWith("cannot open journal in " + dir.toAbsolutePath() + ": ");
    Files.delete(dir.resolve(Journal.ID_FILE));
    try (Journal j = Journal.open(config(), false)) {
      assertThat(j.id()).isNotBlank();
    }
  }

  /**
   * What an interrupted segment creation or a stranger leaves in the directory does not disturb a
   * recovery: a temporary file is deleted at open, a segment file shorter than its header or with
   * another base in its header holds no events, a file of another name is left alone.
   */
  @Test
  void leftoversOfAnInterruptedCreationAreDeletedOrSkipped() throws IOException {
    List<UsageEvent> appended = new ArrayList<>();
    try (Journal j = Journal.open(config(), false)) {
      for (int i = 0; i < 10; i++) {
        appended.add(event(i));
        j.append(event(i));
      }
    }
    Path tmp = dir.resolve(Segment.fileOf(dir, SMALL).getFileName() + "123.tmp");
    Files.write(tmp, new byte[100]);
    Files.write(Segment.fileOf(dir, SMALL), new byte[Segment.HEADER - 1]);
    Files.copy(Segment.fileOf(dir, 0), Segment.fileOf(dir, 2L * SMALL)); // its header names 0
    Path stranger = dir.resolve("notes.seg");
    Files.write(stranger, new byte[10]);

    JournalContents read = readAll();
    assertThat(tmp).doesNotExist();
    assertThat(stranger).exists();
    assertThat(read.events()).containsExactlyElementsOf(appended);
    assertThat(read.report().clean()).isTrue();
  }

  /**
   * A name of three-byte characters counts by its bytes: one whose characters, times three, still
   * pass the quick estimate but whose bytes do not fit is refused with its size.
   */
  @Test
  void aNameOfThreeByteCharactersIsRefusedByItsBytes() {
    int room = SMALL - Segment.HEADER;
    int n = 21_800; // 3 x (n + 2) <= room < 3 x n + 2 + 4 x 32 + 128
    UsageEvent e =
        UsageEvent.builder().at(AT).keyId("k").model("m").accountId("\u20ac".repeat(n)).build();
    try (Journal j = Journal.open(config(), false)) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> j.append(e))
          .withMessage(
              "journal record of "
                  + (3 * n + 2 + 4 * 32 + 128)
                  + " bytes is larger than a segment of "
                  + SMALL
                  + " bytes allows (usagesink.buffered.journal segment size)");
      assertThat(room).isLessThan(3 * n + 2 + 4 * 32 + 128);
      assertThat(j.stats().appended()).isZero();
    }
  }

  /**
   * A release at the end of the current segment, filled to its last byte, keeps it: the next append
   * rolls from it and is read back by the next process.
   */
  @Test
  void aReleaseAtTheEndOfAnExactlyFullCurrentSegmentKeepsAppending() {
    try (Journal j = Journal.open(config(), false)) {
      long p = j.append(event(0));
      for (int k = 1; (SMALL - j.nextPosition()) % CANCEL != 0; k++) {
        j.append(event(k).toBuilder().id("x".repeat(k)).build());
      }
      while (j.nextPosition() < SMALL) {
        j.cancel(p);
      }
      assertThat(j.nextPosition()).isEqualTo(SMALL);
      j.release(SMALL);
      assertThat(j.stats().segments()).isEqualTo(1);
      assertThat(j.append(event(7))).isGreaterThan(SMALL);
    }
    assertThat(readAll().events()).containsExactly(event(7));
  }

  private JournalContents readAll() {
    return JournalContents.read(config(), false);
  }

  private List<Long> segmentBases() throws IOException {
    return JournalContents.segmentBases(dir);
  }
}
