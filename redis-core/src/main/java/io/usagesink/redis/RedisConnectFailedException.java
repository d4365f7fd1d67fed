package io.usagesink.redis;

/**
 * Redis could not be reached, or refused the connection (wrong password, unknown user, TLS
 * failure). The message names the URI with the password masked and the reason; it never contains
 * the password.
 */
public final class RedisConnectFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code cause} is normally omitted so that no secret leaks through it. */
  public RedisConnectFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
