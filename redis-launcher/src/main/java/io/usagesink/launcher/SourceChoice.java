package io.usagesink.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a server with given options comes from on this machine (see {@link RedisFixture}), or why
 * none fits. Exactly one of {@code source} and {@code reason} is set.
 */
record SourceChoice(RedisServer.Source source, String reason) {
  static final String INSTALL = "install redis-server (apt-get install redis-server)";

  static SourceChoice of(RedisServer.Source source) {
    return new SourceChoice(source, null);
  }

  static SourceChoice none(String reason) {
    return new SourceChoice(null, reason);
  }

  static SourceChoice choose(ServerSpec spec, FixtureEnvironment env) {
    FixtureEnvironment.Mode mode = spec.source() != null ? mode(spec.source()) : env.mode();
    boolean local = env.executable("redis-server").isPresent();
    boolean url = env.redisUrl().isPresent();
    String forced =
        spec.source() != null
            ? "source(" + spec.source() + ") was asked"
            : FixtureEnvironment.MODE_PROPERTY + "=" + mode.name().toLowerCase(Locale.ROOT);
    switch (mode) {
      case EXTERNAL:
        if (!url) {
          return none(forced + " but " + FixtureEnvironment.REDIS_URL_ENV + " is not set");
        }
        if (spec.needsOwnServer()) {
          return none(
              forced
                  + " but this server asks for "
                  + needs(spec)
                  + ", which an external server (USAGESINK_TEST_REDIS_URL) cannot give");
        }
        return of(RedisServer.Source.EXTERNAL);
      case CONTAINER:
        if (spec.needsLocalProcess()) {
          return none(
              forced
                  + " but this server asks for "
                  + needs(spec)
                  + ", which only a local redis-server process gives");
        }
        if (!env.dockerReachable()) {
          return none(
              forced + " but no Docker engine is reachable (checked DOCKER_HOST and docker.sock)");
        }
        return of(RedisServer.Source.CONTAINER);
      case LOCAL:
        return local
            ? of(RedisServer.Source.LOCAL_PROCESS)
            : none(forced + " but redis-server is not on PATH; " + INSTALL);
      case AUTO:
      default:
        if (url && !spec.needsOwnServer()) {
          return of(RedisServer.Source.EXTERNAL);
        }
        if (local && spec.needsLocalProcess()) {
          return of(RedisServer.Source.LOCAL_PROCESS);
        }
        if (!spec.needsLocalProcess() && env.dockerReachable()) {
          return of(RedisServer.Source.CONTAINER);
        }
        if (local) {
          return of(RedisServer.Source.LOCAL_PROCESS);
        }
        if (spec.needsLocalProcess()) {
          return none(
              "this test needs a local redis-server process (for "
                  + needs(spec)
                  + ") but redis-server is not on PATH; "
                  + INSTALL);
        }
        if (url) {
          return none(
              FixtureEnvironment.REDIS_URL_ENV
                  + " is set, but it serves only servers without options and this one asks for "
                  + needs(spec)
                  + "; no Docker engine is reachable and redis-server is not on PATH; "
                  + INSTALL
                  + " or run a Docker engine");
        }
        return none(
            "redis-server not found on PATH, USAGESINK_TEST_REDIS_URL is not set and no Docker"
                + " engine is reachable (no DOCKER_HOST, no docker.sock); "
                + INSTALL
                + ", set USAGESINK_TEST_REDIS_URL=redis://host:port, or run a Docker engine");
    }
  }

  private static FixtureEnvironment.Mode mode(RedisServer.Source source) {
    switch (source) {
      case EXTERNAL:
        return FixtureEnvironment.Mode.EXTERNAL;
      case CONTAINER:
        return FixtureEnvironment.Mode.CONTAINER;
      case LOCAL_PROCESS:
      default:
        return FixtureEnvironment.Mode.LOCAL;
    }
  }

  private static String needs(ServerSpec spec) {
    List<String> needs = new ArrayList<>();
    if (spec.persistence() != Persistence.NONE) {
      needs.add("AOF persistence");
    }
    if (spec.requirePass() != null) {
      needs.add("a password");
    }
    if (spec.aclUser() != null) {
      needs.add("an ACL user");
    }
    if (spec.tls()) {
      needs.add("TLS");
    }
    if (spec.processControl()) {
      needs.add("kill/restart");
    }
    return String.join(", ", needs);
  }
}
