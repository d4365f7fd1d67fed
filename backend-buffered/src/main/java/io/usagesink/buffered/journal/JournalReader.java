package io.usagesink.buffered.journal;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads, in position order, the events earlier processes appended to a journal, skipping cancelled
 * events, holes and bad regions (see {@link ReadReport}). A first pass collects the cancel records,
 * so {@link #next()} never delivers an event a later record cancels. Not thread-safe; close it to
 * unmap the segment being read.
 */
public final class JournalReader implements AutoCloseable {

  private final Set<Long> cancelled = new HashSet<>();
  private final Cursor cursor;
  private final long from;
  private long events;
  private long skipped;
  private long position = -1;
  private long nextPosition;
  private UsageEvent event;

  JournalReader(List<Journal.OldFile> files, long from, long end) {
    this(files, from, end, end);
  }

  /**
   * Delivers the events of {@code [from, end)}, skipping those cancelled by a record anywhere in
   * {@code [from, cancelScanEnd)} ({@code cancelScanEnd >= end}): a range cut at any position reads
   * the same events as the whole range does there.
   */
  JournalReader(List<Journal.OldFile> files, long from, long end, long cancelScanEnd) {
    this.from = from;
    this.nextPosition = from;
    try (Cursor pass1 = new Cursor(files, from, Math.max(end, cancelScanEnd))) {
      while (pass1.advance()) {
        if (pass1.decoded.cancelled() >= 0) {
          cancelled.add(pass1.decoded.cancelled());
        }
      }
    }
    this.cursor = new Cursor(files, from, end);
  }

  /**
   * Moves to the next event; {@code false} at the end.
   *
   * @throws UncheckedIOException if a segment file cannot be read
   */
  public boolean next() {
    while (cursor.advance()) {
      nextPosition = cursor.recordEnd;
      EventCodec.Decoded d = cursor.decoded;
      if (d.event() == null) {
        continue;
      }
      if (cancelled.contains(cursor.recordPosition)) {
        skipped++;
        continue;
      }
      position = cursor.recordPosition;
      event = d.event();
      events++;
      return true;
    }
    nextPosition = Math.max(nextPosition, cursor.endReached);
    event = null;
    return false;
  }

  /** The position of the current event. */
  public long position() {
    return position;
  }

  /** The position after the current record: everything before it has been read. */
  public long nextPosition() {
    return nextPosition;
  }

  /** The current event. */
  public UsageEvent event() {
    return event;
  }

  /** What was read so far. */
  public ReadReport report() {
    return new ReadReport(
        from,
        nextPosition,
        events,
        skipped,
        cursor.badRegions,
        cursor.badBytes,
        cursor.firstBad,
        cursor.holes);
  }

  @Override
  public void close() {
    cursor.close();
  }

  /** Walks the valid records of a list of segment files between two positions. */
  private static final class Cursor implements AutoCloseable {
    private final List<Journal.OldFile> files;
    private final long from;
    private final long end;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[8];

    /** The dictionary of the open segment. */
    private EventCodec.Strings strings;

    private int fileIndex = -1;
    private Segment seg;
    private ByteBuffer buf;
    private int limit;
    private int off;
    long recordPosition;
    long recordEnd;
    long endReached;
    EventCodec.Decoded decoded;
    long badRegions;
    long badBytes;
    long firstBad = -1;
    long holes;

    Cursor(List<Journal.OldFile> files, long from, long end) {
      this.files = files;
      this.from = from;
      this.end = end;
      this.endReached = from;
    }

    boolean advance() {
      for (; ; ) {
        if (seg == null && !openNext()) {
          return false;
        }
        if (nextRecord()) {
          return true;
        }
        endReached = Math.min(end, seg.base + limit);
        close();
      }
    }

    private boolean openNext() {
      while (++fileIndex < files.size()) {
        Journal.OldFile f = files.get(fileIndex);
        if (f.base() + f.size() <= from || f.base() >= end) {
          continue;
        }
        try {
          seg = Segment.openForReading(f.file(), f.base());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "journal: cannot read " + f.file() + ": " + Journal.describe(e), e);
        }
        if (seg == null) {
          continue; // not a segment (cut short while created): nothing was appended to it
        }
        buf = seg.buffer;
        limit = (int) Math.min(seg.capacity, end - seg.base);
        off = (int) Math.max(Segment.HEADER, from - seg.base);
        off = (off + 7) & ~7;
        strings = new EventCodec.Strings();
        readStringsBefore(off);
        return true;
      }
      return false;
    }

    /** The next valid record of the open segment, skipping holes and bad regions. */
    private boolean nextRecord() {
      while (off + Records.HEADER <= limit) {
        int len = Records.validLength(buf, off, limit, seg.base, crc, scratch);
        if (len > 0 && decode(len)) {
          return true;
        }
        // not a record: zeros (unused space, or an append that never completed) or bad bytes
        int start = off;
        int lastNonZero = -1;
        off += 8;
        for (; ; ) {
          while (off + 8 <= limit && buf.getLong(off) == 0) {
            off += 8;
          }
          if (off + Records.HEADER > limit) {
            break;
          }
          if (Records.validLength(buf, off, limit, seg.base, crc, scratch) > 0) {
            break;
          }
          lastNonZero = off;
          off += 8;
        }
        boolean startNonZero = buf.getLong(start) != 0;
        if (startNonZero || lastNonZero >= 0) {
          int badFrom = startNonZero ? start : firstNonZero(start);
          int badTo = (lastNonZero >= 0 ? lastNonZero : start) + 8;
          badRegions++;
          badBytes += badTo - badFrom;
          if (firstBad < 0) {
            firstBad = seg.base + badFrom;
          }
        } else if (off + Records.HEADER <= limit) {
          holes++;
        }
      }
      return false;
    }

    /**
     * Reads the dictionary strings the segment defines before {@code until} (where reading starts),
     * so the events after it can be decoded.
     */
    private void readStringsBefore(int until) {
      int o = Segment.HEADER;
      while (o + Records.HEADER <= until) {
        int len = Records.validLength(buf, o, limit, seg.base, crc, scratch);
        if (len <= 0) {
          o += 8;
          continue;
        }
        if (buf.get(o + Records.HEADER) == EventCodec.TYPE_STRING) {
          ByteBuffer b = buf.duplicate().order(buf.order());
          b.position(o + Records.HEADER);
          try {
            EventCodec.decode(b, len, strings);
          } catch (RuntimeException e) {
            // unreadable: the events referring to it are reported bad when read
          }
        }
        o += Records.total(len);
      }
    }

    private int firstNonZero(int at) {
      while (buf.getLong(at) == 0) {
        at += 8;
      }
      return at;
    }

    private boolean decode(int len) {
      ByteBuffer b = buf.duplicate().order(buf.order());
      b.position(off + Records.HEADER);
      try {
        decoded = EventCodec.decode(b, len, strings);
      } catch (RuntimeException e) {
        return false; // a valid checksum over a payload this version cannot read: treat as bad
      }
      recordPosition = seg.base + off;
      off += Records.total(len);
      recordEnd = seg.base + off;
      return true;
    }

    @Override
    public void close() {
      if (seg != null) {
        Unmapper.unmap(seg.buffer);
        seg = null;
        buf = null;
      }
    }
  }
}
