package io.usagesink.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code redis-server} child process with its config file, log and data dir. It can be started,
 * killed (SIGKILL), stopped (SIGTERM) and started again on the same ports with the same dir. A JVM
 * shutdown hook kills the process and deletes the dir if {@link #destroy()} was never called.
 * Thread-safe.
 */
final class RedisProcess {
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Thrown when redis-server could not bind its port because someone else took it first. */
  static final class PortTakenException extends RedisFixtureException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  private final Path executable;
  private final Path dir;
  private final Path config;
  private final Path log;
  private final int port;
  private final Thread shutdownHook;
  private Process process; // guarded by this
  private boolean destroyed; // guarded by this

  RedisProcess(Path executable, Path dir, Path config, int port) {
    this.executable = executable;
    this.dir = dir;
    this.config = config;
    this.log = dir.resolve("redis.log");
    this.port = port;
    this.shutdownHook = new Thread(this::destroyQuietly, "usagesink-redis-cleanup-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  Path dir() {
    return dir;
  }

  int port() {
    return port;
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Starts redis-server and waits until it answers PING (with AOF: after loading) and is really
   * ours (its {@code INFO server} process_id is our child's pid).
   *
   * @throws PortTakenException if the port was taken by someone else
   */
  synchronized void start(AdminClient admin) {
    if (destroyed) {
      throw new IllegalStateException("redis-server on port " + port + " was closed");
    }
    if (isAlive()) {
      throw new IllegalStateException(
          "redis-server on port " + port + " is already running (pid " + process.pid() + ")");
    }
    long logStart = logSize();
    try {
      process =
          new ProcessBuilder(executable.toString(), config.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new RedisFixtureException("cannot start " + executable + ": " + e.getMessage(), e);
    }
    admin.disconnect();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        String output = logSince(logStart);
        if (output.contains("Address already in use")) {
          throw new PortTakenException(
              "port " + port + " (or its TLS/cluster bus port) is taken: " + lastLines(output));
        }
        throw new RedisFixtureException(
            executable
                + " exited with code "
                + process.exitValue()
                + " while starting on port "
                + port
                + "; its log ("
                + log
                + ") ends with:\n"
                + lastLines(output));
      }
      if (answersAsOurs(admin)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new RedisFixtureException(
            executable
                + " on port "
                + port
                + " did not answer PING within "
                + START_TIMEOUT.toSeconds()
                + " s; its log ("
                + log
                + ") ends with:\n"
                + lastLines(logSince(logStart)));
      }
      sleep(5);
    }
  }

  private boolean answersAsOurs(AdminClient admin) {
    try {
      if (!"PONG".equals(admin.callOnce("PING"))) {
        return false;
      }
      String processId = Info.parse((String) admin.callOnce("INFO", "server")).get("process_id");
      long pid = processId == null ? -1 : Long.parseLong(processId);
      if (pid != process.pid()) {
        admin.disconnect();
        throw new PortTakenException(
            "port " + port + " is answered by another Redis (pid " + pid + "), not ours");
      }
      return true;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (PortTakenException e) {
      process.destroyForcibly();
      throw e;
    } catch (RedisFixtureException e) {
      if (e.getMessage().contains("LOADING")) {
        return false; // still loading the AOF
      }
      process.destroyForcibly();
      throw e;
    }
  }

  /** SIGKILL; returns when the process is gone. */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /**
   * SIGTERM (Redis shuts down cleanly, finishing the AOF); SIGKILL if it takes longer than {@link
   * #STOP_TIMEOUT}.
   */
  synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          waitFor(process);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** Kills the process, deletes the dir, unregisters the shutdown hook. Idempotent. */
  void destroy() {
    destroyQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting and runs the hook anyway
    }
  }

  private synchronized void destroyQuietly() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
    deleteRecursively(dir);
  }

  String logTail() {
    return lastLines(logSince(0));
  }

  private long logSize() {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    try {
      byte[] bytes = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
      int from = (int) Math.min(offset, bytes.length);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private static String lastLines(String text) {
    List<String> lines = text.strip().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static void waitFor(Process p) {
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RedisFixtureException(
            "redis-server pid " + p.pid() + " did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisFixtureException("interrupted while waiting for redis-server to start", e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover temp dir is not worth failing a test for
    }
  }
}
