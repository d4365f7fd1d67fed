package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal at its edges: an event exactly as large as a segment allows and one byte larger, a
 * closed journal, a later process releasing an earlier one's segments, reading ranges past what
 * earlier processes wrote.
 */
class JournalEdgesTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  private static final int SMALL = JournalConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private JournalConfig config() {
    return JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(SMALL);
  }

  private static UsageEvent event(String key, long i) {
    return UsageEvent.builder().at(AT.plusMillis(i)).keyId(key).model("m").inputTokens(i).build();
  }

  private List<String> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(Segment.SUFFIX))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private List<UsageEvent> read(Journal j, long from, long to) {
    List<UsageEvent> out = new ArrayList<>();
    try (JournalReader r = j.reader(from, to)) {
      while (r.next()) {
        out.add(r.event());
      }
    }
    return out;
  }

  @Test
  void anEventExactlyAsLargeAsASegmentAllowsIsJournaledAndOneByteMoreIsRefused() {
    // the bound: names' UTF-8 bytes + 4 x 32 + 128 of framing and counts <= segment - header
    int room = SMALL - Segment.HEADER;
    String fits = "k".repeat(room - 1 - 4 * 32 - 128); // with the model "m"
    try (Journal j = Journal.open(config())) {
      j.append(event("small", 1));
      j.append(event(fits, 2));
      assertThatIllegalArgumentException()
          .isThrownBy(() -> j.append(event(fits + "k", 3)))
          .withMessage(
              "journal record of "
                  + (room + 1)
                  + " bytes is larger than a segment of "
                  + SMALL
                  + " bytes allows (usagesink.buffered.journal segment size)");
      // multi-byte characters count by their bytes, not their chars
      String wide = "é".repeat((room - 1 - 4 * 32 - 128) / 2 + 1);
      assertThatIllegalArgumentException().isThrownBy(() -> j.append(event(wide, 4)));
      assertThat(j.stats().appended()).isEqualTo(2);
    }
    try (Journal j = Journal.open(config())) {
      assertThat(read(j, 0, Long.MAX_VALUE)).containsExactly(event("small", 1), event(fits, 2));
    }
  }

  @Test
  void aClosedJournalRefusesAppendsAndCancels() {
    Journal j = Journal.open(config());
    long p = j.append(event("k1", 1));
    j.close();
    j.close(); // once
    assertThatIllegalStateException()
        .isThrownBy(() -> j.append(event("k1", 2)))
        .withMessage("journal " + dir.toAbsolutePath() + " is closed");
    assertThatIllegalStateException()
        .isThrownBy(() -> j.cancel(p))
        .withMessage("journal " + dir.toAbsolutePath() + " is closed");
  }

  @Test
  void aLaterProcessReleasesTheEarlierOnesSegmentsEntirelyBeforeThePosition() throws IOException {
    List<Long> positions = new ArrayList<>();
    try (Journal j = Journal.open(config())) {
      for (int i = 0; positions.isEmpty() || j.nextPosition() < 2L * SMALL + 1_000; i++) {
        positions.add(j.append(event("k" + (i % 7), i)));
      }
    }
    try (Journal j = Journal.open(config())) {
      long end = j.recoverableEnd();
      assertThat(end).isGreaterThanOrEqualTo(3L * SMALL);
      List<String> before = segmentFiles();
      assertThat(before).contains(String.format("%020d", 0) + Segment.SUFFIX);
      List<UsageEvent> all = read(j, 0, Long.MAX_VALUE);
      assertThat(all).hasSize(positions.size());
      assertThat(read(j, 0, end + 10 * SMALL))
          .as("capped at the earlier processes' end")
          .hasSize(all.size());

      long inSecond = positions.stream().filter(p -> p > SMALL + 100).findFirst().orElseThrow();
      j.release(inSecond);
      assertThat(segmentFiles())
          .as("the first segment lies entirely before the position; the second does not")
          .doesNotContain(String.format("%020d", 0) + Segment.SUFFIX)
          .contains(String.format("%020d", SMALL) + Segment.SUFFIX);
      assertThat(j.stats().released()).isEqualTo(inSecond);
      assertThat(read(j, 0, Long.MAX_VALUE))
          .as("reading starts at the released position")
          .hasSize((int) positions.stream().filter(p -> p >= inSecond).count());
      assertThat(read(j, inSecond, inSecond)).isEmpty();

      j.release(end);
      assertThat(segmentFiles())
          .as("every earlier segment released")
          .allSatisfy(
              f -> assertThat(Long.parseLong(f.substring(0, 20))).isGreaterThanOrEqualTo(end));
    }
  }

  /**
   * While its directory is gone, preparing segments fails quietly and the append that needs a new
   * segment fails with the reason, counted; once the directory is back, both work again.
   */
  @Test
  void aSegmentThatCannotBeCreatedFailsTheAppendWithTheReasonUntilTheDirectoryIsBack()
      throws IOException {
    Path sub = dir.resolve("journal");
    JournalConfig config =
        JournalConfig.of(sub).withFsync(FsyncPolicy.NONE).withSegmentBytes(SMALL);
    try (Journal j = Journal.open(config, false)) {
      j.append(event("k", 0));
      try (Stream<Path> files = Files.list(sub)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(sub);

      j.prepareSpares();
      assertThat(j.stats().segments()).as("nothing prepared").isEqualTo(1);
      JournalException e = null;
      for (int i = 1; e == null; i++) {
        try {
          j.append(event("k", i));
        } catch (JournalException failed) {
          e = failed;
        }
      }
      assertThat(e)
          .hasMessage(
              "journal "
                  + sub.toAbsolutePath()
                  + ": cannot create the next segment: no such file or directory");
      assertThat(j.stats().appendFailures()).isEqualTo(1);

      Files.createDirectories(sub);
      j.prepareSpares();
      assertThat(j.stats().segments()).isEqualTo(1 + Journal.PREPARED_AHEAD);
      assertThat(j.append(event("k", 1_000))).isGreaterThan(SMALL);
      assertThat(j.stats().appendFailures()).isEqualTo(1);
    }
  }

  /** Failure reasons name the cause without the file; descriptions name both. */
  @Test
  void reasonsAndDescriptionsOfIoFailures() {
    assertThat(Journal.reason(new AccessDeniedException("/j/a.tmp")))
        .isEqualTo("permission denied");
    assertThat(Journal.reason(new NoSuchFileException("/j/a.tmp")))
        .isEqualTo("no such file or directory");
    assertThat(Journal.reason(new FileSystemException("/j/a.tmp", null, "Not a directory")))
        .isEqualTo("Not a directory");
    assertThat(Journal.reason(new FileSystemException("/j/a.tmp"))).isEqualTo("/j/a.tmp");
    assertThat(Journal.reason(new IOException("boom"))).isEqualTo("boom");

    assertThat(Journal.describe(new AccessDeniedException("/j/a")))
        .isEqualTo("permission denied: /j/a");
    assertThat(Journal.describe(new NoSuchFileException("/j/a")))
        .isEqualTo("no such file or directory: /j/a");
    assertThat(Journal.describe(new FileSystemException("/j/a", null, "Not a directory")))
        .isEqualTo("Not a directory: /j/a");
    assertThat(Journal.describe(new FileSystemException(null, null, "No space left on device")))
        .isEqualTo("No space left on device");
    assertThat(Journal.describe(new FileSystemException("/j/a"))).isEqualTo("/j/a");
    assertThat(Journal.describe(new IOException())).isEqualTo("IOException");
  }
}
