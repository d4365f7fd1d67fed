package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The framing of one record, read back by {@link Records#validLength}: the payload's length for a
 * record framed for its position, -1 for anything else (damaged, moved, cut short, past the limit).
 */
class RecordsTest {

  private static final long BASE = 4096;
  private final CRC32C crc = new CRC32C();
  private final byte[] scratch = new byte[8];

  /** A buffer of {@code size} bytes holding a record of {@code payload} at offset {@code off}. */
  private ByteBuffer framed(int size, int off, byte[] payload, long position) {
    byte[] rec = new byte[Records.total(payload.length)];
    System.arraycopy(payload, 0, rec, Records.HEADER, payload.length);
    Records.frame(rec, payload.length, position, crc, scratch);
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(off, rec);
    return b;
  }

  private int validLength(ByteBuffer b, int off, int limit) {
    return Records.validLength(b, off, limit, BASE, crc, scratch);
  }

  @Test
  void aRecordFramedForItsPositionIsValidAndPaddedToEightBytes() {
    byte[] payload = {1, 2, 3, 4, 5};
    ByteBuffer b = framed(64, 16, payload, BASE + 16);
    assertThat(Records.total(5)).isEqualTo(16);
    assertThat(validLength(b, 16, 64)).isEqualTo(5);
    assertThat(validLength(b, 16, 32)).as("exactly up to the limit").isEqualTo(5);
  }

  @Test
  void aDamagedMovedOrCutRecordIsInvalid() {
    byte[] payload = {1, 2, 3, 4, 5};
    ByteBuffer moved = framed(64, 16, payload, BASE + 24);
    assertThat(validLength(moved, 16, 64)).as("framed for another position").isEqualTo(-1);

    ByteBuffer damaged = framed(64, 16, payload, BASE + 16);
    damaged.put(16 + Records.HEADER + 2, (byte) 9);
    assertThat(validLength(damaged, 16, 64)).as("payload changed").isEqualTo(-1);

    ByteBuffer unmarked = framed(64, 16, payload, BASE + 16);
    unmarked.put(16 + 3, (byte) 0x5A);
    assertThat(validLength(unmarked, 16, 64)).as("no mark").isEqualTo(-1);

    ByteBuffer ok = framed(64, 16, payload, BASE + 16);
    assertThat(validLength(ok, 16, 31)).as("its padding passes the limit").isEqualTo(-1);
    assertThat(validLength(ByteBuffer.allocate(64), 0, 64)).as("zeros").isEqualTo(-1);
  }

  @Test
  void anOffsetWhoseHeaderPassesTheLimitIsInvalidWithoutReadingPastIt() {
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(validLength(b, 10, 12)).isEqualTo(-1);
    assertThat(validLength(b, 5, 12)).isEqualTo(-1);
  }
}
