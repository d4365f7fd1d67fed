package io.usagesink.buffered.journal;

import io.usagesink.redis.write.CompactWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compact layout's outbox in a journal directory ({@value #FILE}): what the sink's {@link
 * CompactWriter} is about to send and Redis has not confirmed, saved before every send, so that a
 * sink opened on the directory after a crash stores the journal into the compact layout exactly
 * once.
 *
 * <p><b>Why.</b> The compact writer stores absolute, cumulative values of its own cells, under a
 * writer id, one {@code HSET} per hash. The journal releases a batch's range only once every value
 * of it is confirmed, so when a process is killed Redis holds, under its ids, exactly what it
 * journaled before the pending batch (the range persisted by {@link Journal#beginBatch}), plus any
 * part of the pending batch: each hash either has that batch's values or not. Adding the pending
 * batch again as deltas under a new id would count the part that landed twice; leaving it out would
 * lose the part that did not. The saved values are the way out: they are the absolute values the
 * pending batch left its cells at, so sending them again is idempotent, hash by hash.
 *
 * <p><b>Recovery.</b> {@link #toResend()} gives the saved record when its guard id is the guard id
 * of the journal's pending batch ({@link Journal#batchId}); the recovering sink's writer
 * {@linkplain CompactWriter#adopt adopts} it: it resends those values under the dead writer's ids,
 * and a write of the pending batch under its guard id adds nothing. Every later range of the
 * journal is a new batch under the recovering writer's own id. A record of another batch (already
 * stored, or given up and counted failed) is ignored. Recovering twice rewrites the same values: no
 * change.
 *
 * <p><b>The window.</b> A writer id takes no values more than 6 hours after its last confirmed
 * heartbeat and sends none more than 7 hours after it; from 12 hours on, a live writer folds it. A
 * recovery within 7 hours of the dead writer's last confirmed heartbeat (heartbeats are refreshed
 * at least hourly, so within 6 hours of the crash at least) is exact. A later one cannot know what
 * of the pending batch landed: that batch is counted failed (named), every later range is stored.
 *
 * <p>Written atomically (a temporary file renamed over the old one), so a crash leaves the previous
 * or the new record, never a torn one; forced to storage (file and directory) unless the journal's
 * fsync policy is {@code none}; checksummed. Not thread-safe: the writer calls {@link #save} under
 * its lock.
 */
public final class CompactOutboxFile implements CompactWriter.Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(CompactOutboxFile.class);

  /** The file name in the journal directory. */
  public static final String FILE = "compact.outbox";

  private static final int MAGIC = 0x55534358; // "USCX"
  private static final int NO_GUARD = -1;

  private final Path file;
  private final Path tmp;
  private final Path dir;
  private final boolean sync;
  private final CompactWriter.Unsent toResend;

  private CompactOutboxFile(Path dir, boolean sync, CompactWriter.Unsent toResend) {
    this.dir = dir;
    this.file = dir.resolve(FILE);
    this.tmp = dir.resolve(FILE + ".tmp");
    this.sync = sync;
    this.toResend = toResend;
  }

  /**
   * The outbox of {@code journal}'s directory: reads what an earlier process saved and keeps it
   * when it carries the journal's pending batch.
   *
   * @throws JournalException if the file exists and cannot be read
   */
  public static CompactOutboxFile open(Journal journal) {
    Objects.requireNonNull(journal, "journal");
    Path dir = journal.dir();
    Path file = dir.resolve(FILE);
    CompactWriter.Unsent saved = null;
    if (Files.exists(file)) {
      try {
        saved = decode(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new JournalException(
            "journal " + dir + ": cannot read " + FILE + ": " + Journal.describe(e), e);
      }
      if (saved == null) {
        LOG.warn(
            "journal {}: {} is damaged (checksum); ignored: a batch in flight at the last stop is"
                + " stored again as recorded (if part of it had landed, that part counts twice)",
            dir,
            FILE);
      }
    }
    Optional<String> pending =
        journal
            .pendingBatch()
            .filter(r -> r.to() > journal.released())
            .map(r -> journal.batchId(r.from(), r.to()));
    boolean carriesPending =
        saved != null && pending.isPresent() && pending.get().equals(saved.guardId());
    return new CompactOutboxFile(
        dir, journal.config().fsync() != FsyncPolicy.NONE, carriesPending ? saved : null);
  }

  /**
   * What the earlier process was sending of the journal's pending batch, for the new writer to
   * {@linkplain CompactWriter#adopt adopt}; empty when no pending batch was sent (it is then stored
   * as recorded).
   */
  public Optional<CompactWriter.Unsent> toResend() {
    return Optional.ofNullable(toResend);
  }

  @Override
  public void save(CompactWriter.Unsent unsent) throws IOException {
    byte[] bytes = encode(unsent);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      if (sync) {
        ch.force(false);
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (sync) {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
  }

  static byte[] encode(CompactWriter.Unsent u) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    if (u.guardId() == null) {
      out.writeInt(NO_GUARD);
    } else {
      out.writeInt(0);
      out.writeUTF(u.guardId());
    }
    out.writeInt(u.leases().size());
    for (Map.Entry<String, CompactWriter.IdLease> l : u.leases().entrySet()) {
      out.writeUTF(l.getKey());
      out.writeLong(l.getValue().bornSeconds());
      out.writeLong(l.getValue().confirmedSeconds());
    }
    out.writeInt(u.hashes().size());
    for (Map.Entry<String, Map<String, String>> h : u.hashes().entrySet()) {
      out.writeUTF(h.getKey());
      out.writeInt(h.getValue().size());
      for (Map.Entry<String, String> f : h.getValue().entrySet()) {
        out.writeUTF(f.getKey());
        out.writeUTF(f.getValue());
      }
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  /** The record in {@code bytes}, or {@code null} when it is damaged. */
  static CompactWriter.Unsent decode(byte[] bytes) {
    if (bytes.length < 8) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      return null;
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
      if (in.readInt() != MAGIC) {
        return null;
      }
      String guard = in.readInt() == NO_GUARD ? null : in.readUTF();
      int n = in.readInt();
      Map<String, CompactWriter.IdLease> leases = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        leases.put(in.readUTF(), new CompactWriter.IdLease(in.readLong(), in.readLong()));
      }
      int hashes = in.readInt();
      Map<String, Map<String, String>> values = new LinkedHashMap<>();
      for (int i = 0; i < hashes; i++) {
        String key = in.readUTF();
        int fields = in.readInt();
        Map<String, String> f = new LinkedHashMap<>();
        for (int j = 0; j < fields; j++) {
          f.put(in.readUTF(), in.readUTF());
        }
        values.put(key, f);
      }
      return new CompactWriter.Unsent(guard, leases, values);
    } catch (IOException e) {
      return null;
    }
  }
}
