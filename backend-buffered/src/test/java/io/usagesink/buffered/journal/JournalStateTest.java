package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's progress file: two checksummed slots written in turn, so the newest intact one wins
 * and a write torn by a crash falls back to the state before it.
 */
class JournalStateTest {

  @TempDir Path dir;

  private JournalState open() throws IOException {
    return new JournalState(dir, false);
  }

  private void flip(long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(JournalState.FILE).toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  @Test
  void aNewJournalHasReleasedNothingAndNoPendingBatch() throws IOException {
    try (JournalState s = open()) {
      assertThat(s.released).isZero();
      assertThat(s.pendingFrom).isEqualTo(-1);
      assertThat(s.pendingTo).isEqualTo(-1);
    }
  }

  @Test
  void theNewestStateIsReadBackAcrossOpens() throws IOException {
    try (JournalState s = new JournalState(dir, true)) {
      s.write(100, 64, 100);
      assertThat(s.released).isEqualTo(100);
      assertThat(s.pendingFrom).isEqualTo(64);
      assertThat(s.pendingTo).isEqualTo(100);
    }
    try (JournalState s = open()) {
      assertThat(s.released).isEqualTo(100);
      assertThat(s.pendingFrom).isEqualTo(64);
      assertThat(s.pendingTo).isEqualTo(100);
      s.write(200, -1, -1);
      s.write(300, 300, 400);
    }
    try (JournalState s = open()) {
      assertThat(s.released).isEqualTo(300);
      assertThat(s.pendingFrom).isEqualTo(300);
      assertThat(s.pendingTo).isEqualTo(400);
      s.write(500, -1, -1);
    }
    try (JournalState s = open()) {
      assertThat(s.released).isEqualTo(500);
      assertThat(s.pendingFrom).isEqualTo(-1);
    }
    assertThat(Files.size(dir.resolve(JournalState.FILE))).as("two slots").isEqualTo(128);
  }

  @Test
  void aTornNewestSlotFallsBackToTheStateBeforeIt() throws IOException {
    try (JournalState s = open()) {
      s.write(100, -1, -1); // the first write goes to slot 1
      s.write(200, 200, 300); // the second to slot 0
    }
    for (long offset : new long[] {0, 4, 13, 21, 29, 36}) { // magic, seq, fields, checksum
      flip(offset);
      try (JournalState s = open()) {
        assertThat(s.released).as("byte %d damaged", offset).isEqualTo(100);
        assertThat(s.pendingFrom).isEqualTo(-1);
      }
      flip(offset); // repaired
      try (JournalState s = open()) {
        assertThat(s.released).isEqualTo(200);
        assertThat(s.pendingFrom).isEqualTo(200);
        assertThat(s.pendingTo).isEqualTo(300);
      }
    }
  }

  @Test
  void aSlotCutShortIsIgnored() throws IOException {
    try (JournalState s = open()) {
      s.write(100, -1, -1); // slot 1
      s.write(200, -1, -1); // slot 0
    }
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(JournalState.FILE).toFile(), "rw")) {
      f.setLength(64 + 39); // slot 1 ends inside its checksum
    }
    try (JournalState s = open()) {
      assertThat(s.released).isEqualTo(200);
    }
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(JournalState.FILE).toFile(), "rw")) {
      f.setLength(39); // slot 0 too
    }
    try (JournalState s = open()) {
      assertThat(s.released).as("nothing intact: a new journal's state").isZero();
      assertThat(s.pendingTo).isEqualTo(-1);
    }
  }

  @Test
  void aSlotCutRightAfterItsChecksumIsIntact() throws IOException {
    try (JournalState s = open()) {
      s.write(100, 64, 128); // slot 1
    }
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(JournalState.FILE).toFile(), "rw")) {
      f.setLength(64 + 40); // magic, sequence, three positions and the checksum: 40 bytes
    }
    try (JournalState s = open()) {
      assertThat(s.released).isEqualTo(100);
      assertThat(s.pendingFrom).isEqualTo(64);
      assertThat(s.pendingTo).isEqualTo(128);
    }
  }
}
