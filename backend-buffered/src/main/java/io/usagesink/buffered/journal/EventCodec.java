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
 * <p>Payload: a type byte; for {@link #TYPE_EVENT} a flags byte (id, keyId, accountId present,
 * longContext), the epoch second (zig-zag varlong) and nanos (varint) of {@code at}, the present
 * strings (varint byte length + UTF-8; model always), then the eight counts as varlongs. For {@link
 * #TYPE_CANCEL} the position of the cancelled event record as a varlong.
 */
final class EventCodec {

  static final byte TYPE_EVENT = 1;
  static final byte TYPE_CANCEL = 2;

  private static final int F_ID = 1;
  private static final int F_KEY = 2;
  private static final int F_ACCOUNT = 4;
  private static final int F_LONG_CONTEXT = 8;

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

  /** A decoded payload: an event, or the position a cancel record cancels. */
  record Decoded(UsageEvent event, long cancelled) {}

  /**
   * Decodes the payload of {@code len} bytes at {@code b.position()} (the position is advanced).
   *
   * @throws IllegalArgumentException if the payload is malformed (an unknown type, a value out of
   *     range or bytes left over); a record with a valid checksum never is, unless written by a
   *     newer version
   */
  static Decoded decode(ByteBuffer b, int len) {
    int end = b.position() + len;
    byte type = b.get();
    Decoded d;
    if (type == TYPE_CANCEL) {
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
