package io.usagesink.redis.internal.failure;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.RedisNotConnectedException;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one failure policy of every Redis write engine (the per-event sink and the buffered flush
 * worker) and of the writers that classify Redis's replies one by one: which errors are retried,
 * which stop the sink, which fail only the data of one key, and how long to wait between attempts.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>kind</th><th>errors</th><th>what the engines do</th></tr>
 *   <tr><td>{@link Kind#TRANSIENT}</td><td>connection lost or refused, not connected yet, timeouts,
 *       {@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code MASTERDOWN},
 *       {@code READONLY}, {@code NOREPLICAS}, {@code OOM}, {@code NOSCRIPT}, {@code MOVED}, {@code ASK}</td>
 *       <td>retry what remains, with backoff, until stored or close's deadline</td></tr>
 *   <tr><td>{@link Kind#FATAL}</td><td>{@code NOAUTH}, {@code WRONGPASS}, {@code NOPERM}, an unknown or
 *       disabled command</td><td>fail the write with the reason; checked up front at open when Redis
 *       is reachable</td></tr>
 *   <tr><td>{@link Kind#PERMANENT}</td><td>{@code WRONGTYPE}, an increment that would overflow, a field
 *       that is not an integer, any other error reply, invalid data</td><td>fail that key's data
 *       (named), store everything else exactly once</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
public final class FailurePolicy {

  /** What a failure means for the write and the sink. */
  public enum Kind {
    /** May pass: retry what remains with backoff. */
    TRANSIENT,
    /** The sink cannot write at all with these credentials or this server: fail, say why. */
    FATAL,
    /** Retrying cannot help: fail the data concerned (one key, one write), name it. */
    PERMANENT
  }

  /** The first backoff: {@value} ms. */
  public static final long MIN_BACKOFF_MILLIS = 50;

  /** The longest backoff: {@value} ms. */
  public static final long MAX_BACKOFF_MILLIS = 2_000;

  private static final String[] TRANSIENT_REPLIES = {
    "NOSCRIPT",
    "LOADING",
    "BUSY",
    "TRYAGAIN",
    "CLUSTERDOWN",
    "MASTERDOWN",
    "READONLY",
    "NOREPLICAS",
    "OOM",
    "MOVED",
    "ASK"
  };
  private static final String[] FATAL_REPLIES = {"NOAUTH", "WRONGPASS", "NOPERM"};

  private FailurePolicy() {}

  /** Classifies any failure of a write (unwrapping completion and execution wrappers). */
  public static Kind classify(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof IncompleteWriteException || e instanceof RedisNotConnectedException) {
      return Kind.TRANSIENT;
    }
    if (e instanceof RedisCommandExecutionException) {
      return classifyReply(e.getMessage());
    }
    if (e instanceof RedisCommandTimeoutException
        || e instanceof TimeoutException
        || e instanceof RedisConnectionException
        || e instanceof IOException) {
      return Kind.TRANSIENT;
    }
    if (e instanceof RedisException || isLettuce(e)) {
      // "Connection closed", "Connection is closed", reconnect and command-cancelled states
      return Kind.TRANSIENT;
    }
    return Kind.PERMANENT; // IllegalArgumentException, ArithmeticException, ...: the data or a bug
  }

  /** Classifies one Redis error reply, such as {@code WRONGTYPE Operation against a key ...}. */
  public static Kind classifyReply(String reply) {
    String m = reply == null ? "" : reply.trim();
    for (String p : TRANSIENT_REPLIES) {
      if (startsWithWord(m, p)) {
        return Kind.TRANSIENT;
      }
    }
    for (String p : FATAL_REPLIES) {
      if (startsWithWord(m, p)) {
        return Kind.FATAL;
      }
    }
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.startsWith("err unknown command")
        || lower.contains("command not allowed")
        || lower.startsWith("err authentication required")
        || lower.contains("user executing the script can't run this command")) {
      return Kind.FATAL;
    }
    return Kind.PERMANENT;
  }

  /**
   * A {@code NOPERM} for running a command (not for a key or channel, which depend on the names
   * used).
   */
  public static boolean isCommandNoPerm(String reply) {
    return reply != null && reply.startsWith("NOPERM") && reply.contains("permissions to run");
  }

  private static boolean startsWithWord(String m, String word) {
    return m.startsWith(word)
        && (m.length() == word.length() || !Character.isLetterOrDigit(m.charAt(word.length())));
  }

  private static boolean isLettuce(Throwable t) {
    return t.getClass().getName().startsWith("io.lettuce")
        || t.getClass().getName().startsWith("io.netty");
  }

  /** Removes {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** A short reason for logs and reports: the exception's simple name and message. */
  public static String describe(Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof IncompleteWriteException && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /**
   * The wait before attempt {@code attempt + 1} after attempt {@code attempt} (1-based) failed:
   * exponential from {@value #MIN_BACKOFF_MILLIS} ms to {@code capNanos} (at most {@value
   * #MAX_BACKOFF_MILLIS} ms unless a larger cap is given), with "equal jitter" (half fixed, half
   * random) so that many clients do not retry in step.
   */
  public static long backoffNanos(int attempt, long capNanos) {
    long min = TimeUnit.MILLISECONDS.toNanos(MIN_BACKOFF_MILLIS);
    long backoff = Math.min(capNanos, min << Math.min(Math.max(attempt - 1, 0), 20));
    return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
  }

  /** {@link #backoffNanos(int, long)} with the default cap of {@value #MAX_BACKOFF_MILLIS} ms. */
  public static long backoffNanos(int attempt) {
    return backoffNanos(attempt, TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS));
  }
}
