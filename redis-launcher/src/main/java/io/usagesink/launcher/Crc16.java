package io.usagesink.launcher;

/** CRC16-CCITT (XModem), the checksum Redis Cluster hashes keys with. */
final class Crc16 {
  private Crc16() {}

  static int of(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc ^= (bytes[i] & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff;
  }
}
