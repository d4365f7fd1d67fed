package io.usagesink.redis.connect;

import io.usagesink.redis.RedisConnectFailedException;

/**
 * What a sink checks on each new connection before it writes (run by {@link RedisConnector} once
 * after every successful connect, before {@link RedisConnector#connection()} completes): that the
 * server and the ACL user allow the commands the sink needs.
 *
 * <p>An implementation blocks for at most about the connection's command timeout, and throws {@link
 * RedisConnectFailedException} with {@link RedisConnectFailedException#isFatal()} true for a
 * refusal that trying again cannot cure (a command the ACL user may not run); any other exception
 * (a timeout, a lost connection, {@code LOADING}) counts as a failed attempt, and the connector
 * tries again. It must not write any data. The writers' checks are {@code
 * io.usagesink.redis.write.WriterChecks}.
 */
@FunctionalInterface
public interface ConnectionCheck {

  /**
   * Checks {@code connection}.
   *
   * @throws RedisConnectFailedException (fatal) when Redis refuses what the sink needs
   */
  void check(RedisConnection connection);

  /** Checks nothing (for readers and tools). */
  static ConnectionCheck none() {
    return c -> {};
  }
}
