package io.usagesink.buffered.journal;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe local log of usage events: segmented, memory-mapped, checksummed, append-only.
 *
 * <p><b>Appending</b> ({@link #append}) is lock-free and O(1): the event's names (key, account,
 * model) are looked up in the current segment's dictionary (a name the segment has not seen yet is
 * first appended as a record of its own, see {@link EventCodec}), the event is encoded into a
 * per-thread buffer, space is reserved in the segment with one atomic add, the record (length,
 * CRC32C of position + length + payload, payload) is copied into the mapping, and its position, a
 * byte offset that only grows across segments and processes, is returned. Once {@code append}
 * returns, the record is in the page cache: a crash of the process (kill -9, the OOM killer) loses
 * nothing appended. Power loss is covered by the {@link FsyncPolicy}. The first reservation that
 * does not fit ends a segment; its thread switches to the next one, which the preparer thread has
 * usually created already: it keeps {@link #PREPARED_AHEAD} segments ready, written in full and
 * their pages touched (so a full disk fails the switch with a {@link JournalException}, never a
 * fault in a mapped write, and appends take no page faults). A sync thread of its own, so a slow
 * fsync never delays the preparer, forces under {@code interval} and, under every policy, unmaps
 * the windows appenders have left (see {@link Segment}: no TLB-shootdown interrupts on appenders).
 *
 * <p><b>Reading</b> ({@link #reader}) covers the records of earlier processes only (positions
 * before {@link #recoverableEnd()}; this process appends to new segments). A record torn by the
 * crash or damaged on disk fails its checksum: it is skipped and reported ({@link ReadReport}), and
 * reading resumes at the next valid record, so concurrent appenders that completed after a torn one
 * are not lost. Reading changes nothing, so reading twice gives the same events.
 *
 * <p><b>Progress</b>: {@link #beginBatch} persists the range a batch covers before it is written
 * elsewhere, {@link #release} persists that everything before a position is stored and deletes the
 * segments entirely before it; both go to {@code journal.state} (forced to storage unless the
 * policy is {@code none}). Disk use is bounded by what is not yet released plus {@link
 * #PREPARED_AHEAD} segments prepared ahead.
 *
 * <p><b>One process per directory</b>: {@code journal.lock} is locked for the journal's lifetime; a
 * second {@link #open} fails with a {@link JournalException} naming the directory.
 *
 * <p>Thread-safe. {@code append} and {@link #cancel} never block on I/O except when a segment must
 * be created because none was prepared, and under {@link FsyncPolicy#ALWAYS}.
 */
public final class Journal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  static final String LOCK_FILE = "journal.lock";
  static final String ID_FILE = "journal.id";

  /** The per-thread encoder, checksum and scratch space of appends. */
  private static final class Writer {
    final EventCodec codec = new EventCodec();
    final CRC32C crc = new CRC32C();
    final byte[] scratch = new byte[8];
  }

  /** A segment file of an earlier process: read, never written. */
  record OldFile(Path file, long base, long size) {}

  /** A range of positions {@code [from, to)}. */
  public record Range(long from, long to) {}

  private final ThreadLocal<Writer> writers = ThreadLocal.withInitial(Writer::new);
  private final JournalConfig config;
  private final Path dir;
  private final String id;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final JournalState state;
  private final long recoverableEnd;
  private final boolean syncDir;

  /**
   * Segments the preparer keeps ready after the current one: two, so that an appender finds the
   * next segment ready even when the preparer was descheduled while the previous one filled.
   */
  static final int PREPARED_AHEAD = 2;

  /** Guards live, old, spares and segment creation. */
  private final Object segments = new Object();

  private final ArrayDeque<Segment> live = new ArrayDeque<>();
  private final List<OldFile> old;

  /** Prepared segments, each following the previous one (the first follows the current one). */
  private final ArrayDeque<Segment> spares = new ArrayDeque<>();

  private volatile Segment current;
  private volatile boolean closed;

  private final LongAdder appended = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong fsyncs = new AtomicLong();
  private final AtomicLong fsyncNanos = new AtomicLong();

  /** Prepares the next segments ahead of need; {@code null} without background threads (tests). */
  private final Thread preparer;

  /**
   * Every interval unmaps the windows appenders have left and, under policy {@code interval},
   * forces what was appended ({@link #syncPass}); {@code null} without background threads (tests).
   */
  private final Thread syncer;

  private volatile IOException spareError;

  private Journal(
      JournalConfig config,
      FileChannel lockChannel,
      FileLock lock,
      String id,
      JournalState state,
      List<OldFile> old,
      Segment first,
      boolean background) {
    this.config = config;
    this.dir = config.dir();
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.id = id;
    this.state = state;
    this.old = old;
    this.current = first;
    this.live.add(first);
    this.recoverableEnd = first.base;
    this.syncDir = config.fsync() != FsyncPolicy.NONE;
    this.preparer =
        background ? new Thread(this::runPreparer, "usagesink-journal-" + dir.getFileName()) : null;
    this.syncer =
        background
            ? new Thread(this::runSyncer, "usagesink-journal-sync-" + dir.getFileName())
            : null;
    if (preparer != null) {
      preparer.setDaemon(true);
      preparer.start();
    }
    if (syncer != null) {
      syncer.setDaemon(true);
      syncer.start();
    }
  }

  /**
   * Opens (creating if needed) the journal in {@code config.dir()}: locks it, loads its state,
   * finds the segments of earlier processes (for {@link #reader}) and creates the first segment of
   * this process.
   *
   * @throws JournalException if the directory cannot be created or written, another process (or
   *     another journal in this one) holds it, or the first segment cannot be created (full disk)
   */
  public static Journal open(JournalConfig config) {
    return open(config, true);
  }

  /**
   * {@link #open(JournalConfig)}; {@code background} {@code false} starts neither the preparer nor
   * the sync thread, so that a test runs their passes itself ({@link #prepareSpares()}, {@link
   * #syncPass()}), one at a time, and observes each.
   */
  static Journal open(JournalConfig config, boolean background) {
    Objects.requireNonNull(config, "config");
    Path dir = config.dir().toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new JournalException("cannot create journal directory " + dir + ": " + describe(e), e);
    }
    FileChannel lockChannel;
    try {
      lockChannel =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new JournalException(
          "journal directory " + dir + " is not writable: " + describe(e), e);
    }
    FileLock lock = null;
    try {
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new JournalException(
            "journal directory "
                + dir
                + " is already open in this process;"
                + " only one sink may use a journal directory at a time",
            e);
      }
      if (lock == null) {
        throw new JournalException(
            "journal directory "
                + dir
                + " is in use by another process (it holds "
                + dir.resolve(LOCK_FILE)
                + "); only one process may use a journal directory at a time",
            null);
      }
      String id = loadId(dir);
      JournalState state = new JournalState(dir, config.fsync() != FsyncPolicy.NONE);
      List<OldFile> old = scan(dir, state.released);
      long next = state.released;
      for (OldFile f : old) {
        next = Math.max(next, f.base() + f.size());
      }
      Segment first = Segment.create(dir, next, config.segmentBytes());
      if (config.fsync() != FsyncPolicy.NONE) {
        syncDirectory(dir);
      }
      return new Journal(
          new JournalConfig(dir, config.fsync(), config.fsyncInterval(), config.segmentBytes()),
          lockChannel,
          lock,
          id,
          state,
          old,
          first,
          background);
    } catch (IOException | RuntimeException e) {
      try {
        if (lock != null) {
          lock.release();
        }
        lockChannel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof JournalException je) {
        throw je;
      }
      throw new JournalException("cannot open journal in " + dir + ": " + describe(e), e);
    }
  }

  private static String loadId(Path dir) throws IOException {
    Path file = dir.resolve(ID_FILE);
    if (Files.exists(file)) {
      String s = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!s.isEmpty()) {
        return s;
      }
    }
    String s = UUID.randomUUID().toString();
    Path tmp = dir.resolve(ID_FILE + ".tmp");
    Files.writeString(tmp, s, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return s;
  }

  /** The segment files in {@code dir} not entirely released; deletes the rest and leftovers. */
  private static List<OldFile> scan(Path dir, long released) throws IOException {
    List<OldFile> old = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f); // a segment whose creation a crash interrupted: never used
          continue;
        }
        if (!name.endsWith(Segment.SUFFIX)) {
          continue;
        }
        long base;
        try {
          base = Long.parseLong(name.substring(0, name.length() - Segment.SUFFIX.length()));
        } catch (NumberFormatException e) {
          LOG.warn("journal {}: ignoring {}, not a segment name", dir, name);
          continue;
        }
        long size = Files.size(f);
        if (base + size <= released) {
          Files.deleteIfExists(f); // released, not yet deleted when the earlier process stopped
        } else {
          old.add(new OldFile(f, base, size));
        }
      }
    }
    old.sort(Comparator.comparingLong(OldFile::base));
    return old;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** The id of this journal directory, created with it: names its batches in guard ids. */
  public String id() {
    return id;
  }

  /**
   * The guard id of the batch covering the positions {@code [from, to)}: {@code <journal
   * id>:<from>-<to>}, the same in every process that opens this directory.
   */
  public String batchId(long from, long to) {
    return id + ":" + from + "-" + to;
  }

  /** The directory (absolute). */
  public Path dir() {
    return dir;
  }

  /** The configuration. */
  public JournalConfig config() {
    return config;
  }

  /**
   * Appends {@code event}; returns its position once it is in the page cache (and on storage under
   * {@link FsyncPolicy#ALWAYS}).
   *
   * @throws JournalException if a segment cannot be created or forced (the event is not journaled;
   *     counted in {@link JournalStats#appendFailures()})
   * @throws IllegalArgumentException if the encoded event is larger than a segment allows
   * @throws IllegalStateException after {@link #close()}
   */
  public long append(UsageEvent event) {
    checkFits(event);
    Writer w = writers.get();
    for (; ; ) {
      Segment s = enterCurrent();
      try {
        int key = stringId(w, s, event.keyId());
        int account = key == FULL ? FULL : stringId(w, s, event.accountId());
        int model = account == FULL ? FULL : stringId(w, s, event.model());
        if (model != FULL) {
          long position = put(w, s, w.codec.encodeEventRefs(event, key, account, model, HEADER));
          if (position >= 0) {
            appended.increment();
            return position;
          }
        }
      } finally {
        s.exit();
      }
      roll(s);
    }
  }

  /**
   * Appends a record cancelling the event at {@code position} (appended by this process, not
   * stored): readers skip that event. Same contract as {@link #append}.
   */
  public long cancel(long position) {
    Writer w = writers.get();
    for (; ; ) {
      Segment s = enterCurrent();
      try {
        long at = put(w, s, w.codec.encodeCancel(position, HEADER));
        if (at >= 0) {
          appended.increment();
          return at;
        }
      } finally {
        s.exit();
      }
      roll(s);
    }
  }

  /**
   * Refuses an event whose records (its names' definitions and itself) could not fit together in an
   * empty segment, so {@link #append} never rolls in vain. Names of usual lengths pass at a glance;
   * the bytes are counted only for very long ones.
   */
  private void checkFits(UsageEvent e) {
    int room = config.segmentBytes() - Segment.HEADER;
    long chars = chars(e.id()) + chars(e.keyId()) + chars(e.accountId()) + chars(e.model());
    long worst = 3 * chars + 4 * 32 + 128; // UTF-8 takes at most 3 bytes a char; framing, counts
    if (worst <= room) {
      return;
    }
    long bytes =
        utf8(e.id()) + utf8(e.keyId()) + utf8(e.accountId()) + utf8(e.model()) + 4 * 32 + 128;
    if (bytes > room) {
      throw new IllegalArgumentException(
          "journal record of "
              + bytes
              + " bytes is larger than a segment of "
              + config.segmentBytes()
              + " bytes allows (usagesink.buffered.journal segment size)");
    }
  }

  private static long chars(String s) {
    return s == null ? 0 : s.length();
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A {@link #stringId} of a segment too full for the string's record. */
  private static final int FULL = -2;

  private static final int HEADER = Records.HEADER;

  /** The segment appends go to now (for tests). */
  Segment currentSegment() {
    return current;
  }

  /** The current segment, entered (exit it when done). */
  private Segment enterCurrent() {
    for (; ; ) {
      Segment s = current;
      if (s.enter()) {
        return s;
      }
      if (closed) {
        throw new IllegalStateException("journal " + dir + " is closed");
      }
    }
  }

  /**
   * The id of {@code string} in the dictionary of {@code s} (entered): the published one, or a new
   * one whose {@link EventCodec#TYPE_STRING} record this call writes (and forces under {@code
   * always}) before it publishes the id, so every record that refers to an id lies after the record
   * defining it and is acknowledged only once that record is written. -1 for {@code null}; {@link
   * #FULL} when the record does not fit in {@code s}. Two threads may define one string twice; one
   * id is published and both records are valid.
   */
  private int stringId(Writer w, Segment s, String string) {
    if (string == null) {
      return -1;
    }
    Integer id = s.strings.get(string);
    if (id != null) {
      return id;
    }
    int fresh = s.nextStringId();
    if (put(w, s, w.codec.encodeString(fresh, string, HEADER)) < 0) {
      return FULL;
    }
    Integer won = s.strings.putIfAbsent(string, fresh);
    return won != null ? won : fresh;
  }

  /**
   * Writes the payload of {@code len} bytes in {@code w}'s buffer as one record in {@code s}
   * (entered); its position, or -1 when it does not fit (the segment is full: roll).
   */
  private long put(Writer w, Segment s, int len) {
    int total = Records.total(len);
    if (len > Records.MAX_PAYLOAD || total > config.segmentBytes() - Segment.HEADER) {
      throw new IllegalArgumentException(
          "journal record of "
              + len
              + " bytes is larger than a segment of "
              + config.segmentBytes()
              + " bytes allows (usagesink.buffered.journal segment size)");
    }
    long off = s.reserve(total);
    if (off + total > s.capacity) {
      return -1;
    }
    long position = s.base + off;
    byte[] buf = w.codec.buf;
    Records.frame(buf, len, position, w.crc, w.scratch);
    s.write(off, buf, HEADER + len);
    if (config.fsync() == FsyncPolicy.ALWAYS) {
      force(s, (int) off, total);
    }
    return position;
  }

  private void force(Segment s, int off, int len) {
    long t0 = System.nanoTime();
    try {
      s.force(off, len);
    } catch (RuntimeException e) {
      failures.increment();
      throw new JournalException(
          "journal " + dir + ": forcing " + s + " to storage failed: " + e, e);
    }
    fsyncs.incrementAndGet();
    fsyncNanos.addAndGet(System.nanoTime() - t0);
  }

  /** Replaces the full segment {@code s} by the next one (the prepared spare, or a new one). */
  private void roll(Segment s) {
    synchronized (segments) {
      if (current != s) {
        return;
      }
      if (closed) {
        throw new IllegalStateException("journal " + dir + " is closed");
      }
      long base = s.base + s.capacity;
      Segment n = spares.peekFirst();
      if (n != null && n.base == base) {
        spares.pollFirst();
      } else {
        while (!spares.isEmpty()) {
          discard(spares.pollFirst());
        }
        n = null;
      }
      if (n != null && !n.dirSynced && config.fsync() == FsyncPolicy.ALWAYS) {
        try {
          syncDirectory(dir); // its directory entry must be durable before an append there returns
        } catch (IOException e) {
          failures.increment();
          throw new JournalException(
              "journal " + dir + ": cannot force the directory: " + describe(e), e);
        }
      }
      if (n == null) {
        try {
          n = Segment.create(dir, base, config.segmentBytes());
          if (syncDir) {
            syncDirectory(dir);
          }
        } catch (IOException e) {
          failures.increment();
          // the reason without the (random) temporary file name: one failure reason while
          // the cause lasts
          throw new JournalException(
              "journal " + dir + ": cannot create the next segment: " + reason(e), e);
        }
      }
      live.add(n);
      current = n;
    }
    LockSupport.unpark(preparer);
  }

  private static void discard(Segment s) {
    s.retire();
    try {
      Files.deleteIfExists(s.file);
    } catch (IOException e) {
      LOG.warn("journal: cannot delete {}: {}", s.file, describe(e));
    }
  }

  /**
   * A position {@code p} such that every record appended so far lies before {@code p}, and every
   * later one at or after it, provided no append is in progress when it is called.
   */
  public long nextPosition() {
    Segment s = current;
    return s.base + s.end();
  }

  /** The first position of this process: records before it were appended by earlier ones. */
  public long recoverableEnd() {
    return recoverableEnd;
  }

  /** The position before which everything is stored (persisted; 0 for a new journal). */
  public long released() {
    synchronized (state) {
      return state.released;
    }
  }

  /**
   * The batch that was being stored when the last {@link #beginBatch} was not followed by a
   * release.
   */
  public Optional<Range> pendingBatch() {
    synchronized (state) {
      return state.pendingFrom < 0
          ? Optional.empty()
          : Optional.of(new Range(state.pendingFrom, state.pendingTo));
    }
  }

  /**
   * Persists that the batch {@code [from, to)} is about to be stored, so a recovery after a crash
   * writes exactly that batch again (under the same guard id).
   *
   * @throws JournalException if the state file cannot be written
   */
  public void beginBatch(long from, long to) {
    if (from > to) {
      throw new IllegalArgumentException("batch from " + from + " must be <= to " + to);
    }
    synchronized (state) {
      try {
        state.write(state.released, from, to);
      } catch (IOException e) {
        throw new JournalException(
            "journal " + dir + ": cannot write " + JournalState.FILE + ": " + describe(e), e);
      }
    }
  }

  /**
   * Persists that every record before {@code position} is stored (or given up and counted) and
   * deletes the segment files entirely before it. A position at or before the released one is
   * ignored.
   *
   * @throws JournalException if the state file cannot be written
   */
  public void release(long position) {
    synchronized (state) {
      if (position <= state.released) {
        return;
      }
      try {
        state.write(position, -1, -1);
      } catch (IOException e) {
        throw new JournalException(
            "journal " + dir + ": cannot write " + JournalState.FILE + ": " + describe(e), e);
      }
    }
    List<Segment> drop = new ArrayList<>();
    List<OldFile> dropOld = new ArrayList<>();
    synchronized (segments) {
      while (live.size() > 1 && live.peekFirst().base + live.peekFirst().capacity <= position) {
        drop.add(live.pollFirst());
      }
      old.removeIf(
          f -> {
            if (f.base() + f.size() <= position) {
              dropOld.add(f);
              return true;
            }
            return false;
          });
    }
    for (Segment s : drop) {
      discard(s);
    }
    for (OldFile f : dropOld) {
      try {
        Files.deleteIfExists(f.file());
      } catch (IOException e) {
        LOG.warn("journal {}: cannot delete {}: {}", dir, f.file(), describe(e));
      }
    }
  }

  /**
   * A reader of the events earlier processes appended from {@code from} (raised to {@link
   * #released()}) to {@link #recoverableEnd()}. Close it when done.
   */
  public JournalReader reader(long from) {
    List<OldFile> files;
    synchronized (segments) {
      files = List.copyOf(old);
    }
    return new JournalReader(files, Math.max(from, released()), recoverableEnd);
  }

  /**
   * A reader of the events earlier processes appended in {@code [from, to)} ({@code from} raised to
   * {@link #released()}, {@code to} capped at {@link #recoverableEnd()}), skipping events cancelled
   * by a record anywhere before {@link #recoverableEnd()}: reading a range gives exactly the events
   * a read of the whole journal gives there. Close it when done.
   */
  public JournalReader reader(long from, long to) {
    List<OldFile> files;
    synchronized (segments) {
      files = List.copyOf(old);
    }
    long start = Math.max(from, released());
    return new JournalReader(
        files, start, Math.max(start, Math.min(to, recoverableEnd)), recoverableEnd);
  }

  /** A snapshot of the figures. */
  public JournalStats stats() {
    long count = 0;
    long bytes = 0;
    synchronized (segments) {
      for (Segment s : live) {
        count++;
        bytes += s.capacity;
      }
      for (Segment s : spares) {
        count++;
        bytes += s.capacity;
      }
      for (OldFile f : old) {
        count++;
        bytes += f.size();
      }
    }
    return new JournalStats(
        count,
        bytes,
        appended.sum(),
        failures.sum(),
        fsyncs.get(),
        fsyncNanos.get(),
        released(),
        nextPosition());
  }

  private void runPreparer() {
    while (!closed) {
      try {
        prepareSpares();
      } catch (RuntimeException e) {
        LOG.error("journal {}: preparing segments failed", dir, e);
      }
      LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1)); // a roll unparks it at once
    }
  }

  private void runSyncer() {
    long intervalNanos = config.fsyncInterval().toNanos();
    while (!closed) {
      try {
        pass(config.fsync() == FsyncPolicy.INTERVAL);
      } catch (RuntimeException e) {
        LOG.error("journal {}: background work failed", dir, e);
      }
      LockSupport.parkNanos(this, intervalNanos);
    }
  }

  /**
   * Creates the next segments ahead of need, up to {@link #PREPARED_AHEAD}: writes each file
   * outside the segments lock (appends and rolls go on), then installs it under the lock unless a
   * roll moved past its base meanwhile. Runs on the preparer thread only (or, without background
   * threads, on a test's).
   */
  void prepareSpares() {
    for (; ; ) {
      long base;
      synchronized (segments) {
        if (spares.size() >= PREPARED_AHEAD || closed) {
          return;
        }
        Segment last = spares.isEmpty() ? current : spares.peekLast();
        base = last.base + last.capacity;
      }
      Segment prepared;
      try {
        prepared = Segment.prepare(dir, base, config.segmentBytes());
        synchronized (segments) {
          Segment last = spares.isEmpty() ? current : spares.peekLast();
          if (closed || last.base + last.capacity != base) {
            prepared.abandon(); // a roll got there first
            continue;
          }
          prepared.install();
          spares.addLast(prepared);
        }
        if (syncDir) {
          syncDirectory(dir);
          prepared.dirSynced = true;
        }
        if (spareError != null) {
          LOG.info("journal {}: segments can be created again", dir);
          spareError = null;
        }
      } catch (IOException e) {
        if (spareError == null) {
          LOG.warn(
              "journal {}: cannot prepare the next segment (appends will fail when the current one"
                  + " is full unless this clears): {}",
              dir,
              describe(e));
        }
        spareError = e;
        return;
      }
    }
  }

  /**
   * Forces what was appended since the last pass; each segment until it is full and complete. Runs
   * on the sync thread only (or, without background threads, on a test's).
   */
  void syncPass() {
    pass(true);
  }

  /**
   * Unmaps the windows appenders have left ({@link Segment#unmapWindowsBelow}) and, when {@code
   * force}, forces what was appended since the last pass. Unmapping matters under every policy: the
   * kernel writes dirty pages back on its own too (after 30 s by default), and every page still
   * mapped then costs the appending thread an interrupt.
   */
  void pass(boolean force) {
    Segment[] all;
    synchronized (segments) {
      all = live.toArray(new Segment[0]);
    }
    for (Segment s : all) {
      if (s.synced >= s.capacity || !s.enter()) {
        continue;
      }
      try {
        // the end first: a reservation below it was made by a user who entered before, so once
        // nobody else is inside, every byte below it is written and no later append goes there
        boolean full = s.full();
        long end = s.end();
        boolean quiet = s.usersBesideMe() == 0;
        if (quiet) {
          s.unmapWindowsBelow(end); // before forcing: pages without mappings to write-protect
        }
        if (force && (end > s.synced || !quiet)) {
          long t0 = System.nanoTime();
          // from what the last quiet pass forced on: bytes below it are on storage and never
          // written again; an append still in progress lies above it, so the range covers it
          int from = (int) Math.min(s.synced, end);
          s.force(from, (int) end - from);
          fsyncs.incrementAndGet();
          fsyncNanos.addAndGet(System.nanoTime() - t0);
        }
        if (quiet && force) {
          s.synced = full ? s.capacity : end;
        }
      } catch (RuntimeException e) {
        LOG.error("journal {}: forcing {} to storage failed: {}", dir, s, e.toString());
      } finally {
        s.exit();
      }
    }
  }

  /**
   * Forces what was appended (unless the policy is {@code none}), unmaps and closes. Appends must
   * have stopped; those still in progress complete, later ones throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    List<Segment> all;
    synchronized (segments) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(live);
      while (!spares.isEmpty()) {
        discard(spares.pollFirst());
      }
    }
    try {
      for (Thread t : new Thread[] {preparer, syncer}) {
        if (t != null) {
          LockSupport.unpark(t);
          t.join(TimeUnit.SECONDS.toMillis(10));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Segment s : all) {
      if (config.fsync() != FsyncPolicy.NONE && s.synced < s.capacity && s.enter()) {
        try {
          s.force(0, (int) s.end());
        } catch (RuntimeException e) {
          LOG.error("journal {}: forcing {} at close failed: {}", dir, s, e.toString());
        } finally {
          s.exit();
        }
      }
      s.retire();
    }
    try {
      state.close();
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("journal {}: closing failed: {}", dir, describe(e));
    }
  }

  /** Why {@code e} happened, without the file it names (e.g. {@code Not a directory}). */
  static String reason(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return describe(e);
  }

  static String describe(Throwable e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory: " + n.getFile();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() != null ? ": " + f.getFile() : "");
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
