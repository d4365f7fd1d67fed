package io.usagesink.redis;

/**
 * A read from Redis failed, timed out or was interrupted. The message names the command and the
 * masked URI.
 */
public final class RedisReadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public RedisReadException(String message, Throwable cause) {
    super(message, cause);
  }
}
