package io.usagesink.buffered.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The persisted progress of a journal ({@code journal.state}): the released position and the batch
 * being written, if any. Two checksummed slots written alternately, so a write torn by a crash
 * leaves the previous state readable. Not thread-safe: the journal serialises calls.
 */
final class JournalState implements AutoCloseable {

  static final String FILE = "journal.state";
  private static final int SLOT = 64;
  private static final int MAGIC = 0x55534A53; // "USJS"

  private final FileChannel ch;
  private final boolean sync;
  private final ByteBuffer buf = ByteBuffer.allocate(SLOT).order(ByteOrder.LITTLE_ENDIAN);
  private long seq;
  long released;
  long pendingFrom = -1;
  long pendingTo = -1;

  JournalState(Path dir, boolean sync) throws IOException {
    this.ch =
        FileChannel.open(
            dir.resolve(FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    this.sync = sync;
    for (int slot = 0; slot < 2; slot++) {
      buf.clear();
      while (buf.hasRemaining() && ch.read(buf, (long) slot * SLOT + buf.position()) > 0) {
        // read the slot
      }
      if (buf.position() < 40 || buf.getInt(0) != MAGIC || buf.getInt(36) != crc(buf)) {
        continue;
      }
      long s = buf.getLong(4);
      if (s > seq) {
        seq = s;
        released = buf.getLong(12);
        pendingFrom = buf.getLong(20);
        pendingTo = buf.getLong(28);
      }
    }
  }

  private static int crc(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b.duplicate().position(0).limit(36)); // the first 36 bytes, whatever b's position
    return (int) c.getValue();
  }

  /** Persists {@code released} and the pending batch {@code [from, to)} ({@code -1, -1}: none). */
  void write(long released, long from, long to) throws IOException {
    long s = seq + 1;
    buf.clear();
    buf.putInt(MAGIC).putLong(s).putLong(released).putLong(from).putLong(to);
    buf.putInt(36, crc(buf));
    buf.position(0).limit(SLOT);
    long at = (s & 1) * SLOT;
    while (buf.hasRemaining()) {
      ch.write(buf, at + buf.position());
    }
    if (sync) {
      ch.force(false);
    }
    seq = s;
    this.released = released;
    this.pendingFrom = from;
    this.pendingTo = to;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
