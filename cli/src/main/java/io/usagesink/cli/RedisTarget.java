package io.usagesink.cli;

import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import io.usagesink.launcher.RedisUnavailableException;
import java.util.Optional;

/**
 * The Redis {@code compare} measures against: an external one (its URI from {@code --redis} or
 * {@code REDIS_URL}, never stopped) or an embedded one it starts itself through the testkit fixture
 * (a {@code redis-server} from {@code PATH} on a free loopback port in a temp dir, or else a
 * Testcontainers {@code redis:7} when a Docker engine is reachable), stopped and removed on close.
 *
 * <p>Not thread-safe.
 */
final class RedisTarget implements AutoCloseable {

  private final String uri;
  private final RedisServer server;

  private RedisTarget(String uri, RedisServer server) {
    this.uri = uri;
    this.server = server;
  }

  /** The Redis at {@code uri}; nothing is started or stopped. */
  static RedisTarget external(String uri) {
    return new RedisTarget(uri, null);
  }

  /**
   * Starts a Redis: a local {@code redis-server} process if one is on {@code PATH} (the better
   * measurement: no container network in between), else a container.
   *
   * @throws IllegalStateException saying how to provide a Redis when neither is possible (exit 1)
   */
  static RedisTarget embedded() {
    RedisFixture.Builder local = RedisFixture.builder().source(RedisServer.Source.LOCAL_PROCESS);
    Optional<String> localProblem = local.unavailableReason();
    RedisFixture.Builder chosen = local;
    if (localProblem.isPresent()) {
      RedisFixture.Builder container = RedisFixture.builder().source(RedisServer.Source.CONTAINER);
      Optional<String> containerProblem = container.unavailableReason();
      if (containerProblem.isPresent()) {
        throw new IllegalStateException(
            "no Redis to compare against: none was given (--redis URI or REDIS_URL) and "
                + "none could be started ("
                + reason(localProblem.get())
                + "; "
                + reason(containerProblem.get())
                + "). Install redis-server (e.g. apt-get install redis-server), start Docker, or"
                + " pass --redis redis://host:6379");
      }
      chosen = container;
    }
    try {
      RedisServer server = chosen.start();
      return new RedisTarget(server.authenticatedUri(), server);
    } catch (RedisUnavailableException e) {
      throw new IllegalStateException(
          "no Redis to compare against: "
              + e.getMessage()
              + ". Pass --redis redis://host:6379 or set REDIS_URL");
    }
  }

  /** The fixture's reason without its "source(X) was asked but" preamble. */
  private static String reason(String fixtureReason) {
    return fixtureReason.replaceFirst("^source\\([A-Z_]+\\) was asked but ", "");
  }

  /** The URI clients use (may hold a password: never print it; see {@link Secrets#maskUri}). */
  String uri() {
    return uri;
  }

  boolean isExternal() {
    return server == null;
  }

  /** {@code external} or {@code embedded}. */
  String mode() {
    return server == null ? "external" : "embedded";
  }

  /** A password-free description: the masked URI, and how an embedded server was started. */
  String description(String maskedUri) {
    if (server == null) {
      return maskedUri;
    }
    String how =
        server.source() == RedisServer.Source.CONTAINER
            ? "Testcontainers redis:7"
            : "redis-server started on a free port";
    return how + ", " + maskedUri;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
