package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.UsageEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private JournalConfig config(FsyncPolicy fsync, int segmentBytes) {
    return new JournalConfig(dir, fsync, JournalConfig.DEFAULT_FSYNC_INTERVAL, segmentBytes);
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

  private List<Long> appendAll(JournalConfig config, List<UsageEvent> events) {
    try (Journal j = Journal.open(config)) {
      List<Long> positions = new ArrayList<>();
      for (UsageEvent e : events) {
        positions.add(j.append(e));
      }
      return positions;
    }
  }

  private static List<UsageEvent> events(int n) {
    List<UsageEvent> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(event(i));
    }
    return list;
  }

  @Test
  void everyFieldReadsBackEqual() {
    List<UsageEvent> events =
        List.of(
            UsageEvent.builder()
                .id("req-1")
                .at(Instant.parse("2025-08-15T03:10:00.123456789Z"))
                .keyId("key")
                .accountId("acct")
                .model("claude-3-opus:latest")
                .inputTokens(1)
                .outputTokens(2)
                .cacheCreateTokens(3)
                .cacheReadTokens(4)
                .ephemeral5mTokens(5)
                .ephemeral1hTokens(6)
                .longContext(true)
                .realCostMicros(7)
                .ratedCostMicros(8)
                .build(),
            UsageEvent.builder()
                .at(Instant.EPOCH.minusSeconds(86_400 * 365).plusNanos(1))
                .accountId("only-account")
                .build(),
            UsageEvent.builder()
                .at(Instant.ofEpochSecond(253_402_300_799L, 999_999_999))
                .keyId("ключ-🔑")
                .model("модель ü")
                .inputTokens(Long.MAX_VALUE / 4)
                .outputTokens(Long.MAX_VALUE / 4)
                .cacheCreateTokens(Long.MAX_VALUE / 4)
                .cacheReadTokens(Long.MAX_VALUE / 4)
                .ephemeral5mTokens(Long.MAX_VALUE)
                .ephemeral1hTokens(Long.MAX_VALUE)
                .realCostMicros(Long.MAX_VALUE)
                .ratedCostMicros(Long.MAX_VALUE)
                .build(),
            UsageEvent.builder()
                .id("x".repeat(200))
                .at(AT)
                .keyId("k".repeat(20_000))
                .accountId("a".repeat(127))
                .model("m".repeat(128))
                .build());
    List<Long> positions = appendAll(config(FsyncPolicy.INTERVAL, SMALL), events);

    JournalContents read = readAll(config(FsyncPolicy.INTERVAL, SMALL));
    assertThat(read.events()).containsExactlyElementsOf(events);
    assertThat(read.positions()).containsExactlyElementsOf(positions);
    assertThat(read.report().clean()).isTrue();
    assertThat(read.report().holes()).isZero();
  }

  @Test
  @Tag("slow") // 80,000 appends from 8 threads: seconds; left out of mutation runs
  void eightThreadsAppendConcurrentlyAndEveryAcknowledgedEventIsReadBackOnce() throws Exception {
    int threads = 8;
    int perThread = 10_000;
    Map<Long, UsageEvent> acked = new ConcurrentHashMap<>();
    try (Journal j = Journal.open(config(FsyncPolicy.NONE, SMALL))) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        Thread w =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  for (int i = 0; i < perThread; i++) {
                    UsageEvent e = event(base + i);
                    assertThat(acked.put(j.append(e), e)).isNull();
                  }
                });
        w.start();
        workers.add(w);
      }
      start.countDown();
      for (Thread w : workers) {
        w.join();
      }
      assertThat(j.stats().appended()).isEqualTo((long) threads * perThread);
      assertThat(j.stats().segments()).isGreaterThan(10); // many rolls happened under contention
    }

    JournalContents read = readAll(config(FsyncPolicy.INTERVAL, SMALL));
    assertThat(read.report().clean()).isTrue();
    assertThat(read.positions()).isSorted().doesNotHaveDuplicates().hasSize(threads * perThread);
    Map<Long, UsageEvent> readBack = new HashMap<>();
    for (int i = 0; i < read.positions().size(); i++) {
      readBack.put(read.positions().get(i), read.events().get(i));
    }
    assertThat(readBack).isEqualTo(acked);
  }

  @Test
  void aTruncatedTailIsReportedAndThePrefixRecovered() throws IOException {
    List<Long> positions = appendAll(config(FsyncPolicy.NONE, SMALL), events(100));
    Path seg = onlySegmentWithData();
    long last = positions.get(99);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(last + 12); // the last record is cut 4 bytes into its payload
    }

    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    assertThat(read.events()).containsExactlyElementsOf(events(99));
    assertThat(read.report().badRegions()).isEqualTo(1);
    assertThat(read.report().firstBadPosition()).isEqualTo(last);
  }

  @Test
  void corruptBytesInTheTailAreReportedAndThePrefixRecovered() throws IOException {
    List<Long> positions = appendAll(config(FsyncPolicy.NONE, SMALL), events(100));
    flipByte(onlySegmentWithData(), positions.get(97) + 10);

    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    List<UsageEvent> expected = new ArrayList<>(events(100));
    expected.remove(97);
    assertThat(read.events())
        .startsWith(events(97).toArray(new UsageEvent[0]))
        .containsExactlyElementsOf(expected);
    assertThat(read.report().badRegions()).isEqualTo(1);
    assertThat(read.report().firstBadPosition()).isEqualTo(positions.get(97));
  }

  @Test
  void anAppendThatNeverCompletedIsAHoleAndTheRecordsAfterItAreRecovered() throws IOException {
    List<Long> positions = appendAll(config(FsyncPolicy.NONE, SMALL), events(10));
    long from = positions.get(4);
    long to = positions.get(5);
    try (RandomAccessFile f = new RandomAccessFile(onlySegmentWithData().toFile(), "rw")) {
      f.seek(from);
      f.write(new byte[(int) (to - from)]);
    }

    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    List<UsageEvent> expected = new ArrayList<>(events(10));
    expected.remove(4);
    assertThat(read.events()).containsExactlyElementsOf(expected);
    assertThat(read.report().clean()).isTrue();
    assertThat(read.report().holes()).isEqualTo(1);
  }

  @Test
  void readingTwiceChangesNothing() throws IOException {
    List<Long> positions = appendAll(config(FsyncPolicy.NONE, SMALL), events(3000));
    flipByte(lastSegmentWithData(), positions.get(2999) + 9);

    JournalContents first = readAll(config(FsyncPolicy.NONE, SMALL));
    JournalContents second = readAll(config(FsyncPolicy.NONE, SMALL));
    assertThat(first.events()).hasSize(2999);
    assertThat(second.events()).isEqualTo(first.events());
    assertThat(second.positions()).isEqualTo(first.positions());
    assertThat(second.report().badRegions()).isEqualTo(first.report().badRegions()).isEqualTo(1);
  }

  @Test
  void releaseDeletesTheSegmentsBeforeItAndPersists() throws IOException {
    List<Long> positions;
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL, SMALL))) {
      positions = new ArrayList<>();
      for (UsageEvent e : events(12000)) {
        positions.add(j.append(e));
      }
      JournalStats before = j.stats();
      assertThat(before.segments()).isGreaterThan(4);
      // the background thread may prepare the next segment at any moment: one file more at most
      assertThat(segmentFiles().size())
          .isBetween((int) before.segments(), (int) before.segments() + 1);
      assertThat(before.diskBytes()).isEqualTo(before.segments() * SMALL);

      j.release(positions.get(10000));
      JournalStats after = j.stats();
      assertThat(after.released()).isEqualTo(positions.get(10000));
      assertThat(after.segments()).isLessThan(before.segments());
      assertThat(segmentFiles().size())
          .isBetween((int) after.segments(), (int) after.segments() + 1);
      assertThat(segmentFiles())
          .allSatisfy(f -> assertThat(baseOf(f) + SMALL).isGreaterThan(positions.get(10000)));
      j.release(positions.get(10)); // earlier than released: ignored
      assertThat(j.released()).isEqualTo(positions.get(10000));
    }

    JournalContents read = readAll(config(FsyncPolicy.INTERVAL, SMALL));
    assertThat(read.events()).containsExactlyElementsOf(events(12000).subList(10000, 12000));
    assertThat(read.positions().get(0)).isEqualTo(positions.get(10000));
  }

  @Test
  void aPendingBatchSurvivesUntilReleased() {
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL, SMALL))) {
      assertThat(j.pendingBatch()).isEmpty();
      j.beginBatch(64, 640);
    }
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL, SMALL))) {
      assertThat(j.pendingBatch()).contains(new Journal.Range(64, 640));
      j.release(640);
      assertThat(j.pendingBatch()).isEmpty();
    }
    try (Journal j = Journal.open(config(FsyncPolicy.INTERVAL, SMALL))) {
      assertThat(j.pendingBatch()).isEmpty();
      assertThat(j.released()).isEqualTo(640);
      assertThat(j.recoverableEnd()).isGreaterThanOrEqualTo(640);
    }
  }

  @Test
  void aCancelledEventIsNotRead() {
    try (Journal j = Journal.open(config(FsyncPolicy.NONE, SMALL))) {
      j.append(event(1));
      long p = j.append(event(2));
      j.append(event(3));
      j.cancel(p);
    }
    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    assertThat(read.events()).containsExactly(event(1), event(3));
    assertThat(read.report().cancelled()).isEqualTo(1);
  }

  @Test
  void positionsGrowAcrossProcessesAndEachReadsOnlyEarlierOnes() {
    List<Long> first = appendAll(config(FsyncPolicy.ALWAYS, SMALL), events(10));
    try (Journal j = Journal.open(config(FsyncPolicy.ALWAYS, SMALL))) {
      assertThat(j.recoverableEnd()).isGreaterThan(first.get(9));
      long p = j.append(event(99));
      assertThat(p).isGreaterThanOrEqualTo(j.recoverableEnd());
      try (JournalReader r = j.reader(0)) {
        int n = 0;
        while (r.next()) {
          n++;
        }
        assertThat(n).isEqualTo(10);
      }
      assertThat(j.stats().fsyncs()).isPositive();
    }
  }

  @Test
  void aRecordLargerThanASegmentIsRefused() {
    try (Journal j = Journal.open(config(FsyncPolicy.NONE, SMALL))) {
      UsageEvent huge = event(1).toBuilder().keyId("k".repeat(SMALL)).build();
      assertThatThrownBy(() -> j.append(huge))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("larger than a segment of " + SMALL + " bytes");
      assertThat(j.append(event(2))).isPositive();
    }
  }

  @Test
  void aSecondOpenInTheSameProcessFails() {
    try (Journal j = Journal.open(config(FsyncPolicy.NONE, SMALL))) {
      assertThat(j.dir()).isEqualTo(dir.toAbsolutePath());
      assertThatThrownBy(() -> Journal.open(config(FsyncPolicy.NONE, SMALL)))
          .isInstanceOf(JournalException.class)
          .hasMessage(
              "journal directory "
                  + dir.toAbsolutePath()
                  + " is already open in this process;"
                  + " only one sink may use a journal directory at a time");
    }
    Journal.open(config(FsyncPolicy.NONE, SMALL)).close(); // released by close
  }

  @Test
  @Tag("slow") // a child JVM (running unmutated code); left out of mutation runs
  void aSecondProcessOnTheSameDirectoryFailsWithAClearMessage() throws Exception {
    Process child = ChildJvm.start(JournalChild.class, "hold", dir.toString());
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("open");
      assertThatThrownBy(() -> Journal.open(config(FsyncPolicy.NONE, SMALL)))
          .isInstanceOf(JournalException.class)
          .hasMessage(
              "journal directory "
                  + dir.toAbsolutePath()
                  + " is in use by another process (it holds "
                  + dir.toAbsolutePath().resolve("journal.lock")
                  + "); only one process may use a journal directory"
                  + " at a time");
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Journal.open(config(FsyncPolicy.NONE, SMALL)).close(); // the lock died with the process
  }

  @Test
  @Tag("slow") // a child JVM (running unmutated code); left out of mutation runs
  void killMinus9LosesNothingAcknowledged() throws Exception {
    Process child = ChildJvm.start(JournalChild.class, "append", dir.toString());
    Map<Long, Long> acked = new HashMap<>();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while (acked.size() < 20_000 && (line = out.readLine()) != null) {
        String[] parts = line.split(" ");
        acked.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
      new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
      child.waitFor(10, TimeUnit.SECONDS);
      while ((line = out.readLine()) != null) { // acknowledged before the kill, read after it
        String[] parts = line.split(" ");
        if (parts.length == 3 && line.startsWith("ack ")) {
          acked.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }
      }
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).isEqualTo(137);

    JournalContents read = readAll(config(FsyncPolicy.NONE, 256 << 10));
    Map<Long, Long> recovered = new HashMap<>();
    for (int i = 0; i < read.events().size(); i++) {
      recovered.put(Long.parseLong(read.events().get(i).id()), read.positions().get(i));
    }
    assertThat(recovered).containsAllEntriesOf(acked);
    // a prefix: ids 0..n-1, each once (the child appends from one thread)
    assertThat(read.events())
        .extracting(e -> Long.parseLong(e.id()))
        .isSorted()
        .doesNotHaveDuplicates()
        .last()
        .isEqualTo((long) read.events().size() - 1);
  }

  @Test
  void aDirectoryThatIsAFileFailsAtOpen() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> Journal.open(JournalConfig.of(file)))
        .isInstanceOf(JournalException.class)
        .hasMessageStartingWith("cannot create journal directory " + file.toAbsolutePath());
  }

  @Test
  void aReadOnlyDirectoryFailsAtOpen() throws IOException {
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")), "root may write a read-only directory");
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThatThrownBy(() -> Journal.open(JournalConfig.of(ro)))
          .isInstanceOf(JournalException.class)
          .hasMessageStartingWith(
              "journal directory " + ro.toAbsolutePath() + " is not writable: permission denied");
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void badConfigurationNamesTheValue() {
    assertThatThrownBy(() -> JournalConfig.of(dir).withSegmentBytes(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segmentBytes must be between 65536 and 1073741824 but was 1000");
    assertThatThrownBy(() -> FsyncPolicy.parse("usagesink.buffered.journal-fsync", "sometimes"))
        .hasMessage(
            "Invalid value for property usagesink.buffered.journal-fsync=sometimes."
                + " Must be none, interval or always.");
    assertThatThrownBy(() -> FsyncPolicy.parse("fsync", null))
        .hasMessage("Invalid value for property fsync=null. Must be none, interval or always.");
  }

  @Test
  void eachPolicyParsesFromItsNameInAnyCaseAndPadded() {
    assertThat(FsyncPolicy.parse("fsync", "none")).isEqualTo(FsyncPolicy.NONE);
    assertThat(FsyncPolicy.parse("fsync", " Interval ")).isEqualTo(FsyncPolicy.INTERVAL);
    assertThat(FsyncPolicy.parse("fsync", "ALWAYS")).isEqualTo(FsyncPolicy.ALWAYS);
  }

  @Test
  void namesAreWrittenOncePerSegmentSoAnEventTakesAboutThirtyTwoBytes() {
    List<UsageEvent> same = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      same.add(event(i).toBuilder().keyId("key-with-a-long-name").build());
    }
    List<Long> positions = appendAll(config(FsyncPolicy.NONE, SMALL), same);
    // the records defining the three names precede the first event; every event refers to them by
    // id (about 72 bytes each with the names in full, format 1)
    assertThat(positions.get(0)).isGreaterThan(Segment.HEADER);
    assertThat(positions.get(2) - positions.get(1)).isEqualTo(32);
    assertThat(positions.get(3) - positions.get(2)).isEqualTo(32);
    assertThat(readAll(config(FsyncPolicy.NONE, SMALL)).events()).isEqualTo(same);
  }

  @Test
  void aDamagedNameFailsOnlyTheEventsThatUseItAndIsReported() throws IOException {
    appendAll(config(FsyncPolicy.NONE, SMALL), events(10));
    Path seg = onlySegmentWithData();
    // the first record of the segment defines the first event's key, "key-0" (events 0 and 5)
    flipByte(seg, baseOf(seg) + Segment.HEADER + Records.HEADER + 2);

    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    List<UsageEvent> expected = new ArrayList<>(events(10));
    expected.remove(5);
    expected.remove(0);
    assertThat(read.events()).containsExactlyElementsOf(expected);
    assertThat(read.report().clean()).isFalse();
    assertThat(read.report().firstBadPosition()).isEqualTo(baseOf(seg) + Segment.HEADER);
  }

  @Test
  void aSegmentOfTheFirstFormatIsRecovered() throws IOException {
    List<UsageEvent> events = events(50);
    writeFormat1Segment(events, 1);

    JournalContents read = readAll(config(FsyncPolicy.NONE, SMALL));
    assertThat(read.events()).containsExactlyElementsOf(events);
    assertThat(read.report().clean()).isTrue();
  }

  @Test
  void aSegmentOfANewerFormatIsRefusedWithTheReason() throws IOException {
    writeFormat1Segment(events(5), Segment.VERSION + 1);

    try (Journal j = Journal.open(config(FsyncPolicy.NONE, SMALL))) {
      assertThatThrownBy(() -> j.reader(0).close())
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("segment format version " + (Segment.VERSION + 1))
          .hasMessageContaining("reads versions 1 to " + Segment.VERSION);
    }
  }

  /**
   * A segment at base 0 as format 1 wrote it (names in full), its header saying {@code version}.
   */
  private void writeFormat1Segment(List<UsageEvent> events, int version) throws IOException {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(SMALL).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(Segment.MAGIC).putInt(version).putLong(0).putInt(SMALL);
    EventCodec codec = new EventCodec();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    byte[] scratch = new byte[8];
    int off = Segment.HEADER;
    for (UsageEvent e : events) {
      int len = codec.encodeEvent(e, Records.HEADER);
      Records.frame(codec.buf, len, off, crc, scratch);
      b.put(off, codec.buf, 0, Records.HEADER + len);
      off += Records.total(len);
    }
    Files.write(dir.resolve(String.format("%020d", 0) + Segment.SUFFIX), b.array());
  }

  private Path onlySegmentWithData() throws IOException {
    List<Path> files = segmentFiles();
    return files.get(0);
  }

  private Path lastSegmentWithData() throws IOException {
    Path last = null;
    for (Path f : segmentFiles()) {
      try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
        r.seek(Segment.HEADER);
        if (r.readInt() != 0) {
          last = f;
        }
      }
    }
    return last;
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static long baseOf(Path seg) {
    String n = seg.getFileName().toString();
    return Long.parseLong(n.substring(0, n.length() - 4));
  }

  private static void flipByte(Path file, long position) throws IOException {
    long off = position - baseOf(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(off);
      int b = f.read();
      f.seek(off);
      f.write(b ^ 0x5A);
    }
  }

  private static JournalContents readAll(JournalConfig config) {
    return JournalContents.read(config, true);
  }
}
