package io.usagesink.launcher;

/**
 * The fixture cannot provide the requested server on this machine, and the message says exactly
 * what is missing and how to get it (install {@code redis-server}, set {@code
 * USAGESINK_TEST_REDIS_URL}, run a Docker engine, a redis-server built with TLS, ...). Tests
 * usually treat this as a reason to skip; the JUnit extension does so through {@code
 * RedisFixture.Builder#unavailableReason()} before the test starts.
 */
public final class RedisUnavailableException extends RedisFixtureException {
  private static final long serialVersionUID = 1L;

  /** With the explanation of what is missing. */
  public RedisUnavailableException(String message) {
    super(message);
  }
}
