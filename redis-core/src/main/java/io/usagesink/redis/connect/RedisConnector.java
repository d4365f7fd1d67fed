package io.usagesink.redis.connect;

import io.lettuce.core.resource.ClientResources;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import io.usagesink.SinkConfig;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the connection of a sink from start to close, so that a sink can start while Redis is down.
 *
 * <p>{@link #start(SinkConfig, ConnectionCheck)} makes one attempt at once (connect, cluster
 * detection, then the sink's {@link ConnectionCheck}). What a reachable Redis refuses (NOAUTH,
 * WRONGPASS, a command the ACL user may not run, TLS to a non-TLS port, an untrusted certificate)
 * fails start with a {@link RedisConnectFailedException}. When Redis cannot be reached (connection
 * refused, timeout, unknown host), start returns and one daemon thread ({@value #THREAD_NAME})
 * keeps trying with backoff ({@link FailurePolicy#backoffNanos(int, long)}, at most {@value
 * #MAX_BACKOFF_MILLIS} ms between attempts), logging each distinct error once; the setting {@value
 * #CONNECT_PROPERTY}{@code =fail} (environment {@code USAGESINK_REDIS_CONNECT}) makes start throw
 * instead, as {@link RedisConnection#open(SinkConfig)} does. No message or log line contains the
 * password.
 *
 * <p>Thread-safe. {@link #connection()}, {@link #current()} and {@link #state()} never block;
 * {@link #close()} waits at most about two seconds for an attempt in progress.
 */
public final class RedisConnector implements AutoCloseable {

  /** The setting choosing what start does when Redis cannot be reached: {@value}. */
  public static final String CONNECT_PROPERTY = RedisOptions.CONNECT;

  /** Keep connecting in the background (the default): {@value}. */
  public static final String BACKGROUND = "background";

  /** Throw at start, as {@link RedisConnection#open(SinkConfig)} does: {@value}. */
  public static final String FAIL = "fail";

  /** The longest wait between two background attempts: {@value} ms. */
  public static final long MAX_BACKOFF_MILLIS = 1_000;

  /** The name of the background thread: {@value}. */
  public static final String THREAD_NAME = "usagesink-redis-connect";

  private static final Logger LOG = LoggerFactory.getLogger(RedisConnector.class);
  private static final int MAX_DISTINCT_ERRORS_LOGGED = 32;
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private final SinkConfig config;
  private final ConnectionCheck check;
  private final String maskedUri;
  private final String secretUri;
  private final CompletableFuture<RedisConnection> connection = new CompletableFuture<>();
  private final Object lock = new Object();
  private final Set<String> loggedErrors = new HashSet<>();
  private final long startNanos = System.nanoTime();
  // guarded by lock
  private ClientResources resources;
  private RedisConnection current;
  private boolean closed;
  private int attempts;
  private String lastError;
  private Thread worker;

  /**
   * Whether the background thread is inside an attempt (until its outcome is handled): the
   * resources then stay up until it ends, and the attempt shuts them down if the connector was
   * closed meanwhile (see {@link #close()}).
   */
  private boolean attempting;

  private RedisConnector(SinkConfig config, ConnectionCheck check, String uri) {
    this.config = config;
    this.check = check;
    this.secretUri = uri;
    this.maskedUri = RedisUriMask.mask(uri);
  }

  /**
   * Connects as configured and runs {@code check} on the connection; returns when connected, or at
   * once (connecting in the background) when Redis cannot be reached and {@value #CONNECT_PROPERTY}
   * is {@value #BACKGROUND}. Blocks for one attempt (about the connect timeout, {@link
   * RedisConnection#connectTimeout(SinkConfig)}, per step).
   *
   * @throws ConfigurationException when no URI is configured, the URI or {@value #CONNECT_PROPERTY}
   *     is invalid
   * @throws RedisConnectFailedException when a reachable Redis refuses this client, or when it
   *     cannot be reached and {@value #CONNECT_PROPERTY} is {@value #FAIL}
   */
  public static RedisConnector start(SinkConfig config, ConnectionCheck check) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(check, "check");
    boolean background = background(config);
    RedisConnector c = new RedisConnector(config, check, RedisConnection.requireUri(config));
    c.resources = RedisConnection.newResources();
    RedisConnection connected;
    try {
      connected = c.attempt();
    } catch (RedisConnectFailedException e) {
      if (e.isFatal() || !background) {
        c.fail(e);
        throw e;
      }
      c.noteFailure(e);
      c.startWorker();
      return c;
    } catch (RuntimeException e) {
      c.fail(e);
      throw e;
    }
    c.connected(connected);
    return c;
  }

  /** Whether {@value #CONNECT_PROPERTY} asks for background connecting (the default). */
  static boolean background(SinkConfig config) {
    return RedisOptions.from(config).connect() == RedisOptions.Connect.BACKGROUND;
  }

  /**
   * Completes with the connection once connected and checked; completes exceptionally with a {@link
   * RedisConnectFailedException} when a background attempt meets a refusal (then the connector
   * stops trying) or when the connector is closed first. Callbacks run on the connecting thread:
   * keep them short.
   */
  public CompletableFuture<RedisConnection> connection() {
    return connection;
  }

  /**
   * The connection when connected and checked; empty while connecting, after a failure and after
   * close.
   */
  public Optional<RedisConnection> current() {
    synchronized (lock) {
      return Optional.ofNullable(closed ? null : current);
    }
  }

  /**
   * What the connector is doing, safe to log: {@code connected to redis://h:6379}, {@code
   * connecting to redis://h:6379 (last error: ..., 12 attempts)}, {@code failed to connect to ...:
   * reason} or {@code closed}.
   */
  public String state() {
    synchronized (lock) {
      if (closed) {
        return "closed (" + maskedUri + ")";
      }
      if (current != null) {
        return "connected to " + maskedUri;
      }
      if (connection.isCompletedExceptionally()) {
        return "failed to connect to " + maskedUri + ": " + lastError;
      }
      return "connecting to "
          + maskedUri
          + " (last error: "
          + lastError
          + ", "
          + attempts
          + (attempts == 1 ? " attempt)" : " attempts)");
    }
  }

  /**
   * Stops the background attempts, fails {@link #connection()} if it is not complete yet, and
   * closes the connection if there is one. Idempotent.
   *
   * <p>Order matters to Netty: the client resources (event loops, timer) are shut down only after
   * every client using them. An attempt in progress is abandoned (it stops waiting within {@value
   * RedisConnection#ABANDON_POLL_MILLIS} ms, shuts its client down) and its thread then shuts the
   * resources down; shutting them down under it made Netty log a {@code RejectedExecutionException}
   * ("event executor terminated") for the attempt's channel and left event loop threads running.
   */
  @Override
  public void close() {
    RedisConnection toClose;
    ClientResources toShutdown = null;
    Thread w;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = current;
      if (current == null && !attempting) {
        toShutdown = resources; // else the attempt's thread shuts them down when it ends
        resources = null;
      }
      w = worker;
      lock.notifyAll();
    }
    connection.completeExceptionally(
        new RedisConnectFailedException(
            "the connector to "
                + maskedUri
                + " was closed before it connected"
                + (lastError() == null ? "" : " (last error: " + lastError() + ")"),
            null,
            true));
    if (toClose != null) {
      toClose.close();
    } else if (toShutdown != null) {
      toShutdown.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (w != null && w != Thread.currentThread()) {
      try {
        w.join(CLOSE_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "RedisConnector{" + state() + "}";
  }

  private String lastError() {
    synchronized (lock) {
      return lastError;
    }
  }

  /** One attempt: connect (detecting a cluster) with the connector's resources, then the check. */
  private RedisConnection attempt() {
    ClientResources r;
    synchronized (lock) {
      if (closed) {
        throw new RedisConnectFailedException(
            "the connector to " + maskedUri + " is closed", null, true);
      }
      attempts++;
      r = resources;
    }
    RedisConnection c = RedisConnection.connect(config, r, false, true, this::isClosed);
    try {
      check.check(c);
      return c;
    } catch (RuntimeException e) {
      c.close(); // keeps the resources for the next attempt
      if (e instanceof RedisConnectFailedException) {
        throw e;
      }
      throw new RedisConnectFailedException(
          "cannot use Redis at "
              + maskedUri
              + ": the connection check failed: "
              + RedisUriMask.scrub(FailurePolicy.describe(e), secretUri),
          null,
          false);
    }
  }

  private void connected(RedisConnection c) {
    synchronized (lock) {
      if (closed) {
        c.close(); // not adopted: the attempt's thread shuts the resources down next
        return;
      }
      c.adoptResources();
      current = c;
      resources = null;
    }
    int n;
    synchronized (lock) {
      n = attempts;
    }
    if (n > 1) {
      LOG.info(
          "connected to {} after {} attempts in {} ms",
          maskedUri,
          n,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }
    connection.complete(c);
  }

  private void fail(RuntimeException e) {
    ClientResources r;
    synchronized (lock) {
      lastError = e.getMessage();
      r = resources;
      resources = null;
    }
    if (r != null) {
      r.shutdown(0, 2, TimeUnit.SECONDS);
    }
    connection.completeExceptionally(e);
  }

  /** Remembers the error for {@link #state()} and logs it if it was not logged before. */
  private void noteFailure(RedisConnectFailedException e) {
    String m = e.getMessage();
    boolean first;
    synchronized (lock) {
      lastError = reason(m);
      first = loggedErrors.size() < MAX_DISTINCT_ERRORS_LOGGED && loggedErrors.add(lastError);
    }
    if (first) {
      LOG.warn(
          "{}; connecting in the background ({}={}), this error is logged once",
          m,
          CONNECT_PROPERTY,
          BACKGROUND);
    }
  }

  /** The reason part of a connect message ("cannot connect to Redis at URI: reason"). */
  private String reason(String message) {
    String at = " at " + maskedUri + ": ";
    int i = message == null ? -1 : message.indexOf(at);
    return i < 0 ? String.valueOf(message) : message.substring(i + at.length());
  }

  private void startWorker() {
    Thread t = new Thread(this::run, THREAD_NAME);
    t.setDaemon(true);
    synchronized (lock) {
      if (closed) {
        return;
      }
      worker = t;
    }
    t.start();
  }

  private void run() {
    long cap = TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS);
    while (true) {
      synchronized (lock) {
        long until = System.nanoTime() + FailurePolicy.backoffNanos(attempts, cap);
        long left;
        while (!closed && (left = until - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        attempting = true;
      }
      try {
        connected(attempt());
        return;
      } catch (RedisConnectFailedException e) {
        if (isClosed()) {
          return;
        }
        if (e.isFatal()) {
          LOG.error("{}; stopped connecting", e.getMessage());
          fail(e);
          return;
        }
        noteFailure(e);
      } catch (RuntimeException e) {
        if (isClosed()) {
          return;
        }
        LOG.error(
            "cannot connect to {}: {}; stopped connecting",
            maskedUri,
            RedisUriMask.scrub(FailurePolicy.describe(e), secretUri));
        fail(
            new RedisConnectFailedException(
                "cannot connect to "
                    + maskedUri
                    + ": "
                    + RedisUriMask.scrub(FailurePolicy.describe(e), secretUri),
                null,
                true));
        return;
      } finally {
        attemptEnded();
      }
    }
  }

  /**
   * Ends an attempt of the background thread: when the connector was closed meanwhile and nothing
   * adopted the resources, shuts them down now that no client uses them.
   */
  private void attemptEnded() {
    ClientResources orphaned = null;
    synchronized (lock) {
      attempting = false;
      if (closed && current == null && resources != null) {
        orphaned = resources;
        resources = null;
      }
    }
    if (orphaned != null) {
      orphaned.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }
}
