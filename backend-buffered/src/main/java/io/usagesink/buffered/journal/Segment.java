package io.usagesink.buffered.journal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One memory-mapped segment file of the journal: positions {@code [base, base + capacity)}, a
 * header of {@link #HEADER} bytes, then records. Appenders reserve space with one atomic add on
 * {@link #tail}; the first reservation that does not fit ends the segment (its tail then exceeds
 * the capacity, so every later reservation fails too).
 *
 * <p><b>Unmapping safely.</b> Touching an unmapped buffer crashes the JVM, so every user of {@link
 * #buffer} enters first ({@link #enter}) and exits after; {@link #retire} sets {@link #retired} and
 * waits for the users inside to leave (a Dekker handshake on two volatile variables) before it
 * unmaps. A user that enters after the retire sees the flag and leaves without touching the buffer.
 *
 * <p><b>Windows.</b> Appenders write through {@link #WINDOW}-sized mappings of their own ({@link
 * #write}), never through {@link #buffer}, which a writable segment keeps for {@link #force} only
 * and never touches: {@code msync} of a range writes the file's pages back whether or not they are
 * mapped there. Writing a page back write-protects every mapping of it, which on a multi-core
 * machine costs one TLB-shootdown interrupt per page on the appending thread's CPU (measured:
 * 13,000 a second at 3.8 M appends/s under fsync {@code interval}, and the tail of {@code
 * record()}). The sync thread therefore unmaps the windows appenders have left ({@link
 * #unmapWindowsBelow}) before it forces them: their pages then have no mapping to protect, and one
 * unmapping flushes a window's pages at once.
 */
final class Segment {

  /** Bytes before the first record: magic, version, base and capacity. */
  static final int HEADER = 64;

  static final int MAGIC = 0x55534A31; // "USJ1"

  /**
   * The record format this version writes: 2, events naming keys, accounts and models through the
   * segment's dictionary ({@link EventCodec}). Version 1 segments (names in full) are read too.
   */
  static final int VERSION = 2;

  static final String SUFFIX = ".seg";

  /** Bytes of one appenders' window: a power of two, a multiple of any page size in use. */
  static final int WINDOW = 256 << 10;

  private static final int WINDOW_SHIFT = Integer.numberOfTrailingZeros(WINDOW);

  private static final VarHandle TAIL;
  private static final VarHandle USERS;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(Segment.class, "tail", long.class);
      USERS = l.findVarHandle(Segment.class, "users", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Path file;
  final long base;
  final int capacity;
  final MappedByteBuffer buffer;

  /**
   * The appenders' mappings of {@code [i * WINDOW, (i + 1) * WINDOW)}; {@code null} for a segment
   * opened for reading, and an element is {@code null} once unmapped.
   */
  private final MappedByteBuffer[] windows;

  /** Windows below this index are unmapped (the sync thread's business). */
  private int unmappedBelow;

  /** The temporary name of a prepared, not yet installed file. */
  private Path tmp;

  @SuppressWarnings("unused") // through TAIL
  private volatile long tail = HEADER;

  @SuppressWarnings("unused") // through USERS
  private volatile int users;

  private volatile boolean retired;

  /**
   * The dictionary of this segment's strings (names), written by appenders: a string's id is
   * published here only after its {@link EventCodec#TYPE_STRING} record is written.
   */
  final ConcurrentHashMap<String, Integer> strings = new ConcurrentHashMap<>();

  private final AtomicInteger nextStringId = new AtomicInteger();

  /** Whether the directory entry of this (prepared) segment is known to be on storage. */
  volatile boolean dirSynced;

  /** Bytes of this segment known to be forced to storage (the sync thread's business). */
  volatile long synced = HEADER;

  private Segment(
      Path file, long base, int capacity, MappedByteBuffer buffer, MappedByteBuffer[] windows) {
    this.file = file;
    this.base = base;
    this.capacity = capacity;
    this.buffer = buffer;
    this.windows = windows;
    buffer.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Maps {@code capacity} bytes of {@code ch} as windows of {@link #WINDOW} bytes. */
  private static MappedByteBuffer[] mapWindows(FileChannel ch, int capacity) throws IOException {
    MappedByteBuffer[] w = new MappedByteBuffer[(capacity + WINDOW - 1) >>> WINDOW_SHIFT];
    try {
      for (int i = 0; i < w.length; i++) {
        long at = (long) i << WINDOW_SHIFT;
        w[i] = ch.map(FileChannel.MapMode.READ_WRITE, at, Math.min(WINDOW, capacity - at));
      }
    } catch (IOException | RuntimeException e) {
      for (MappedByteBuffer b : w) {
        if (b != null) {
          Unmapper.unmap(b);
        }
      }
      throw e;
    }
    return w;
  }

  static Path fileOf(Path dir, long base) {
    return dir.resolve(String.format("%020d", base) + SUFFIX);
  }

  /** Creates the segment file of {@code base}: {@link #prepare} then {@link #install}. */
  static Segment create(Path dir, long base, int capacity) throws IOException {
    Segment s = prepare(dir, base, capacity);
    s.install();
    return s;
  }

  /**
   * Writes the file of a segment under a temporary name of its own (the header, then zeros, so the
   * file system allocates every block now and a full disk is an error here, never a fault in a
   * mapped write), maps it and touches every page, so appends do not take the page faults. May run
   * concurrently with anything; {@link #install} renames it into place.
   */
  static Segment prepare(Path dir, long base, int capacity) throws IOException {
    Path tmp = Files.createTempFile(dir, fileOf(dir, base).getFileName().toString(), ".tmp");
    Segment s;
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(MAGIC).putInt(VERSION).putLong(base).putInt(capacity).rewind();
      writeFully(ch, header, 0);
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long off = HEADER; off < capacity; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - off));
        off += writeFully(ch, zeros, off);
      }
      MappedByteBuffer[] windows = mapWindows(ch, capacity);
      s =
          new Segment(
              fileOf(dir, base),
              base,
              capacity,
              ch.map(FileChannel.MapMode.READ_WRITE, 0, capacity),
              windows);
      s.tmp = tmp;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    for (MappedByteBuffer w : s.windows) {
      for (int off = 0; off < w.capacity(); off += 4096) {
        w.put(off, w.get(off)); // nobody appends yet: a byte over itself makes the page writable
      }
    }
    return s;
  }

  /** Renames the prepared file into place. The caller serialises installs of one base. */
  void install() throws IOException {
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    tmp = null;
  }

  /** Unmaps and deletes a prepared segment that is not needed. */
  void abandon() throws IOException {
    retire();
    Files.deleteIfExists(tmp != null ? tmp : file);
  }

  /**
   * Maps an existing segment file read-only, or returns {@code null} when its header is not a
   * segment header of {@code base} (for example a file cut short by a crash while it was created).
   */
  static Segment openForReading(Path file, long base) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER || size > Integer.MAX_VALUE) {
        return null;
      }
      MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      b.order(ByteOrder.LITTLE_ENDIAN);
      // a file shorter than its header says (truncated) is read up to its end
      if (b.getInt(0) != MAGIC || b.getLong(8) != base || b.getInt(16) < size) {
        Unmapper.unmap(b);
        return null;
      }
      int version = b.getInt(4);
      if (version > VERSION) {
        Unmapper.unmap(b);
        throw new IOException(
            "segment format version "
                + version
                + " was written by a newer usagesink; this one reads versions 1 to "
                + VERSION
                + " (recover with the version that wrote it)");
      }
      Segment s = new Segment(file, base, (int) size, b, null);
      s.tail = size + 1; // nothing may be appended
      return s;
    }
  }

  private static int writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    int n = 0;
    while (b.hasRemaining()) {
      n += ch.write(b, at + n);
    }
    return n;
  }

  /** A fresh id for this segment's dictionary. */
  int nextStringId() {
    return nextStringId.getAndIncrement();
  }

  /** Enters as a user of the buffer; {@code false} (not entered) once retired. */
  boolean enter() {
    USERS.getAndAdd(this, 1);
    if (retired) {
      USERS.getAndAdd(this, -1);
      return false;
    }
    return true;
  }

  void exit() {
    USERS.getAndAdd(this, -1);
  }

  /**
   * Copies {@code len} bytes of {@code src} to offset {@code off}, which the caller (entered) has
   * reserved: through the windows, never through {@link #buffer}.
   */
  void write(long off, byte[] src, int len) {
    int at = (int) off;
    int from = 0;
    while (from < len) {
      MappedByteBuffer w = windows[at >>> WINDOW_SHIFT];
      int in = at & (WINDOW - 1);
      int n = Math.min(len - from, w.capacity() - in);
      w.put(in, src, from, n);
      from += n;
      at += n;
    }
  }

  /** Forces {@code len} bytes at offset {@code off} to storage (the caller has entered). */
  void force(int off, int len) {
    buffer.force(off, len);
  }

  /**
   * Unmaps the windows that lie entirely below {@code end}. The caller (entered, on the sync
   * thread) guarantees that nobody writes below {@code end} any more: it read {@code end} before it
   * saw itself alone inside, so every reservation below it was written and later ones lie above.
   * Without {@link Unmapper#available()} the windows stay mapped (the garbage collector unmaps).
   */
  void unmapWindowsBelow(long end) {
    if (windows == null || !Unmapper.available()) {
      return;
    }
    int below = end >= capacity ? windows.length : (int) (end >>> WINDOW_SHIFT);
    for (int i = unmappedBelow; i < below; i++) {
      MappedByteBuffer w = windows[i];
      windows[i] = null;
      Unmapper.unmap(w);
    }
    unmappedBelow = Math.max(unmappedBelow, below);
  }

  /** The windows still mapped (for tests). */
  int mappedWindows() {
    return windows == null ? 0 : windows.length - unmappedBelow;
  }

  /** Reserves {@code n} bytes; returns their offset, which may lie beyond the capacity (full). */
  long reserve(int n) {
    return (long) TAIL.getAndAdd(this, (long) n);
  }

  /** The end of the reserved bytes, capped at the capacity. */
  long end() {
    return Math.min(tail, capacity);
  }

  /** Whether a reservation has failed here: nothing more will be written. */
  boolean full() {
    return tail > capacity;
  }

  /** Users inside besides the caller, who must be inside. */
  int usersBesideMe() {
    return users - 1;
  }

  /** Refuses new users, waits for those inside, then unmaps. Idempotent. */
  void retire() {
    if (retired) {
      return;
    }
    retired = true;
    int spins = 0;
    while (users != 0) {
      if (++spins < 1000) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(50_000);
      }
    }
    if (windows != null) {
      for (int i = 0; i < windows.length; i++) {
        if (windows[i] != null) {
          Unmapper.unmap(windows[i]);
          windows[i] = null;
        }
      }
    }
    Unmapper.unmap(buffer);
  }

  boolean retired() {
    return retired;
  }

  @Override
  public String toString() {
    return file.getFileName() + "[" + base + ", " + (base + capacity) + ")";
  }
}
