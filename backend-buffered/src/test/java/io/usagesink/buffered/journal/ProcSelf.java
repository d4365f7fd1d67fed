package io.usagesink.buffered.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process holds of a directory, read from Linux's {@code /proc/self}: the bytes of its
 * files mapped, and its files open. So a test sees an unmapping or a close that did not happen.
 */
final class ProcSelf {

  private static final Path MAPS = Path.of("/proc/self/maps");
  private static final Path FDS = Path.of("/proc/self/fd");

  private ProcSelf() {}

  /** Whether this system shows them. */
  static boolean available() {
    return Files.isReadable(MAPS) && Files.isDirectory(FDS);
  }

  /** The bytes of files in {@code dir} that this process has mapped. */
  static long mappedBytes(Path dir) throws IOException {
    String where = dir.toRealPath() + "/";
    long bytes = 0;
    for (String line : Files.readAllLines(MAPS)) {
      if (line.contains(where)) {
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
      }
    }
    return bytes;
  }

  /** The files in {@code dir} that this process has open. */
  static int openFiles(Path dir) throws IOException {
    String where = dir.toRealPath() + "/";
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith(where)) {
            n++;
          }
        } catch (IOException e) {
          // closed meanwhile (the stream's own descriptor, or another thread's)
        }
      }
    }
    return n;
  }
}
