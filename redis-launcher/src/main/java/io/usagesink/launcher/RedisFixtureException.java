package io.usagesink.launcher;

/**
 * A Redis fixture operation failed: a server did not start, an admin command failed or was answered
 * with an error. Messages name the server (host and port) and what was attempted; they never
 * contain a password.
 */
public class RedisFixtureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message only. */
  public RedisFixtureException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public RedisFixtureException(String message, Throwable cause) {
    super(message, cause);
  }
}
