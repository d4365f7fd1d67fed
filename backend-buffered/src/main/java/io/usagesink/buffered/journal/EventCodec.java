package io.usagesink.buffered.journal;

import io.usagesink.UsageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The binary form of a journal record's payload. Not thread-safe: each appending thread owns one (a
 * thread-local in {@link Journal}); decoding is static.
 *
 * <p>Payload: a type byte, then by type:
 *
 * <ul>
 *   <li>{@link #TYPE_STRING} (format 2): a string of the segment's dictionary: its id (varint) and
 *       the string (varint byte length + UTF-8). It precedes, in the same segment, every record
 *       that refers to the id.
 *   <li>{@link #TYPE_EVENT_REFS} (format 2, what this version writes): a flags byte (id, keyId,
 *       accountId present, longContext, millis), the epoch second (zig-zag varlong) of {@code at}
 *       and its nanos (varint), or its millis of the second when the nanos are whole millis; the
 *       event id in full when present (ids are unique); the keyId, accountId (when present) and
 *       model as dictionary ids (varints); a byte whose bit {@code k} says the {@code k}-th of the
 *       eight counts is not zero; those counts as varlongs. About 32 bytes framed, against 72 for
 *       {@link #TYPE_EVENT} with typical names.
 *   <li>{@link #TYPE_EVENT} (format 1, read only): flags (id, keyId, accountId present,
 *       longContext), the epoch second (zig-zag varlong) and nanos (varint) of {@code at}, the
 *       present strings in full (varint byte length + UTF-8; model always), the eight counts as
 *       varlongs.
 *   <li>{@link #TYPE_CANCEL}: the position of the cancelled event record as a varlong.
 * </ul>
 */
final class EventCodec {

  static final byte TYPE_EVENT = 1;
  static final byte TYPE_CANCEL = 2;
  static final byte TYPE_STRING = 3;
  static final byte TYPE_EVENT_REFS = 4;

  private static final int F_ID = 1;
  private static final int F_KEY = 2;
  private static final int F_ACCOUNT = 4;
  private static final int F_LONG_CONTEXT = 8;
  private static final int F_MILLIS = 16;

  /** Bytes encoded so far (after {@link #encodeEvent}, the payload length). */
  int length;

  byte[] buf = new byte[256];

  /** Encodes {@code e} into {@link #buf} at {@code offset}; returns the payload length. */
  int encodeEvent(UsageEvent e, int offset) {
    length = offset;
    int flags =
        (e.id() != null ? F_ID : 0)
            | (e.keyId() != null ? F_KEY : 0)
            | (e.accountId() != null ? F_ACCOUNT : 0)
            | (e.longContext() ? F_LONG_CONTEXT : 0);
    ensure(2 + 10 + 5 + 8 * 10);
    buf[length++] = TYPE_EVENT;
    buf[length++] = (byte) flags;
    Instant at = e.at();
    long s = at.getEpochSecond();
    putVarLong((s << 1) ^ (s >> 63));
    putVarLong(at.getNano());
    if (e.id() != null) {
      putString(e.id());
    }
    if (e.keyId() != null) {
      putString(e.keyId());
    }
    if (e.accountId() != null) {
      putString(e.accountId());
    }
    putString(e.model());
    ensure(8 * 10);
    putVarLong(e.inputTokens());
    putVarLong(e.outputTokens());
    putVarLong(e.cacheCreateTokens());
    putVarLong(e.cacheReadTokens());
    putVarLong(e.ephemeral5mTokens());
    putVarLong(e.ephemeral1hTokens());
    putVarLong(e.realCostMicros());
    putVarLong(e.ratedCostMicros());
    return length - offset;
  }

  /**
   * Encodes {@code e} as a {@link #TYPE_EVENT_REFS} record at {@code offset}, its names given as
   * the dictionary ids {@code key} and {@code account} (-1 when absent) and {@code model}; returns
   * the payload length.
   */
  int encodeEventRefs(UsageEvent e, int key, int account, int model, int offset) {
    length = offset;
    ensure(2 + 10 + 5 + 3 * 5 + 1 + 8 * 10);
    int flagsAt = length + 1;
    buf[length] = TYPE_EVENT_REFS;
    length += 2;
    Instant at = e.at();
    long s = at.getEpochSecond();
    putVarLong((s << 1) ^ (s >> 63));
    int nano = at.getNano();
    int flags =
        (e.id() != null ? F_ID : 0)
            | (key >= 0 ? F_KEY : 0)
            | (account >= 0 ? F_ACCOUNT : 0)
            | (e.longContext() ? F_LONG_CONTEXT : 0);
    if (nano % 1_000_000 == 0) {
      flags |= F_MILLIS;
      putVarLong(nano / 1_000_000);
    } else {
      putVarLong(nano);
    }
    buf[flagsAt] = (byte) flags;
    if (e.id() != null) {
      putString(e.id());
      ensure(3 * 5 + 1 + 8 * 10);
    }
    if (key >= 0) {
      putVarLong(key);
    }
    if (account >= 0) {
      putVarLong(account);
    }
    putVarLong(model);
    int maskAt = length++;
    int mask = 0;
    mask |= putCount(e.inputTokens(), 0);
    mask |= putCount(e.outputTokens(), 1);
    mask |= putCount(e.cacheCreateTokens(), 2);
    mask |= putCount(e.cacheReadTokens(), 3);
    mask |= putCount(e.ephemeral5mTokens(), 4);
    mask |= putCount(e.ephemeral1hTokens(), 5);
    mask |= putCount(e.realCostMicros(), 6);
    mask |= putCount(e.ratedCostMicros(), 7);
    buf[maskAt] = (byte) mask;
    return length - offset;
  }

  private int putCount(long v, int bit) {
    if (v == 0) {
      return 0;
    }
    putVarLong(v);
    return 1 << bit;
  }

  /**
   * Encodes a {@link #TYPE_STRING} record defining {@code id} as {@code s} at {@code offset};
   * returns the payload length.
   */
  int encodeString(int id, String s, int offset) {
    length = offset;
    ensure(1 + 5);
    buf[length++] = TYPE_STRING;
    putVarLong(id);
    putString(s);
    return length - offset;
  }

  /** Encodes a cancel record of {@code position} at {@code offset}; returns the payload length. */
  int encodeCancel(long position, int offset) {
    length = offset;
    ensure(11);
    buf[length++] = TYPE_CANCEL;
    putVarLong(position);
    return length - offset;
  }

  private void ensure(int more) {
    if (length + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
    }
  }

  private void putVarLong(long v) {
    byte[] b = buf;
    int i = length;
    while ((v & ~0x7FL) != 0) {
      b[i++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[i++] = (byte) v;
    length = i;
  }

  private void putString(String s) {
    int n = s.length();
    ensure(5 + n);
    int start = length;
    // ASCII fast path: one byte per char after a length that fits in the bytes reserved for it
    int lenBytes = n < 0x80 ? 1 : n < 0x4000 ? 2 : 5;
    int i = start + lenBytes;
    byte[] b = buf;
    for (int k = 0; k < n; k++) {
      char c = s.charAt(k);
      if (c >= 0x80) {
        putBytes(s.getBytes(StandardCharsets.UTF_8));
        return;
      }
      b[i++] = (byte) c;
    }
    if (lenBytes == 1) {
      b[start] = (byte) n;
    } else if (lenBytes == 2) {
      b[start] = (byte) ((n & 0x7F) | 0x80);
      b[start + 1] = (byte) (n >>> 7);
    } else {
      length = start;
      putFixedVarInt5(n);
    }
    length = i;
  }

  private void putFixedVarInt5(int n) {
    for (int k = 0; k < 4; k++) {
      buf[length++] = (byte) (((n >>> (7 * k)) & 0x7F) | 0x80);
    }
    buf[length++] = (byte) (n >>> 28);
  }

  private void putBytes(byte[] bytes) {
    ensure(5 + bytes.length);
    putVarLong(bytes.length);
    System.arraycopy(bytes, 0, buf, length, bytes.length);
    length += bytes.length;
  }

  /**
   * A decoded payload: an event, or the position a cancel record cancels (else -1), or neither (a
   * dictionary string, added to the segment's {@link Strings}).
   */
  record Decoded(UsageEvent event, long cancelled) {}

  private static final Decoded STRING = new Decoded(null, -1);

  /** The dictionary of one segment as a reader met it: ids to strings. Not thread-safe. */
  static final class Strings {
    private String[] byId = new String[16];

    void put(int id, String s) {
      if (id >= byId.length) {
        byId = Arrays.copyOf(byId, Math.max(byId.length * 2, id + 1));
      }
      byId[id] = s;
    }

    String get(long id) {
      String s = id >= 0 && id < byId.length ? byId[(int) id] : null;
      if (s == null) {
        throw new IllegalArgumentException("dictionary id " + id + " not defined before its use");
      }
      return s;
    }
  }

  /**
   * Decodes the payload of {@code len} bytes at {@code b.position()} (the position is advanced).
   *
   * @throws IllegalArgumentException if the payload is malformed (an unknown type, a value out of
   *     range or bytes left over); a record with a valid checksum never is, unless written by a
   *     newer version
   */
  static Decoded decode(ByteBuffer b, int len, Strings strings) {
    int end = b.position() + len;
    byte type = b.get();
    Decoded d;
    if (type == TYPE_EVENT_REFS) {
      int flags = b.get();
      long zz = getVarLong(b);
      long seconds = (zz >>> 1) ^ -(zz & 1);
      long nanos = getVarLong(b);
      if ((flags & F_MILLIS) != 0) {
        nanos *= 1_000_000;
      }
      String id = (flags & F_ID) != 0 ? getString(b) : null;
      String key = (flags & F_KEY) != 0 ? strings.get(getVarLong(b)) : null;
      String account = (flags & F_ACCOUNT) != 0 ? strings.get(getVarLong(b)) : null;
      String model = strings.get(getVarLong(b));
      int mask = b.get() & 0xFF;
      long[] c = new long[8];
      for (int k = 0; k < 8; k++) {
        if ((mask & (1 << k)) != 0) {
          c[k] = getVarLong(b);
        }
      }
      d =
          new Decoded(
              new UsageEvent(
                  id,
                  Instant.ofEpochSecond(seconds, nanos),
                  key,
                  account,
                  model,
                  c[0],
                  c[1],
                  c[2],
                  c[3],
                  c[4],
                  c[5],
                  (flags & F_LONG_CONTEXT) != 0,
                  c[6],
                  c[7]),
              -1);
    } else if (type == TYPE_STRING) {
      long id = getVarLong(b);
      if (id < 0 || id > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("dictionary id " + id + " out of range");
      }
      strings.put((int) id, getString(b));
      d = STRING;
    } else if (type == TYPE_CANCEL) {
      d = new Decoded(null, getVarLong(b));
    } else if (type == TYPE_EVENT) {
      int flags = b.get();
      long zz = getVarLong(b);
      long seconds = (zz >>> 1) ^ -(zz & 1);
      long nanos = getVarLong(b);
      String id = (flags & F_ID) != 0 ? getString(b) : null;
      String key = (flags & F_KEY) != 0 ? getString(b) : null;
      String account = (flags & F_ACCOUNT) != 0 ? getString(b) : null;
      String model = getString(b);
      UsageEvent e =
          new UsageEvent(
              id,
              Instant.ofEpochSecond(seconds, nanos),
              key,
              account,
              model,
              getVarLong(b),
              getVarLong(b),
              getVarLong(b),
              getVarLong(b),
              getVarLong(b),
              getVarLong(b),
              (flags & F_LONG_CONTEXT) != 0,
              getVarLong(b),
              getVarLong(b));
      d = new Decoded(e, -1);
    } else {
      throw new IllegalArgumentException("unknown record type " + type);
    }
    if (b.position() != end) {
      throw new IllegalArgumentException(
          "record length " + len + " but its payload ends at " + (b.position() - end + len));
    }
    return d;
  }

  private static long getVarLong(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte x = b.get();
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static String getString(ByteBuffer b) {
    long n = getVarLong(b);
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("string length " + n + " beyond the record");
    }
    byte[] bytes = new byte[(int) n];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
