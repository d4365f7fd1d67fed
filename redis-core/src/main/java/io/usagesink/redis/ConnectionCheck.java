package io.usagesink.redis;

/**
 * What a sink checks on each new connection before it writes (run by {@link RedisConnector} once
 * after every successful connect, before {@link RedisConnector#connection()} completes): that the
 * server and the ACL user allow the commands the sink needs.
 *
 * <p>An implementation blocks for at most about the connection's command timeout, and throws {@link
 * RedisConnectFailedException} with {@link RedisConnectFailedException#isFatal()} true for a refusal
 * that trying again cannot cure (a command the ACL user may not run); any other exception (a timeout,
 * a lost connection, {@code LOADING}) counts as a failed attempt, and the connector tries again. It
 * must not write any data.
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
    return c -> { };
  }

  /**
   * For the Lua writer ({@code PlanWriters.lua}): {@code SCRIPT LOAD} of the plan script (on every
   * master of a cluster) and one {@code EVALSHA} of it without keys, which writes nothing. Fatal when
   * the ACL user may not run {@code SCRIPT LOAD} or {@code EVALSHA}, or scripting is disabled.
   */
  static ConnectionCheck luaWriter() {
    return ConnectionChecks::lua;
  }

  /**
   * For the pipeline writer ({@code PlanWriters.pipeline}): queues {@code HINCRBY}, {@code EXPIRE} and
   * {@code SADD} in a {@code MULTI} and {@code DISCARD}s it (on a cluster, on one master), so nothing is
   * written but Redis checks the ACL of each command. Fatal when the ACL user may not run one of them;
   * permissions on key patterns cannot be known here and are not checked.
   */
  static ConnectionCheck pipelineWriter() {
    return ConnectionChecks::pipeline;
  }
}
