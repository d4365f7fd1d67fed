package io.usagesink.cli.events;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a byte stream into UTF-8 lines of bounded length, so that reading any input takes bounded
 * memory: a line longer than the limit is skipped to its end (never held) and reported as such.
 * Lines end at {@code \n}, {@code \r\n} or {@code \r} (like {@link java.io.BufferedReader}); the
 * terminator is not part of the line. Line numbers start at 1.
 *
 * <p>Not thread-safe. Closing closes the stream.
 */
public final class InputLines implements Closeable {

  /**
   * One line: its number and either its text, or why there is none ({@link #tooLong()}: more than
   * the limit of bytes; {@link #notUtf8()}: the bytes are not valid UTF-8).
   *
   * @param number 1-based line number
   * @param text the decoded line, or {@code null} when too long or not UTF-8
   * @param bytes the line's length in bytes (without the terminator)
   * @param tooLong whether the line exceeded the limit (its bytes were skipped)
   * @param notUtf8 whether the line is not valid UTF-8
   */
  record Line(long number, String text, long bytes, boolean tooLong, boolean notUtf8) {}

  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final int maxBytes;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private int limit;
  private boolean eof;
  private boolean skipLf;
  private long number;
  private byte[] line = new byte[256];

  /**
   * @param in the bytes; read through an internal buffer
   * @param maxBytes the longest line kept, in bytes
   */
  InputLines(InputStream in, int maxBytes) {
    this.in = Objects.requireNonNull(in, "in");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0 but was " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** The next line, or {@code null} at the end of the input. */
  Line next() throws IOException {
    int len = 0;
    long bytes = 0;
    boolean any = false;
    while (true) {
      if (pos == limit && !fill()) {
        if (!any) {
          return null;
        }
        break;
      }
      if (skipLf) {
        skipLf = false;
        if (buf[pos] == '\n') {
          pos++;
          continue;
        }
      }
      any = true;
      int start = pos;
      int end = start;
      while (end < limit && buf[end] != '\n' && buf[end] != '\r') {
        end++;
      }
      int n = end - start;
      if (bytes + n <= maxBytes) {
        if (len + n > line.length) {
          line = Arrays.copyOf(line, Math.min(maxBytes, Math.max(len + n, line.length * 2)));
        }
        System.arraycopy(buf, start, line, len, n);
        len += n;
      }
      bytes += n;
      pos = end;
      if (end < limit) {
        skipLf = buf[end] == '\r';
        pos++;
        break;
      }
    }
    number++;
    if (bytes > maxBytes) {
      return new Line(number, null, bytes, true, false);
    }
    try {
      String text = decoder.reset().decode(ByteBuffer.wrap(line, 0, len)).toString();
      return new Line(number, text, bytes, false, false);
    } catch (CharacterCodingException e) {
      return new Line(number, null, bytes, false, true);
    }
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    while (n == 0) {
      n = in.read(buf, 0, buf.length);
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
