package io.usagesink.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns at the server named by {@code USAGESINK_TEST_REDIS_URL} for the test JVMs of one machine. A
 * parallel build (Maven {@code -T}, several Failsafe forks) runs several test JVMs at once, and
 * each empties the servers it uses before its tests; on one shared server they would empty each
 * other's data. A JVM therefore holds an exclusive lock on a file named after the server's host and
 * port (in {@code java.io.tmpdir}) from its first open of that server until its last close; the
 * others wait for their turn. The opens of one JVM share its lock (the operating system's lock
 * belongs to the process), hence the count per file: the one piece of static state here, because
 * the lock it mirrors is per process too. Thread-safe; {@link #take} blocks while another JVM has
 * the server.
 */
final class ExternalServerTurns {
  /** Lock file name to this JVM's hold on it; guarded by itself. */
  private static final Map<String, Hold> HELD = new HashMap<>();

  private ExternalServerTurns() {}

  /** This JVM's lock on one file, and how many opens use it. */
  private static final class Hold {
    final FileChannel channel;
    final FileLock lock;
    int users;

    Hold(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }
  }

  /**
   * Waits until no other JVM of this machine uses {@code host:port}, then holds it for this JVM
   * until every turn taken here was given back with {@link #giveBack}.
   *
   * @return the name to give back
   */
  static String take(String host, int port, String what) {
    String name = "usagesink-test-redis-" + host.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + port;
    synchronized (HELD) {
      Hold hold = HELD.get(name);
      if (hold == null) {
        hold = lock(Path.of(System.getProperty("java.io.tmpdir"), name + ".lock"), what);
        HELD.put(name, hold);
      }
      hold.users++;
      return name;
    }
  }

  /** Gives back a turn taken with {@link #take}; the last one releases the lock. */
  static void giveBack(String name) {
    synchronized (HELD) {
      Hold hold = HELD.get(name);
      if (hold == null || --hold.users > 0) {
        return;
      }
      HELD.remove(name);
      try {
        hold.lock.release();
        hold.channel.close();
      } catch (IOException e) {
        // the lock goes with the channel, and with the process at the latest
      }
    }
  }

  private static Hold lock(Path file, String what) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        System.err.println(
            "usagesink test fixture: "
                + what
                + " is in use by another test JVM of this machine (a parallel build); waiting for"
                + " its turn ("
                + file
                + ")");
        lock = channel.lock();
      }
      return new Hold(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new RedisFixtureException(
          "cannot lock " + file + " to take turns at " + what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing held yet
      }
    }
  }
}
