package io.usagesink.buffered.journal;

import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One segment on its own: its file and mappings (read from {@code /proc/self/maps}, see {@link
 * ProcSelf}, so an unmapping that did not happen shows), writes across windows, the retire
 * handshake, and the files it refuses to read.
 */
class SegmentTest {

  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  /** Two windows and a quarter: the last window is shorter than the others. */
  private static final int UNEVEN = 2 * Segment.WINDOW + Segment.WINDOW / 4;

  @TempDir Path dir;

  @BeforeEach
  void unmappingIsObservable() {
    assumeThat(ProcSelf.available()).as("Linux /proc/self").isTrue();
    assertThat(Unmapper.available()).as("this JVM unmaps at once").isTrue();
  }

  private long mappedBytes() throws IOException {
    return ProcSelf.mappedBytes(dir);
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aSegmentIsMappedOnceForForcingAndOnceAsWindowsAndRetiringUnmapsEveryByte()
      throws IOException {
    Segment s = Segment.create(dir, 0, UNEVEN);
    assertThat(Files.size(s.file)).as("the last window ends with the file").isEqualTo(UNEVEN);
    assertThat(s.mappedWindows()).isEqualTo(3);
    assertThat(mappedBytes()).isEqualTo(2L * UNEVEN);
    assertThat(s.retired()).isFalse();

    s.retire();
    assertThat(s.retired()).isTrue();
    assertThat(s.enter()).as("a retired segment admits nobody").isFalse();
    assertThat(mappedBytes()).isZero();
    s.retire(); // idempotent
    assertThat(Files.size(s.file)).isEqualTo(UNEVEN);
  }

  @Test
  void unmappingTheWindowsBelowAnOffsetUnmapsThoseAndRetiringTheRest() throws IOException {
    Segment s = Segment.create(dir, 0, UNEVEN);
    s.unmapWindowsBelow(Segment.WINDOW + 1);
    assertThat(s.mappedWindows()).isEqualTo(2);
    assertThat(mappedBytes()).isEqualTo(2L * UNEVEN - Segment.WINDOW);
    s.unmapWindowsBelow(Segment.WINDOW); // below what is unmapped already: nothing
    assertThat(mappedBytes()).isEqualTo(2L * UNEVEN - Segment.WINDOW);
    s.retire();
    assertThat(mappedBytes()).isZero();
  }

  @Test
  void anAbandonedSegmentLeavesNoFileAndNoMapping() throws IOException {
    Segment prepared = Segment.prepare(dir, 0, SMALL);
    assertThat(files()).singleElement().asString().endsWith(".tmp");
    prepared.abandon();
    assertThat(prepared.retired()).isTrue();
    assertThat(files()).isEmpty();

    Segment installed = Segment.create(dir, SMALL, SMALL);
    assertThat(files()).containsExactly(Segment.fileOf(dir, SMALL).getFileName().toString());
    installed.abandon();
    assertThat(files()).isEmpty();
    assertThat(mappedBytes()).isZero();
  }

  /**
   * A record written across a window boundary lands in both windows, to the byte, and nothing after
   * its last byte is written.
   */
  @Test
  void aWriteAcrossAWindowBoundaryWritesExactlyItsBytes() throws IOException {
    Segment s = Segment.create(dir, 0, 2 * Segment.WINDOW);
    byte[] src = new byte[200];
    for (int i = 0; i < src.length; i++) {
      src[i] = (byte) (i + 1);
    }
    long off = Segment.WINDOW - 40;
    assertThat(s.enter()).isTrue();
    s.write(off, src, 100);
    s.exit();
    s.retire();
    byte[] file = Files.readAllBytes(s.file);
    assertThat(Arrays.copyOfRange(file, (int) off, (int) off + 100))
        .isEqualTo(Arrays.copyOf(src, 100));
    assertThat(Arrays.copyOfRange(file, (int) off + 100, (int) off + 200)).isEqualTo(new byte[100]);
  }

  /** A reservation that fills the segment to its last byte leaves it open; the next one ends it. */
  @Test
  void aSegmentIsFullOnlyOnceAReservationDidNotFit() throws IOException {
    Segment s = Segment.create(dir, 0, SMALL);
    assertThat(s.reserve(SMALL - Segment.HEADER)).isEqualTo(Segment.HEADER);
    assertThat(s.end()).isEqualTo(SMALL);
    assertThat(s.full()).isFalse();
    assertThat(s.reserve(8)).isEqualTo(SMALL);
    assertThat(s.full()).isTrue();
    assertThat(s.end()).isEqualTo(SMALL);
    s.retire();
  }

  /**
   * Retiring waits for the user inside; a user arriving meanwhile is refused and leaves nothing
   * behind, so once the user inside exits the retire completes.
   */
  @Test
  void aRetireWaitsForTheUserInsideAndALatecomerDoesNotHoldItUp() throws Exception {
    Segment s = Segment.create(dir, 0, SMALL);
    assertThat(s.enter()).isTrue();
    Thread retirer = new Thread(s::retire, "retirer");
    retirer.setDaemon(true); // a broken handshake must not keep the JVM alive
    retirer.start();
    eventually(s::retired);
    assertThat(s.enter()).as("the latecomer").isFalse();
    assertThat(retirer.isAlive()).as("the user inside has not exited").isTrue();
    assertThat(mappedBytes()).isEqualTo(2L * SMALL);

    s.exit();
    retirer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(retirer.isAlive()).as("retire completed").isFalse();
    assertThat(mappedBytes()).isZero();
  }

  @Test
  void aSegmentOpenedForReadingTakesNoAppendAndNamesItsFileAndRange() throws IOException {
    Segment written = Segment.create(dir, SMALL, SMALL);
    written.retire();
    Segment r = Segment.openForReading(Segment.fileOf(dir, SMALL), SMALL);
    assertThat(r).isNotNull();
    assertThat(r.full()).as("nothing may be appended").isTrue();
    assertThat(r.capacity).isEqualTo(SMALL);
    assertThat(r.toString()).isEqualTo("00000000000000065536.seg[65536, 131072)");
    Unmapper.unmap(r.buffer);
  }

  /**
   * A file of exactly a header is a segment without records; one byte shorter, or with another base
   * or magic in its header, is none and is not left mapped; a newer format is refused.
   */
  @Test
  void aFileIsReadAsASegmentOnlyWithAWholeHeaderOfItsBaseAndAKnownFormat() throws IOException {
    Segment.create(dir, 0, SMALL).retire();
    Path file = Segment.fileOf(dir, 0);
    byte[] header = Arrays.copyOf(Files.readAllBytes(file), Segment.HEADER);

    Files.write(file, header);
    Segment exact = Segment.openForReading(file, 0);
    assertThat(exact).isNotNull();
    assertThat(exact.capacity).isEqualTo(Segment.HEADER);
    Unmapper.unmap(exact.buffer);

    Files.write(file, Arrays.copyOf(header, Segment.HEADER - 1));
    assertThat(Segment.openForReading(file, 0)).isNull();

    Files.write(file, header);
    assertThat(Segment.openForReading(file, SMALL)).as("another base").isNull();
    assertThat(mappedBytes()).isZero();

    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(4, Segment.VERSION + 1);
    Files.write(file, header);
    assertThatIOException()
        .isThrownBy(() -> Segment.openForReading(file, 0))
        .withMessageContaining("segment format version " + (Segment.VERSION + 1));
    assertThat(mappedBytes()).isZero();
  }

  /**
   * A file as large as a mapping can be is read; one byte larger is none (both sparse: no disk
   * space is used).
   */
  @Test
  void aFileOfTheLargestMappableSizeIsReadAndOneByteMoreIsNot() throws IOException {
    Path file = Segment.fileOf(dir, 0);
    ByteBuffer header = ByteBuffer.allocate(Segment.HEADER).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(Segment.MAGIC).putInt(Segment.VERSION).putLong(0).putInt(Integer.MAX_VALUE);
    Files.write(file, header.array());
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(Integer.MAX_VALUE);
    }
    Segment largest = Segment.openForReading(file, 0);
    assertThat(largest).isNotNull();
    assertThat(largest.capacity).isEqualTo(Integer.MAX_VALUE);
    Unmapper.unmap(largest.buffer);

    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(Integer.MAX_VALUE + 1L);
    }
    assertThat(Segment.openForReading(file, 0)).isNull();
  }
}
