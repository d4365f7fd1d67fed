package io.usagesink.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real Redis server for tests and for the {@code compare} command: either an external server
 * ({@code USAGESINK_TEST_REDIS_URL}), a Testcontainers {@code redis:7} container, or a {@code
 * redis-server} child process on a free loopback port (see {@link RedisFixture} for which one you
 * get).
 *
 * <p>Admin methods ({@link #flushAll()}, {@link #info(String)}, {@link #commandStats()}, ...) go
 * over the fixture's own connection; they block until Redis answers and throw {@link
 * RedisFixtureException} when it does not (naming the server and the command, never a password).
 * Implementations are thread-safe. Process control ({@link #kill()}, {@link #restart()}, {@link
 * #stop()}) exists only where {@link #supportsProcessControl()} is true (local processes);
 * elsewhere it throws {@link UnsupportedOperationException} with the reason. {@code toString()}
 * never shows a password.
 */
public interface RedisServer extends AutoCloseable {

  /** Where a server comes from. */
  enum Source {
    /**
     * The server named by {@code USAGESINK_TEST_REDIS_URL}; the fixture does not own it and never
     * stops it.
     */
    EXTERNAL,
    /** A Testcontainers {@code redis:7} container; removed on close. */
    CONTAINER,
    /**
     * A {@code redis-server} child process on a free 127.0.0.1 port in a temp dir; killed and
     * removed on close.
     */
    LOCAL_PROCESS
  }

  /** Where this server comes from. */
  Source source();

  /** The host clients connect to ({@code 127.0.0.1} for local processes). */
  String host();

  /** The plaintext port ({@code redis://}). */
  int port();

  /**
   * The URI clients use by default, without credentials (safe to print): {@code
   * redis://127.0.0.1:PORT} for servers the fixture starts, {@code USAGESINK_TEST_REDIS_URL} minus
   * its user info for an external one.
   */
  String uri();

  /**
   * {@link #uri()} with the credentials a client needs, percent-encoded in the user info ({@code
   * redis://app:secret@127.0.0.1:PORT} for an ACL user, {@code redis://default:secret@...} for
   * {@code requirepass}); equal to {@code uri()} when the server needs none. Contains a password:
   * do not log it.
   */
  String authenticatedUri();

  /**
   * The user of {@link #authenticatedUri()}, if any ({@code default} for a {@code requirepass}
   * server).
   */
  Optional<String> username();

  /** The password of {@link #authenticatedUri()}, if any. */
  Optional<String> password();

  /** True when the server also listens for TLS ({@link #tlsUri()}). */
  boolean tlsEnabled();

  /**
   * {@code rediss://127.0.0.1:TLS_PORT} (no credentials); the certificate is self-signed for {@code
   * 127.0.0.1} and {@code localhost}, trust it with {@link #caCertificate()}.
   *
   * @throws UnsupportedOperationException when TLS is not enabled
   */
  String tlsUri();

  /**
   * The PEM certificate that signs the server's TLS certificate (e.g. for Lettuce {@code
   * SslOptions.trustManager(File)}).
   */
  Optional<Path> caCertificate();

  /**
   * True when {@link #kill()}, {@link #restart()} and {@link #stop()} work (local processes only).
   */
  boolean supportsProcessControl();

  /**
   * True when the server is up: its process is alive (local processes) or it answers a PING
   * (others).
   */
  boolean isRunning();

  /** {@code FLUSHALL}: removes every key of every database. */
  void flushAll();

  /** {@code DBSIZE} of database 0. */
  long dbSize();

  /**
   * The raw text of {@code INFO <section>} (e.g. {@code "server"}, {@code "commandstats"}, {@code
   * "persistence"}).
   */
  String info(String section);

  /**
   * Calls per command since start or the last {@link #resetStats()}, inside-script commands
   * included; see {@link CommandStats}.
   */
  CommandStats commandStats();

  /**
   * {@code CONFIG RESETSTAT}: zeroes the command stats (the reset itself then counts as one {@code
   * config|resetstat}).
   */
  void resetStats();

  /**
   * {@code CLIENT KILL TYPE normal SKIPME yes}: drops every normal client connection except the
   * fixture's own admin connection. Clients with auto-reconnect (Lettuce) reconnect.
   *
   * @return how many connections were dropped
   */
  long killClients();

  /**
   * {@code SCRIPT FLUSH}: empties the Lua script cache, so the next EVALSHA gets {@code NOSCRIPT}.
   */
  void scriptFlush();

  /**
   * {@code CLIENT PAUSE <ms> ALL}: for {@code duration} the server answers no client, the fixture's
   * admin calls included (they wait until the pause ends). Returns at once; the pause ends by
   * itself.
   */
  void pause(Duration duration);

  /**
   * {@code CLIENT PAUSE <ms> WRITE}: like {@link #pause(Duration)} but only commands that may write
   * wait.
   */
  void pauseWrites(Duration duration);

  /**
   * Any command on the admin connection, for what the handle does not cover ({@code DEBUG SLEEP},
   * {@code CONFIG SET}, {@code HGETALL}, ...). Replies: simple and bulk strings as {@link String},
   * integers as {@link Long}, arrays as {@link java.util.List}, nil as {@code null}; an error reply
   * throws.
   */
  Object command(String... args);

  /**
   * Kills the process with SIGKILL (kill -9): no shutdown, no final fsync. Only what Redis already
   * wrote survives ({@link Persistence#AOF_ALWAYS}: every acknowledged write). Returns when the
   * process is gone.
   *
   * @throws UnsupportedOperationException unless {@link #supportsProcessControl()}
   */
  void kill();

  /**
   * Starts the server again on the same port(s) with the same data dir and options, stopping it
   * gracefully first if it is running, and returns once it accepts commands (with AOF, after it
   * loaded the data). Clients with auto-reconnect reconnect by themselves.
   *
   * @throws UnsupportedOperationException unless {@link #supportsProcessControl()}
   * @throws RedisFixtureException if the port was taken in the meantime or the server does not come
   *     up
   */
  void restart();

  /**
   * Stops the process gracefully (SIGTERM: Redis finishes its AOF), keeping the data dir so {@link
   * #restart()} can bring it back.
   *
   * @throws UnsupportedOperationException unless {@link #supportsProcessControl()}
   */
  void stop();

  /**
   * Releases the server: a local process is killed and its temp dir deleted, a container removed;
   * an external server is left running (only the admin connection closes). Idempotent; other
   * methods fail afterwards.
   */
  @Override
  void close();
}
