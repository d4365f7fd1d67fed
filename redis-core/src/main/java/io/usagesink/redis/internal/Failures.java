package io.usagesink.redis.internal;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Classifies write failures. */
final class Failures {
  private static final String[] TRANSIENT_REPLIES = {
    "NOSCRIPT", "LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "NOREPLICAS",
    "MOVED", "ASK"
  };

  private Failures() {}

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * Whether a later attempt may succeed: connection loss, timeouts and the transient error replies
   * (script cache empty, loading, busy, cluster reconfiguring). Error replies about the data itself
   * (WRONGTYPE, overflow, ...) are permanent.
   */
  static boolean isTransient(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof RedisCommandExecutionException) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      for (String p : TRANSIENT_REPLIES) {
        if (m.startsWith(p)) {
          return true;
        }
      }
      return false;
    }
    return !(t instanceof IllegalArgumentException || t instanceof ArithmeticException
        || t instanceof NullPointerException || t instanceof IllegalStateException && !isLettuceState(t));
  }

  private static boolean isLettuceState(Throwable t) {
    return t.getClass().getName().startsWith("io.lettuce");
  }

  /** A short reason for logs and reports: the exception's simple name and message. */
  static String reason(Throwable e) {
    Throwable t = unwrap(e);
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
