package io.usagesink.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import io.usagesink.SinkConfig;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Lettuce connection to Redis (a single server or a Redis Cluster), built from {@link
 * SinkConfig#redisUri()}: {@code redis://} or {@code rediss://} (TLS), {@code user:password@} (ACL)
 * or {@code :password@}, a database index ({@code /2}), and comma-separated seed nodes for a
 * cluster ({@code redis://h1:7000,h2:7001}). Command timeouts and the connect timeout come from
 * {@link SinkConfig#commandTimeout()}.
 *
 * <p><b>Cluster detection.</b> Unless {@link SinkConfig#redisCluster()} forces a mode, the first
 * node is asked {@code INFO cluster}; with {@code cluster_enabled:1} a {@link RedisClusterClient}
 * is used (commands are routed by key slot), otherwise a {@link RedisClient}.
 *
 * <p><b>Behaviour on faults.</b> The connection reconnects by itself. When it breaks, every command
 * written but not answered yet, and every command still queued, fails at once with a {@code
 * RedisException} ("Connection disconnected"), and commands issued while it is disconnected are
 * rejected at once ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}): Lettuce never
 * re-sends a written command by itself after the reconnect (its default would, which double-counts a
 * counter silently), so the writers see every unanswered command as unknown and their callers retry
 * it, counted. (Lettuce 7's {@code replayFilter} does not cover written commands: it filters only
 * commands issued while disconnected and failed channel writes.) The writers and the reader give up
 * on a write or read after the command timeout; a command given up that has not been sent yet is
 * never sent. Lettuce itself sets no per-command timeout on this
 * connection (one timer per write is far cheaper than one per command), so callers of {@link
 * #async()} bound their own waits.
 *
 * <p>Thread-safe: share one instance between writers and readers. {@link #close()} closes the
 * connection and the client, and the {@link ClientResources} only if this instance created them.
 * No message of this class contains the Redis password: URIs are shown masked.
 */
public final class RedisConnection implements AutoCloseable {

  /**
   * Optional property: a PEM file of certificate authorities to trust for {@code rediss://} (for
   * servers with a private CA); without it the JVM's default trust store is used: {@value}.
   */
  public static final String TLS_CA_FILE_PROPERTY = "usagesink.redis.tls.ca-file";

  private static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK = new WriteBufferWaterMark(32 << 20, 64 << 20);

  private final String maskedUri;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> async;
  private final boolean cluster;
  private final ClientResources resources;
  private final boolean ownsResources;
  private final Duration commandTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisConnection(String maskedUri, AbstractRedisClient client, StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> async, boolean cluster, ClientResources resources,
      boolean ownsResources, Duration commandTimeout) {
    this.maskedUri = maskedUri;
    this.client = client;
    this.connection = connection;
    this.async = async;
    this.cluster = cluster;
    this.resources = resources;
    this.ownsResources = ownsResources;
    this.commandTimeout = commandTimeout;
  }

  /**
   * Connects as configured, with its own {@link ClientResources} (closed by {@link #close()}; they
   * reconnect after 10 ms, doubling to at most 1 s between attempts).
   * Blocks until connected (at most about the command timeout per attempt).
   *
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or rejects the credentials
   */
  public static RedisConnection open(SinkConfig config) {
    Objects.requireNonNull(config, "config");
    String uri = requireUri(config);
    // reconnect quickly (10 ms doubling to at most 1 s) rather than Lettuce's default of up to 30 s
    // no command latency metrics (one recorder call per command); a write buffer high-water mark far
    // above a batch of plans (Netty's default of 64 KiB is crossed by every batch, and the writability
    // flag then bounces between the writer and the I/O thread on every command; Lettuce ignores it)
    ClientResources resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            channel.config().setWriteBufferWaterMark(WRITE_BUFFER_WATER_MARK);
          }
        })
        .build();
    try {
      return open(config, uri, resources, true);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Connects as configured, using shared {@code resources}; whoever created them closes them, after
   * this connection is closed. Blocks until connected.
   *
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or rejects the credentials
   */
  public static RedisConnection open(SinkConfig config, ClientResources resources) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(resources, "resources");
    return open(config, requireUri(config), resources, false);
  }

  private static String requireUri(SinkConfig config) {
    return config.redisUri().orElseThrow(() -> new ConfigurationException(
        "usagesink.redis.uri (or REDIS_URL) is not set; set it to the Redis to write to, e.g. "
            + "redis://localhost:6379 or rediss://user:password@host:6380/0"));
  }

  private static RedisConnection open(SinkConfig config, String uri, ClientResources resources, boolean owns) {
    String masked = RedisUriMask.mask(uri);
    String secretUri = uri; // only ever used to scrub its passwords from messages
    List<RedisURI> nodes = RedisUriParsing.parse(uri, config.commandTimeout());
    Duration timeout = config.commandTimeout();
    boolean cluster = config.redisCluster().orElseGet(() -> detectCluster(nodes.get(0), resources, timeout, masked,
        secretUri, sslOptions(config)));
    SslOptions ssl = sslOptions(config);
    SocketOptions socket = SocketOptions.builder().connectTimeout(min(timeout, Duration.ofSeconds(10))).keepAlive(true).build();
    // useHashIndexQueue(false): a plain deque as the command stack; the hash index only speeds up
    // removing cancelled commands, which the writers never do, and costs a HashMap operation per command.
    // no per-command timer in Lettuce: the writers time out a whole write with one timer (see Timeouts)
    TimeoutOptions timeouts = TimeoutOptions.builder().timeoutCommands(false).build();
    if (cluster) {
      if (nodes.get(0).getDatabase() != 0) {
        throw new ConfigurationException("usagesink.redis.uri=" + masked + " selects database "
            + nodes.get(0).getDatabase() + " but Redis Cluster has only database 0; remove the /database part");
      }
      RedisClusterClient c = RedisClusterClient.create(resources, nodes);
      ClusterClientOptions.Builder options = ClusterClientOptions.builder().socketOptions(socket)
          .timeoutOptions(timeouts).sslOptions(ssl).autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
      options.useHashIndexQueue(false);
      c.setOptions(options.build());
      try {
        StatefulRedisClusterConnection<String, String> conn = c.connect(StringCodec.UTF8);
        conn.setTimeout(timeout);
        return new RedisConnection(masked, c, conn, conn.async(), true, resources, owns, timeout);
      } catch (RuntimeException e) {
        c.shutdown(0, 2, TimeUnit.SECONDS);
        throw connectFailed(masked, secretUri, true, e);
      }
    }
    RedisClient c = RedisClient.create(resources);
    c.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts).sslOptions(ssl)
        .autoReconnect(true).disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .useHashIndexQueue(false).build());
    try {
      StatefulRedisConnection<String, String> conn = c.connect(StringCodec.UTF8, nodes.get(0));
      conn.setTimeout(timeout);
      return new RedisConnection(masked, c, conn, conn.async(), false, resources, owns, timeout);
    } catch (RuntimeException e) {
      c.shutdown(0, 2, TimeUnit.SECONDS);
      throw connectFailed(masked, secretUri, false, e);
    }
  }

  private static boolean detectCluster(RedisURI first, ClientResources resources, Duration timeout, String masked,
      String secretUri, SslOptions ssl) {
    RedisClient probe = RedisClient.create(resources);
    probe.setOptions(ClientOptions.builder().sslOptions(ssl)
        .socketOptions(SocketOptions.builder().connectTimeout(min(timeout, Duration.ofSeconds(10))).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout)).autoReconnect(false).build());
    try (StatefulRedisConnection<String, String> conn = probe.connect(StringCodec.UTF8, first)) {
      String info = conn.sync().info("cluster");
      return info != null && info.contains("cluster_enabled:1");
    } catch (RuntimeException e) {
      throw connectFailed(masked, secretUri, false, e);
    } finally {
      probe.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private static SslOptions sslOptions(SinkConfig config) {
    Optional<String> ca = config.property(TLS_CA_FILE_PROPERTY);
    if (ca.isEmpty()) {
      return SslOptions.create();
    }
    File file = new File(ca.get());
    if (!file.isFile() || !file.canRead()) {
      throw new ConfigurationException("Invalid value for property " + TLS_CA_FILE_PROPERTY + "=" + ca.get()
          + ". Must be a readable PEM file of CA certificates.");
    }
    return SslOptions.builder().jdkSslProvider().trustManager(file).build();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static RedisConnectFailedException connectFailed(String masked, String secretUri, boolean cluster,
      RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String what = cluster ? "Redis Cluster" : "Redis";
    if (reason.contains("WRONGPASS") || reason.contains("NOAUTH") || reason.contains("NOPERM")
        || reason.contains("invalid password") || reason.contains("AUTH")) {
      return new RedisConnectFailedException("cannot authenticate to " + what + " at " + masked
          + ": " + RedisUriMask.scrub(reason, secretUri) + " (check the user and password of usagesink.redis.uri)", null);
    }
    boolean exec = root instanceof RedisCommandExecutionException;
    boolean connect = e instanceof RedisConnectionException || !exec;
    return new RedisConnectFailedException((connect ? "cannot connect to " : "cannot use ") + what + " at " + masked
        + ": " + RedisUriMask.scrub(reason, secretUri), null);
  }

  /** Whether this is a Redis Cluster connection (commands routed by slot). */
  public boolean isCluster() {
    return cluster;
  }

  /** The URI with the password masked; safe to log. */
  public String maskedUri() {
    return maskedUri;
  }

  /** The command timeout in effect. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * The Lettuce asynchronous commands of this connection (routed by slot on a cluster), for
   * diagnostics and tools such as {@code INFO commandstats}. Thread-safe; do not change the
   * connection's state through it ({@code setAutoFlushCommands}, {@code SELECT}, ...). Its commands
   * have no timeout of their own: bound your waits ({@code get(timeout, unit)}).
   */
  public RedisClusterAsyncCommands<String, String> async() {
    return async;
  }

  /** The timer for write and read timeouts (the client resources' timer). */
  io.netty.util.Timer timer() {
    return resources.timer();
  }

  /** The underlying Lettuce connection (a cluster connection when {@link #isCluster()}). */
  StatefulConnection<String, String> stateful() {
    return connection;
  }

  /** The cluster connection; only when {@link #isCluster()}. */
  @SuppressWarnings("unchecked")
  StatefulRedisClusterConnection<String, String> clusterConnection() {
    if (!cluster) {
      throw new IllegalStateException("not a cluster connection");
    }
    return (StatefulRedisClusterConnection<String, String>) connection;
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Closes the connection and the client (and the resources if this instance created them). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      connection.close();
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      if (ownsResources) {
        resources.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public String toString() {
    return "RedisConnection{" + maskedUri + (cluster ? ", cluster" : "") + (closed.get() ? ", closed" : "") + "}";
  }
}
