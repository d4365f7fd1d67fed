package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.redis.write.CompactWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compact outbox file: what it keeps across processes, and when a recovery resends it. */
class CompactOutboxFileTest {

  @TempDir Path dir;

  private JournalConfig config() {
    return JournalConfig.of(dir).withFsync(FsyncPolicy.NONE);
  }

  private static CompactWriter.Unsent unsent(String guard) {
    return new CompactWriter.Unsent(
        guard,
        Map.of("abc", new CompactWriter.IdLease(100, 200)),
        Map.of(
            "usagesink:c:h:2025123010",
            Map.of("abc|k|k1|m", "1 2 3", "abc|a|a1|m", "4 5 6"),
            "usagesink:c:t",
            Map.of("abc|@", "2025123010 200")));
  }

  /**
   * Saves {@code saved} while the journal's pending batch is [64, 128); returns what the next open
   * resends.
   */
  private CompactOutboxFile saveWhilePending(CompactWriter.Unsent saved) throws Exception {
    try (Journal j = Journal.open(config())) {
      j.beginBatch(64, 128);
      CompactOutboxFile.open(j).save(saved);
    }
    try (Journal j = Journal.open(config())) {
      return CompactOutboxFile.open(j);
    }
  }

  @Test
  void theSavedValuesOfThePendingBatchAreResentByTheNextProcess() throws Exception {
    String guard;
    try (Journal j = Journal.open(config())) {
      guard = j.batchId(64, 128);
    }
    CompactWriter.Unsent saved = unsent(guard);
    assertThat(saveWhilePending(saved).toResend()).contains(saved);
  }

  @Test
  void valuesOfAnotherBatchAreNotResent() throws Exception {
    assertThat(saveWhilePending(unsent("other:0-64")).toResend()).isEmpty();
    assertThat(saveWhilePending(unsent(null)).toResend()).isEmpty();
  }

  @Test
  void nothingIsResentOnceThePendingBatchIsReleased() throws Exception {
    String guard;
    try (Journal j = Journal.open(config())) {
      guard = j.batchId(64, 128);
      j.beginBatch(64, 128);
      CompactOutboxFile.open(j).save(unsent(guard));
      j.release(128);
    }
    try (Journal j = Journal.open(config())) {
      assertThat(CompactOutboxFile.open(j).toResend()).isEmpty();
    }
  }

  @Test
  void aDamagedFileIsIgnored() throws Exception {
    String guard;
    try (Journal j = Journal.open(config())) {
      guard = j.batchId(64, 128);
    }
    saveWhilePending(unsent(guard));
    Path file = dir.resolve(CompactOutboxFile.FILE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    try (Journal j = Journal.open(config())) {
      assertThat(CompactOutboxFile.open(j).toResend()).isEmpty();
    }
  }

  @Test
  void aPendingBatchThatEndsAtTheReleasedPositionIsNotResent() throws Exception {
    try (Journal j = Journal.open(config())) {
      j.release(128);
      j.beginBatch(64, 128); // ends where the released position is: nothing of it is left
      CompactOutboxFile.open(j).save(unsent(j.batchId(64, 128)));
    }
    try (Journal j = Journal.open(config())) {
      assertThat(CompactOutboxFile.open(j).toResend()).isEmpty();
    }
  }

  @Test
  void aPendingBatchThatEndsPastTheReleasedPositionIsResent() throws Exception {
    CompactWriter.Unsent saved;
    try (Journal j = Journal.open(config())) {
      j.release(128);
      j.beginBatch(64, 192);
      saved = unsent(j.batchId(64, 192));
      CompactOutboxFile.open(j).save(saved);
    }
    try (Journal j = Journal.open(config())) {
      assertThat(CompactOutboxFile.open(j).toResend()).contains(saved);
    }
  }

  @Test
  void theRecordRoundTripsWithAndWithoutAGuard() throws Exception {
    for (String guard : new String[] {null, "buffered:w:64-128"}) {
      CompactWriter.Unsent u = unsent(guard);
      assertThat(CompactOutboxFile.decode(CompactOutboxFile.encode(u))).isEqualTo(u);
    }
    CompactWriter.Unsent empty = new CompactWriter.Unsent(null, Map.of(), Map.of());
    assertThat(CompactOutboxFile.decode(CompactOutboxFile.encode(empty))).isEqualTo(empty);
  }

  @Test
  void aRecordOfAnotherFormatOrCutShortIsDamaged() throws Exception {
    byte[] good = CompactOutboxFile.encode(unsent("g"));
    byte[] otherMagic = good.clone();
    otherMagic[0] ^= 1;
    CRC32C crc = new CRC32C();
    crc.update(otherMagic, 0, otherMagic.length - 4);
    ByteBuffer.wrap(otherMagic, otherMagic.length - 4, 4).putInt((int) crc.getValue());
    assertThat(CompactOutboxFile.decode(otherMagic)).as("checksum right, magic wrong").isNull();
    assertThat(CompactOutboxFile.decode(Arrays.copyOf(good, 7))).isNull();
    assertThat(CompactOutboxFile.decode(new byte[0])).isNull();
  }
}
