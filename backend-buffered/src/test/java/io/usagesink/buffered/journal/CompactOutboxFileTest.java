package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.redis.write.CompactWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
}
