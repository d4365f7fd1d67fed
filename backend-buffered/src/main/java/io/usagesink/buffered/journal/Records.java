package io.usagesink.buffered.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The framing of one record: an 8-byte header (an int of {@link #MARK} in the top byte and the
 * payload length below it, then the CRC32C of position + length word + payload), the payload, zeros
 * up to a multiple of 8. The position in the checksum makes a record copied elsewhere (or left over
 * from an older file) invalid. All little-endian.
 */
final class Records {

  static final int MARK = 0xA5;
  static final int HEADER = 8;
  static final int MAX_PAYLOAD = (1 << 24) - 1;
  static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Records() {}

  static int total(int payload) {
    return (HEADER + payload + 7) & ~7;
  }

  /**
   * Frames the payload at {@code buf[8, 8 + len)} for {@code position}: fills the header at {@code
   * buf[0, 8)}. {@code scratch} holds 8 bytes.
   */
  static void frame(byte[] buf, int len, long position, CRC32C crc, byte[] scratch) {
    INT.set(buf, 0, (MARK << 24) | len);
    LONG.set(scratch, 0, position);
    crc.reset();
    crc.update(scratch, 0, 8);
    crc.update(buf, 0, 4);
    crc.update(buf, HEADER, len);
    INT.set(buf, 4, (int) crc.getValue());
  }

  /**
   * The payload length of a valid record at offset {@code off} of {@code b} (a segment mapped at
   * {@code base}, records up to {@code limit}), or -1 when the bytes there are not a valid record.
   */
  static int validLength(ByteBuffer b, int off, int limit, long base, CRC32C crc, byte[] scratch) {
    if (off + HEADER > limit) {
      return -1;
    }
    int h = b.getInt(off);
    if ((h >>> 24) != MARK) {
      return -1;
    }
    int len = h & MAX_PAYLOAD;
    if (len == 0 || (long) off + total(len) > limit) {
      return -1;
    }
    LONG.set(scratch, 0, base + off);
    crc.reset();
    crc.update(scratch, 0, 8);
    crc.update(b.duplicate().position(off).limit(off + 4));
    crc.update(b.duplicate().position(off + HEADER).limit(off + HEADER + len));
    return (int) crc.getValue() == b.getInt(off + 4) ? len : -1;
  }
}
