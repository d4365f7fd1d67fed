package io.usagesink.redis.connect;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import io.usagesink.SinkConfig;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce connection to Redis (a single server or a Redis Cluster), built from {@link
 * io.usagesink.redis.RedisOptions#uri()}: {@code redis://} or {@code rediss://} (TLS), {@code
 * user:password@} (ACL) or {@code :password@}, a database index ({@code /2}), and comma-separated
 * seed nodes for a cluster ({@code redis://h1:7000,h2:7001}). Command timeouts and the connect
 * timeout come from {@link SinkConfig#commandTimeout()}.
 *
 * <p><b>Cluster detection.</b> Unless {@link SinkConfig#redisCluster()} forces a mode, the first
 * node is asked {@code INFO cluster}; with {@code cluster_enabled:1} a {@link RedisClusterClient}
 * is used (commands are routed by key slot), otherwise a {@link RedisClient}. An ACL user that may
 * not run {@code INFO} is asked {@code CLUSTER INFO}; one that may run neither gets a single-server
 * connection (and a warning naming {@code usagesink.redis.cluster}).
 *
 * <p><b>Connect failures</b> are {@link RedisConnectFailedException}s: {@linkplain
 * RedisConnectFailedException#isFatal() fatal} when a reachable Redis refuses this client (only
 * authentication failures mention the password), not fatal when it cannot be reached. A {@code
 * rediss://} connect still pending after a second is checked for a plain Redis on that port, and
 * then fails at once saying so. To start while Redis is down, use {@link RedisConnector}.
 *
 * <p><b>Behaviour on faults.</b> The connection reconnects by itself. A connection opened for the
 * sinks' writers ({@link RedisConnector}) fails, when it breaks, every command written but not
 * answered yet and every command still queued at once with a {@code RedisException} ("Connection
 * disconnected"), and rejects commands issued while it is disconnected ({@link
 * ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}): Lettuce never re-sends a written command by
 * itself after the reconnect (its default would, which double-counts a counter silently), so the
 * writers see every unanswered command as unknown and their callers retry it, counted. (Lettuce 7's
 * {@code replayFilter} does not cover written commands: it filters only commands issued while
 * disconnected and failed channel writes.) A connection from {@link #open(SinkConfig)}, for readers
 * and tools, keeps Lettuce's default: commands wait for the reconnect (re-running a read is
 * harmless). Lettuce itself sets no per-command timeout on this connection (one timer per write is
 * far cheaper than one per command), so callers of {@link #async()} bound their own waits.
 *
 * <p>Thread-safe: share one instance between writers and readers. {@link #close()} closes the
 * connection and the client, and the {@link ClientResources} only if this instance created them. No
 * message of this class contains the Redis password: URIs are shown masked.
 */
public final class RedisConnection implements AutoCloseable {

  /**
   * Optional property: a PEM file of certificate authorities to trust for {@code rediss://} (for
   * servers with a private CA); without it the JVM's default trust store is used: {@value}.
   */
  public static final String TLS_CA_FILE_PROPERTY = "usagesink.redis.tls.ca-file";

  private static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK =
      new WriteBufferWaterMark(32 << 20, 64 << 20);
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * A {@code rediss://} connect still pending after this long is checked for a plain port: {@value}
   * ms.
   */
  static final long TLS_PROBE_AFTER_MILLIS = 1_000;

  private static final long TLS_PROBE_TIMEOUT_MILLIS = 1_000;

  /** How often a connect step that is waited for looks whether its attempt was abandoned. */
  static final long ABANDON_POLL_MILLIS = 50;

  private static final long ABANDON_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(ABANDON_POLL_MILLIS);
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);

  /**
   * Cluster topology refresh: Lettuce 7's adaptive triggers (a {@code MOVED} or {@code ASK}
   * redirect, persistent reconnects, a slot no known node serves, an unknown node; all on by
   * default), at most once a second instead of Lettuce's once per 5 s; no periodic refresh (it
   * would cost commands on every node all day). A refresh right after a {@code CLUSTER FAILOVER}
   * can still read a node that has not learnt the new owner yet; with the 5 s pause every command
   * for the moved slots then paid a {@code MOVED} redirect until the next refresh
   * (FailoverAndReshardingIT measured it). The pipeline writer does not rely on these triggers: it
   * answers {@code MOVED} itself and asks for a refresh with {@link #refreshTopologyAfterMoved()}.
   */
  static final ClusterTopologyRefreshOptions TOPOLOGY_REFRESH =
      ClusterTopologyRefreshOptions.builder()
          .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
          .build();

  private final String maskedUri;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> async;
  private final boolean cluster;
  private final ClientResources resources;
  private volatile boolean ownsResources;
  private final Duration commandTimeout;
  private final TopologyRefresher refresher; // null for a single server
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisConnection(
      String maskedUri,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> async,
      boolean cluster,
      ClientResources resources,
      boolean ownsResources,
      Duration commandTimeout) {
    this.maskedUri = maskedUri;
    this.client = client;
    this.connection = connection;
    this.async = async;
    this.cluster = cluster;
    this.resources = resources;
    this.ownsResources = ownsResources;
    this.commandTimeout = commandTimeout;
    this.refresher =
        client instanceof RedisClusterClient c
            ? new TopologyRefresher(c::refreshPartitionsAsync, resources.timer())
            : null;
  }

  /**
   * Connects as configured, with its own {@link ClientResources} (closed by {@link #close()}; they
   * reconnect after 10 ms, doubling to at most 1 s between attempts). Blocks until connected: one
   * attempt, bounded by the connect timeout ({@link #connectTimeout(SinkConfig)}) per step (cluster
   * detection, connect, TLS handshake). To start while Redis is down, use {@link RedisConnector}.
   *
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or refuses this client ({@link
   *     RedisConnectFailedException#isFatal()} tells which)
   */
  public static RedisConnection open(SinkConfig config) {
    Objects.requireNonNull(config, "config");
    requireUri(config);
    ClientResources resources = newResources();
    try {
      return connect(config, resources, true, false);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Like {@link #open(SinkConfig)}, for a connection to hand to a sink builder's {@code
   * connection(...)}: when it breaks, unanswered commands fail at once instead of being re-sent by
   * Lettuce after the reconnect (see "Behaviour on faults"), so the writers count every re-send
   * themselves.
   *
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or refuses this client
   */
  public static RedisConnection openForWriters(SinkConfig config) {
    Objects.requireNonNull(config, "config");
    requireUri(config);
    ClientResources resources = newResources();
    try {
      return connect(config, resources, true, true);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Connects as configured, using shared {@code resources}; whoever created them closes them, after
   * this connection is closed. Blocks until connected (one attempt, see {@link #open(SinkConfig)}).
   *
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or refuses this client
   */
  public static RedisConnection open(SinkConfig config, ClientResources resources) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(resources, "resources");
    return connect(config, resources, false, false);
  }

  /**
   * The client resources {@link #open(SinkConfig)} and {@link RedisConnector} create: reconnect
   * quickly (10 ms doubling to at most 1 s) rather than Lettuce's default of up to 30 s; no command
   * latency metrics (one recorder call per command); a write buffer high-water mark far above a
   * batch of plans (Netty's default of 64 KiB is crossed by every batch, and the writability flag
   * then bounces between the writer and the I/O thread on every command; Lettuce ignores it).
   *
   * <p><b>The event loop group lives as long as the resources.</b> Lettuce counts references to the
   * group of its transport ({@link Transports#eventLoopGroupClass()}): each client takes one at its
   * first connect and gives it back at its shutdown, and the last one back terminates the group.
   * The connector makes a new client per attempt (and a probe client for cluster detection), so
   * while Redis refused connections the group terminated after every attempt. Lettuce also arms a
   * handshake timeout (the connect timeout) for every channel it registers and cancels it only once
   * the handshake ends, which a refused connect never starts: that timeout then fired on the
   * terminated loop, and Netty logged "Failed to submit a listener notification task. Event loop
   * shut down?" with a {@code RejectedExecutionException} at ERROR, once per attempt (seen in
   * {@code replay} with Redis down). So the group is allocated once here and never given back: it
   * ends with {@link ClientResources#shutdown}, which stops the timer before it terminates the
   * groups, so a pending timeout never runs against a terminated loop.
   */
  static ClientResources newResources() {
    ClientResources resources =
        DefaultClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
            .nettyCustomizer(
                new NettyCustomizer() {
                  @Override
                  public void afterChannelInitialized(Channel channel) {
                    channel.config().setWriteBufferWaterMark(WRITE_BUFFER_WATER_MARK);
                  }
                })
            .build();
    // a reference held until shutdown: threads start lazily, at the first connect
    resources.eventLoopGroupProvider().allocate(Transports.eventLoopGroupClass());
    return resources;
  }

  /**
   * The bound of one connect step (TCP connect, TLS handshake): the command timeout, at most 10 s.
   */
  public static Duration connectTimeout(SinkConfig config) {
    return min(RedisOptions.from(config).commandTimeout(), MAX_CONNECT_TIMEOUT);
  }

  static String requireUri(SinkConfig config) {
    return RedisOptions.from(config).requireUri();
  }

  /**
   * {@link #connect(SinkConfig, ClientResources, boolean, boolean, BooleanSupplier)}, never
   * abandoned.
   */
  static RedisConnection connect(
      SinkConfig config, ClientResources resources, boolean owns, boolean forWriters) {
    return connect(config, resources, owns, forWriters, () -> false);
  }

  /**
   * One connect attempt with {@code resources}. Blocks for at most about twice the connect timeout
   * plus the command timeout.
   *
   * @param owns whether {@link #close()} shuts the resources down
   * @param forWriters {@code true} for the sinks' writers (through {@link RedisConnector}): when
   *     the connection breaks, every command written and not yet answered fails at once and
   *     commands issued while disconnected are refused, so the writers see each unknown outcome and
   *     decide about re-sending themselves (Lettuce would otherwise re-send them after the
   *     reconnect, which double-counts silently); {@code false} for readers and tools: commands
   *     wait for the reconnect (re-running a read is harmless)
   * @param abandoned polled while waiting for a connect step (every {@value #ABANDON_POLL_MILLIS}
   *     ms): once it says {@code true} the attempt gives up (its client shut down, the resources
   *     left alone) with a fatal {@link RedisConnectFailedException}; for a connector being closed
   * @throws ConfigurationException when no URI is configured or the URI is unusable
   * @throws RedisConnectFailedException when Redis cannot be reached or refuses this client
   */
  static RedisConnection connect(
      SinkConfig config,
      ClientResources resources,
      boolean owns,
      boolean forWriters,
      BooleanSupplier abandoned) {
    RedisOptions settings = RedisOptions.from(config);
    String uri = settings.requireUri();
    Duration timeout = settings.commandTimeout();
    List<RedisURI> nodes = RedisUriParsing.parse(uri, timeout);
    SslOptions ssl = sslOptions(config);
    Target target =
        new Target(
            RedisUriMask.mask(uri), uri, nodes.get(0), connectTimeout(config), timeout, abandoned);
    boolean cluster = settings.cluster().orElseGet(() -> detectCluster(target, resources, ssl));
    // TCP keep-alive probes after 5 s idle, every 1 s, 3 at most: a half-open connection
    // (a peer gone without a reset) is found in about 8 s, which fails its unanswered
    // commands (the pipeline writer never times out commands on a connection that is still
    // open, see PipelinePlanWriter)
    SocketOptions socket =
        SocketOptions.builder()
            .connectTimeout(target.connectTimeout())
            .keepAlive(
                SocketOptions.KeepAliveOptions.builder()
                    .enable()
                    .idle(Duration.ofSeconds(5))
                    .interval(Duration.ofSeconds(1))
                    .count(3)
                    .build())
            .build();
    // useHashIndexQueue(false): a plain deque as the command stack; the hash index only speeds
    // up removing cancelled commands, which the writers never do, and costs a HashMap operation
    // per command.
    // No per-command timer in Lettuce: the writers time out a whole write with one timer (see
    // Timeouts).
    TimeoutOptions timeouts = TimeoutOptions.builder().timeoutCommands(false).build();
    if (cluster) {
      if (nodes.get(0).getDatabase() != 0) {
        throw new ConfigurationException(
            "usagesink.redis.uri="
                + target.masked()
                + " selects database "
                + nodes.get(0).getDatabase()
                + " but Redis Cluster has only database 0; remove the /database part");
      }
      RedisClusterClient c = RedisClusterClient.create(resources, nodes);
      ClusterClientOptions.Builder options =
          ClusterClientOptions.builder()
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              .sslOptions(ssl)
              .autoReconnect(true)
              .disconnectedBehavior(disconnected(forWriters))
              .topologyRefreshOptions(TOPOLOGY_REFRESH);
      options.useHashIndexQueue(false);
      c.setOptions(options.build());
      try {
        // the asynchronous connect needs the topology first (the blocking one loads it itself)
        StatefulRedisClusterConnection<String, String> conn =
            await(
                c.refreshPartitionsAsync()
                    .toCompletableFuture()
                    .thenCompose(loaded -> c.connectAsync(StringCodec.UTF8)),
                target,
                true);
        if (forWriters) {
          openEveryMaster(conn, target);
        }
        conn.setTimeout(timeout);
        return new RedisConnection(
            target.masked(), c, conn, conn.async(), true, resources, owns, timeout);
      } catch (RuntimeException e) {
        c.shutdown(0, 2, TimeUnit.SECONDS);
        throw e instanceof RedisConnectFailedException ? e : failure(target, true, e);
      }
    }
    RedisClient c = RedisClient.create(resources);
    c.setOptions(
        ClientOptions.builder()
            .socketOptions(socket)
            .timeoutOptions(timeouts)
            .sslOptions(ssl)
            .autoReconnect(true)
            .disconnectedBehavior(disconnected(forWriters))
            .useHashIndexQueue(false)
            .build());
    try {
      StatefulRedisConnection<String, String> conn =
          await(
              c.connectAsync(StringCodec.UTF8, nodes.get(0)).toCompletableFuture(), target, false);
      conn.setTimeout(timeout);
      return new RedisConnection(
          target.masked(), c, conn, conn.async(), false, resources, owns, timeout);
    } catch (RuntimeException e) {
      c.shutdown(0, 2, TimeUnit.SECONDS);
      throw e instanceof RedisConnectFailedException ? e : failure(target, false, e);
    }
  }

  /**
   * What a connect attempt goes to: for waits and messages. {@code secretUri} only scrubs messages.
   */
  private record Target(
      String masked,
      String secretUri,
      RedisURI first,
      Duration connectTimeout,
      Duration commandTimeout,
      BooleanSupplier abandoned) {
    @Override
    public String toString() {
      return masked;
    }
  }

  /**
   * Asks the first node {@code INFO cluster}. An ACL user that may not run INFO is asked {@code
   * CLUSTER INFO} (answered only by a cluster node); when it may run neither, a single server is
   * assumed (with a warning naming {@code usagesink.redis.cluster}).
   */
  /**
   * Opens the write connection to every master now: with {@link
   * ClientOptions.DisconnectedBehavior#REJECT_COMMANDS} Lettuce refuses a command routed to a node
   * whose connection is still being opened ("Currently not connected"), which the first writes
   * after a connect would otherwise meet.
   */
  private static void openEveryMaster(
      StatefulRedisClusterConnection<String, String> conn, Target target) {
    List<CompletableFuture<?>> opening = new ArrayList<>();
    for (RedisClusterNode n : conn.getPartitions()) {
      if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        opening.add(
            conn.getConnectionAsync(
                n.getUri().getHost(), n.getUri().getPort(), ConnectionIntent.WRITE));
      }
    }
    await(CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])), target, true);
  }

  private static ClientOptions.DisconnectedBehavior disconnected(boolean forWriters) {
    return forWriters
        ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
        : ClientOptions.DisconnectedBehavior.DEFAULT;
  }

  private static boolean detectCluster(Target target, ClientResources resources, SslOptions ssl) {
    RedisClient probe = RedisClient.create(resources);
    probe.setOptions(
        ClientOptions.builder()
            .sslOptions(ssl)
            .socketOptions(SocketOptions.builder().connectTimeout(target.connectTimeout()).build())
            .timeoutOptions(TimeoutOptions.enabled(target.commandTimeout()))
            .autoReconnect(false)
            .build());
    try (StatefulRedisConnection<String, String> conn =
        await(
            probe.connectAsync(StringCodec.UTF8, target.first()).toCompletableFuture(),
            target,
            false)) {
      try {
        String info = conn.sync().info("cluster");
        return info != null && info.contains("cluster_enabled:1");
      } catch (RedisCommandExecutionException e) {
        if (!FailurePolicy.isCommandNoPerm(e.getMessage())) {
          throw failure(target, false, e);
        }
      }
      try {
        conn.sync().clusterInfo();
        return true;
      } catch (RedisCommandExecutionException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("cluster support disabled")) {
          return false;
        }
        if (!FailurePolicy.isCommandNoPerm(m)) {
          throw failure(target, false, e);
        }
      }
      LOG.warn(
          "cannot tell whether Redis at {} is a Redis Cluster: its user may run neither INFO nor"
              + " CLUSTER INFO; assuming a single server (set usagesink.redis.cluster=true if it is"
              + " a cluster)",
          target.masked());
      return false;
    } catch (RedisConnectFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure(target, false, e);
    } finally {
      probe.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits for a connect; for {@code rediss://} that has not connected after {@value
   * #TLS_PROBE_AFTER_MILLIS} ms, checks whether a plain (non-TLS) Redis answers on that port and,
   * if so, fails at once.
   */
  private static <T> T await(CompletableFuture<T> future, Target target, boolean cluster) {
    long total = target.connectTimeout().toNanos() * 2 + target.commandTimeout().toNanos();
    long start = System.nanoTime();
    long deadline = start + total;
    boolean probed = !target.first().isSsl();
    while (true) {
      if (target.abandoned().getAsBoolean()) {
        future.cancel(false);
        throw new RedisConnectFailedException(
            "stopped connecting to "
                + what(cluster)
                + " at "
                + target.masked()
                + ": the connector was closed",
            null,
            true);
      }
      long until =
          probed
              ? deadline
              : Math.min(deadline, start + TimeUnit.MILLISECONDS.toNanos(TLS_PROBE_AFTER_MILLIS));
      long slice = Math.min(until - System.nanoTime(), ABANDON_POLL_NANOS);
      try {
        return future.get(Math.max(slice, 0), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        if (System.nanoTime() - until < 0) {
          continue; // a poll slice passed: look at abandoned again
        }
        if (!probed) {
          probed = true;
          if (plainRedisAnswers(target)) {
            future.cancel(false);
            throw notTls(target, cluster);
          }
          continue;
        }
        future.cancel(false);
        throw new RedisConnectFailedException(
            "cannot connect to "
                + what(cluster)
                + " at "
                + target.masked()
                + ": no connection within "
                + total / 1_000_000
                + " ms",
            null);
      } catch (ExecutionException e) {
        throw failure(target, cluster, e.getCause() == null ? e : e.getCause());
      } catch (CancellationException e) {
        throw failure(target, cluster, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        future.cancel(false);
        throw new RedisConnectFailedException(
            "interrupted while connecting to " + what(cluster) + " at " + target.masked(), null);
      }
    }
  }

  private static String what(boolean cluster) {
    return cluster ? "Redis Cluster" : "Redis";
  }

  /**
   * Whether a plain Redis answers {@code PING} at the first node's host and port (with {@code
   * +PONG} or an error such as {@code -NOAUTH}): then {@code rediss://} points at a non-TLS port.
   */
  private static boolean plainRedisAnswers(Target target) {
    int timeout =
        (int) Math.max(1, Math.min(target.connectTimeout().toMillis(), TLS_PROBE_TIMEOUT_MILLIS));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(target.first().getHost(), target.first().getPort()), timeout);
      s.setSoTimeout(timeout);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      int first = s.getInputStream().read();
      return first == '+' || first == '-';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static RedisConnectFailedException notTls(Target target, boolean cluster) {
    return new RedisConnectFailedException(
        "cannot connect to "
            + what(cluster)
            + " at "
            + target.masked()
            + ": the server did not complete a TLS handshake, and a plain (non-TLS) Redis answers"
            + " on port "
            + target.first().getPort()
            + ": rediss:// is pointing at a non-TLS port; use redis:// or the server's tls-port",
        null,
        true);
  }

  /** Classifies and describes a failed connect (never showing the password). */
  private static RedisConnectFailedException failure(Target target, boolean cluster, Throwable e) {
    String at = what(cluster) + " at " + target.masked();
    RedisCommandExecutionException reply = find(e, RedisCommandExecutionException.class);
    if (reply != null) {
      String m = RedisUriMask.scrub(String.valueOf(reply.getMessage()), target.secretUri());
      if (m.startsWith("WRONGPASS")
          || m.startsWith("NOAUTH")
          || m.contains("invalid password")
          || m.contains("invalid username-password")
          || m.startsWith("ERR AUTH")
          || m.contains("AUTH <password> called without any password")) {
        return new RedisConnectFailedException(
            "cannot authenticate to "
                + at
                + ": "
                + m
                + " (check the user and password of usagesink.redis.uri)",
            null,
            true);
      }
      if (m.startsWith("NOPERM")) {
        return new RedisConnectFailedException(
            "cannot use "
                + at
                + ": "
                + m
                + " (the ACL user of usagesink.redis.uri lacks a permission this library needs)",
            null,
            true);
      }
      boolean transientReply = FailurePolicy.classifyReply(m) == FailurePolicy.Kind.TRANSIENT;
      return new RedisConnectFailedException("cannot use " + at + ": " + m, null, !transientReply);
    }
    SSLException tls = find(e, SSLException.class);
    if (tls != null && target.first().isSsl()) {
      if (plainRedisAnswers(target)) {
        return notTls(target, cluster);
      }
      if (tls instanceof SslHandshakeTimeoutException) {
        return new RedisConnectFailedException(
            "cannot connect to "
                + at
                + ": the server did not complete a TLS handshake within "
                + target.connectTimeout().toMillis()
                + " ms; rediss:// may be pointing at a non-TLS port",
            null);
      }
      boolean certificate =
          find(e, CertificateException.class) != null
              || String.valueOf(tls.getMessage()).contains("PKIX");
      return new RedisConnectFailedException(
          "cannot connect to "
              + at
              + ": TLS failed: "
              + RedisUriMask.scrub(String.valueOf(tls.getMessage()), target.secretUri())
              + (certificate
                  ? " (the server's certificate is not trusted; set "
                      + TLS_CA_FILE_PROPERTY
                      + " to the PEM file of the CA that signed it)"
                  : ""),
          null,
          certificate);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof UnknownHostException) {
      reason = "unknown host " + reason;
    }
    return new RedisConnectFailedException(
        "cannot connect to " + at + ": " + RedisUriMask.scrub(reason, target.secretUri()), null);
  }

  /**
   * The first {@code type} among {@code e}, its causes and their suppressed exceptions (Lettuce's
   * cluster connect).
   */
  private static <X extends Throwable> X find(Throwable e, Class<X> type) {
    ArrayDeque<Throwable> todo = new ArrayDeque<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    todo.add(e);
    while (!todo.isEmpty() && seen.size() < 64) {
      Throwable t = todo.poll();
      if (t == null || !seen.add(t)) {
        continue;
      }
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
      todo.addAll(List.of(t.getSuppressed()));
    }
    return null;
  }

  private static SslOptions sslOptions(SinkConfig config) {
    Optional<String> ca = config.property(TLS_CA_FILE_PROPERTY);
    SslOptions.Builder b = SslOptions.builder().handshakeTimeout(connectTimeout(config));
    if (ca.isEmpty()) {
      return b.build();
    }
    File file = new File(ca.get());
    if (!file.isFile() || !file.canRead()) {
      throw new ConfigurationException(
          "Invalid value for property "
              + TLS_CA_FILE_PROPERTY
              + "="
              + ca.get()
              + ". Must be a readable PEM file of CA certificates.");
    }
    return b.jdkSslProvider().trustManager(file).build();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * For the writers that answer {@code MOVED} themselves: a command routed by this connection's
   * slot table was just answered {@code MOVED}, so the table is stale. Returns a stage that
   * completes (never exceptionally) once a refresh of the table that started after this call has
   * ended, starting one in the background if none runs: one refresh at a time, and calls while one
   * runs get one more after it (at least 100 ms after the previous start). A command sent again
   * after the stage completed is routed by a table read from the nodes after the {@code MOVED}
   * reply. Completed at once on a single-server or closed connection. Never blocks; thread-safe
   * (called on Netty's I/O threads).
   */
  public CompletionStage<Void> refreshTopologyAfterMoved() {
    if (refresher == null || closed.get()) {
      return CompletableFuture.completedFuture(null);
    }
    return refresher.request(System.nanoTime());
  }

  /**
   * Topology refreshes {@link #refreshTopologyAfterMoved} started so far (0 on a single server);
   * for diagnostics and tests.
   */
  public long topologyRefreshesAfterMoved() {
    return refresher == null ? 0 : refresher.refreshes();
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

  /** The timer for write and read timeouts (the client resources' timer); for the writers. */
  public io.netty.util.Timer timer() {
    return resources.timer();
  }

  /**
   * The underlying Lettuce connection (a cluster connection when {@link #isCluster()}); for the
   * writers.
   */
  public StatefulConnection<String, String> stateful() {
    return connection;
  }

  /** The cluster connection; only when {@link #isCluster()}; for the writers. */
  @SuppressWarnings("unchecked")
  public StatefulRedisClusterConnection<String, String> clusterConnection() {
    if (!cluster) {
      throw new IllegalStateException("not a cluster connection");
    }
    return (StatefulRedisClusterConnection<String, String>) connection;
  }

  /**
   * From now on {@link #close()} also shuts down the client resources (the connector's, once
   * connected).
   */
  void adoptResources() {
    ownsResources = true;
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the connection and the client (and the resources if this instance created them).
   * Idempotent.
   */
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
    return "RedisConnection{"
        + maskedUri
        + (cluster ? ", cluster" : "")
        + (closed.get() ? ", closed" : "")
        + "}";
  }
}
