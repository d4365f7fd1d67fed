package io.usagesink.redis;

/**
 * Redis could not be reached, or refused the connection (wrong password, unknown user, missing ACL
 * permissions, TLS failure). The message names the URI with the password masked and the reason; it
 * never contains the password. {@link #isFatal()} tells the two apart: a reachable Redis that
 * refuses this client will refuse it again, while an unreachable one may come up.
 */
public final class RedisConnectFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whether a reachable Redis refused this client, so that trying again cannot help. */
  private final boolean fatal;

  /**
   * Creates a non-fatal exception (Redis could not be reached); {@code cause} is normally omitted
   * so that no secret leaks through it.
   */
  public RedisConnectFailedException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * Creates the exception; {@code fatal} when a reachable Redis refused this client
   * (authentication, ACL permissions, a TLS or cluster setting that does not match the server), so
   * that trying again cannot help.
   */
  public RedisConnectFailedException(String message, Throwable cause, boolean fatal) {
    super(message, cause);
    this.fatal = fatal;
  }

  /**
   * True when a reachable Redis refused this client (NOAUTH, WRONGPASS, a command the sink needs
   * that the ACL user may not run, an untrusted TLS certificate, a non-TLS port for {@code
   * rediss://}, ...): trying again cannot help. False when Redis could not be reached (connection
   * refused, timeout, unknown host): it may come up later.
   */
  public boolean isFatal() {
    return fatal;
  }
}
