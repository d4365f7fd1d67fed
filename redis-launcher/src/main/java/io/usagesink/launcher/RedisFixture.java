package io.usagesink.launcher;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts real Redis servers for tests and tools; no JUnit needed (the JUnit 5 layer is {@code
 * io.usagesink.testkit.redis.junit.RedisExtension}).
 *
 * <p>Where a server comes from, in this order (DESIGN.md section 8):
 *
 * <ol>
 *   <li>{@code USAGESINK_TEST_REDIS_URL} set: that external server (for servers without options;
 *       the fixture never stops it, and <b>flushes it</b>: before every test and through {@link
 *       RedisServer#flushAll()}, so name a server meant for tests). {@code REDIS_URL}, which the
 *       production sink reads, is never used.
 *   <li>a reachable Docker engine: a Testcontainers {@code redis:7} container. Looking for Docker
 *       costs a few file checks when there is no sign of an engine (no {@code DOCKER_HOST}, no
 *       {@code docker.sock}), at most {@value DockerProbe#TESTCONTAINERS_TIMEOUT_SECONDS} s
 *       otherwise.
 *   <li>{@code redis-server} on {@code PATH}: a child process on a free 127.0.0.1 port in a temp
 *       dir, killed and removed on close (and on JVM exit). Starts in about 50 ms.
 * </ol>
 *
 * A request the earlier sources cannot serve falls through to the later ones: options (AOF,
 * password, ACL user) skip the external server; TLS and {@code processControl(true)} (kill/restart)
 * need a local process. The system property {@code usagesink.redis.fixture} (or env {@code
 * USAGESINK_REDIS_FIXTURE}) = {@code auto|external|container|local} forces one source. When nothing
 * fits, {@code start()} throws {@link RedisUnavailableException} saying what to install or set.
 *
 * <p>Clusters ({@link Builder#startCluster()}) are always local processes. Thread-safe; every
 * method blocks until the server is up.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisFixture.builder().persistence(Persistence.AOF_ALWAYS).processControl(true).start()) {
 *   RedisClient client = RedisClient.create(redis.uri());
 *   ...
 *   redis.kill();
 *   redis.restart();
 * }
 * }</pre>
 */
public final class RedisFixture {
  private RedisFixture() {}

  /** A builder for a server or cluster; the defaults are a plain server without persistence. */
  public static Builder builder() {
    return new Builder(ServerSpec.DEFAULT, FixtureEnvironment.system());
  }

  /** A plain server (no persistence, no auth) from the first available source. */
  public static RedisServer start() {
    return builder().start();
  }

  /** A 3-master local cluster without options. */
  public static RedisClusterHandle startCluster() {
    return builder().startCluster();
  }

  /**
   * True when a TLS server can be started here: {@code openssl} and a TLS-enabled {@code
   * redis-server} on PATH. Probed once per JVM by starting a TLS server (~100 ms); {@link
   * #tlsUnavailableReason()} says why not.
   */
  public static boolean tlsSupported() {
    return tlsUnavailableReason().isEmpty();
  }

  /** Why TLS servers cannot be started here, or empty when they can. */
  public static Optional<String> tlsUnavailableReason() {
    return TlsProbe.RESULT;
  }

  /** Probes TLS support once per JVM (an immutable answer computed on first use). */
  private static final class TlsProbe {
    static final Optional<String> RESULT = probe();

    private static Optional<String> probe() {
      Builder builder = builder().tls(true);
      Optional<String> reason = builder.baseUnavailableReason();
      if (reason.isPresent()) {
        return reason;
      }
      try {
        builder.start().close();
        return Optional.empty();
      } catch (RedisFixtureException e) {
        return Optional.of(e.getMessage());
      }
    }
  }

  /**
   * Options of a server or cluster, then {@link #start()} or {@link #startCluster()}. Immutable:
   * every setter returns a new builder, so a builder can be shared and reused.
   */
  public static final class Builder {
    private final ServerSpec spec;
    private final FixtureEnvironment environment;
    private final int replicasPerMaster;

    Builder(ServerSpec spec, FixtureEnvironment environment) {
      this(spec, environment, 0);
    }

    private Builder(ServerSpec spec, FixtureEnvironment environment, int replicasPerMaster) {
      this.spec = spec;
      this.environment = environment;
      this.replicasPerMaster = replicasPerMaster;
    }

    /**
     * For {@link #startCluster()}: this many replicas of every master (default 0), attached with
     * {@code CLUSTER REPLICATE} and synced before {@code startCluster()} returns; {@link
     * RedisClusterHandle#replicas()} lists them. 0 to 2.
     */
    public Builder replicasPerMaster(int replicas) {
      if (replicas < 0 || replicas > 2) {
        throw new IllegalArgumentException("replicasPerMaster must be 0 to 2, was " + replicas);
      }
      return new Builder(spec, environment, replicas);
    }

    /** AOF on or off; default {@link Persistence#NONE}. */
    public Builder persistence(Persistence persistence) {
      return with(spec.withPersistence(Objects.requireNonNull(persistence, "persistence")));
    }

    /**
     * The default user's password ({@code requirepass}); clients then need {@code
     * redis://default:PW@...} ({@link RedisServer#authenticatedUri()}). 1-128 printable ASCII
     * characters without spaces, quotes or backslashes.
     */
    public Builder requirePass(String password) {
      return with(spec.withRequirePass(Objects.requireNonNull(password, "password")));
    }

    /**
     * An ACL user with every permission ({@code user NAME on >PASSWORD ~* &* +@all}); the default
     * user stays as it is (no password unless {@link #requirePass(String)}). {@link
     * RedisServer#authenticatedUri()} then carries this user.
     */
    public Builder aclUser(String user, String password) {
      return with(
          spec.withAclUser(
              Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password")));
    }

    /**
     * Also listen for TLS ({@link RedisServer#tlsUri()}) with a self-signed certificate made by
     * {@code openssl}; local processes only. The plaintext port stays open.
     */
    public Builder tls(boolean enabled) {
      return with(spec.withTls(enabled));
    }

    /** The test will kill/restart/stop the server: only a local process will do. */
    public Builder processControl(boolean required) {
      return with(spec.withProcessControl(required));
    }

    /** Use exactly this source instead of choosing (overrides {@code usagesink.redis.fixture}). */
    public Builder source(RedisServer.Source source) {
      return with(spec.withSource(Objects.requireNonNull(source, "source")));
    }

    /**
     * Why {@link #start()} cannot succeed here (what is missing), or empty when it should. Cheap,
     * starts nothing.
     */
    public Optional<String> unavailableReason() {
      Optional<String> base = baseUnavailableReason();
      if (base.isPresent() || !spec.tls()) {
        return base;
      }
      return tlsUnavailableReason();
    }

    Optional<String> baseUnavailableReason() {
      SourceChoice choice = SourceChoice.choose(spec, environment);
      return choice.source() == null ? Optional.of(choice.reason()) : Optional.empty();
    }

    /** Why {@link #startCluster()} cannot succeed here, or empty when it should. */
    public Optional<String> clusterUnavailableReason() {
      checkClusterOptions();
      if (environment.executable("redis-server").isEmpty()) {
        return Optional.of(
            "a Redis Cluster needs redis-server on PATH (the fixture starts "
                + RedisClusterHandle.MASTERS
                + " local processes); install redis-server (apt-get install redis-server)");
      }
      return Optional.empty();
    }

    /**
     * Starts a server from the first source that can serve these options.
     *
     * @throws RedisUnavailableException when no source can (the message says what to install or
     *     set)
     * @throws RedisFixtureException when the chosen source fails to start
     */
    public RedisServer start() {
      SourceChoice choice = SourceChoice.choose(spec, environment);
      if (choice.source() == null) {
        throw new RedisUnavailableException(choice.reason());
      }
      switch (choice.source()) {
        case EXTERNAL:
          return ExternalRedisServer.connect(environment.redisUrl().orElseThrow());
        case CONTAINER:
          return ContainerRedisServer.start(spec);
        case LOCAL_PROCESS:
        default:
          Path openssl = null;
          if (spec.tls()) {
            openssl =
                environment
                    .executable("openssl")
                    .orElseThrow(
                        () ->
                            new RedisUnavailableException(
                                "a TLS server needs openssl on PATH to make its self-signed"
                                    + " certificate; install openssl (apt-get install openssl)"));
          }
          return LocalRedisServer.start(
              environment.executable("redis-server").orElseThrow(), openssl, spec, false);
      }
    }

    /**
     * Starts a {@value RedisClusterHandle#MASTERS}-master local cluster, with {@link
     * #replicasPerMaster(int)} replicas of each master (persistence applies to every node; TLS,
     * passwords and a forced non-local source are not supported for clusters).
     *
     * @throws RedisUnavailableException when redis-server is not on PATH
     * @throws IllegalStateException for options a cluster cannot have
     */
    public RedisClusterHandle startCluster() {
      Optional<String> reason = clusterUnavailableReason();
      if (reason.isPresent()) {
        throw new RedisUnavailableException(reason.get());
      }
      return LocalRedisCluster.start(
          environment.executable("redis-server").orElseThrow(), spec, replicasPerMaster);
    }

    private void checkClusterOptions() {
      if (spec.tls() || spec.requirePass() != null || spec.aclUser() != null) {
        throw new IllegalStateException(
            "the cluster fixture supports no TLS, requirePass or aclUser (asked: " + spec + ")");
      }
      if (spec.source() != null && spec.source() != RedisServer.Source.LOCAL_PROCESS) {
        throw new IllegalStateException(
            "the cluster fixture only starts local processes, but source "
                + spec.source()
                + " was asked");
      }
    }

    private Builder with(ServerSpec newSpec) {
      return new Builder(newSpec, environment, replicasPerMaster);
    }

    @Override
    public String toString() {
      return "RedisFixture.Builder["
          + spec
          + (replicasPerMaster > 0 ? ", replicasPerMaster=" + replicasPerMaster : "")
          + "]";
    }
  }
}
