package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * The lock that makes test JVMs take turns at the external server: held from the first turn taken
 * in this JVM until the last one is given back.
 */
class ExternalServerTurnsTest {
  private static final String HOST = "turns-test.invalid";

  private static Path lockFile(int port) {
    return Path.of(
        System.getProperty("java.io.tmpdir"),
        "usagesink-test-redis-" + HOST + "-" + port + ".lock");
  }

  /**
   * True when the file's lock is free (this JVM can take it: no one, here or elsewhere, has it).
   */
  private static boolean free(Path file) throws Exception {
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = c.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    }
  }

  @Test
  void theLockIsHeldUntilTheLastTurnTakenInThisJvmIsGivenBack() throws Exception {
    int port = (int) (ProcessHandle.current().pid() % 50_000) + 10_000;
    Path file = lockFile(port);
    String first = ExternalServerTurns.take(HOST, port, "the test server");
    String second = ExternalServerTurns.take(HOST, port, "the test server");
    assertThat(second).isEqualTo(first);
    // a lock this JVM holds: the JDK refuses a second one on the same file
    assertThatThrownBy(() -> free(file)).isInstanceOf(OverlappingFileLockException.class);

    ExternalServerTurns.giveBack(first);
    assertThatThrownBy(() -> free(file))
        .as("still held: one turn is out")
        .isInstanceOf(OverlappingFileLockException.class);

    ExternalServerTurns.giveBack(second);
    assertThat(free(file)).as("free once every turn is back").isTrue();
  }
}
