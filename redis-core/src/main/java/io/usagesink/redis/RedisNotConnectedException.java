package io.usagesink.redis;

/**
 * A write found no connection to Redis yet: the sink is still connecting in the background (Redis
 * was unreachable when it was opened, see {@code usagesink.redis.connect}). Transient: nothing was
 * sent, so a retry is always safe. The message names the server (masked) and the last connect
 * error.
 */
public final class RedisNotConnectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the server (masked URI) and the last connect error
   */
  public RedisNotConnectedException(String message) {
    super(message);
  }
}
