package io.usagesink.redis.lua;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.CrsPlanFilter;
import io.usagesink.redis.internal.PerEventSink;
import io.usagesink.redis.internal.WriterSource;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.redis.write.WriterChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code redis-lua} backend: every event is applied by one EVALSHA of one constant, generic Lua
 * script (one per hash-slot group on a Redis Cluster), atomically and exactly once.
 *
 * <p><b>Record.</b> {@code record} only queues the event (no planning, no I/O, no lock); the sink's
 * writer thread plans queued events and hands the script calls of everything queued to the
 * connection in one flush. Its stage completes when Redis confirmed the event applied (or already
 * applied), and fails only when the sink gave the event up (see below).
 *
 * <p><b>Exactly once.</b> Every event carries an id: {@link io.usagesink.UsageEvent#id()} when
 * given, else one generated per event. The script sets a guard key {@code <keyPrefix>guard:{<slot
 * tag>}:<id>} with {@code SET NX EX <guardTtl>} and applies the counters only when it was absent,
 * all in one atomic script call. So a call retried after an ambiguous failure (the connection
 * dropped after Redis ran it, a timeout, a client-side replay after reconnect) never counts twice.
 * Give your own ids when your own retries may submit the same request twice; the guard remembers an
 * id for {@link RedisOptions#guardTtl()} (default 10 min).
 *
 * <p><b>Faults</b> follow one policy ({@code FailurePolicy}, shared with every Redis backend):
 *
 * <ul>
 *   <li><b>Transient</b> (connection lost or refused, timeout, {@code OOM}, {@code LOADING}, {@code
 *       BUSY}, {@code NOSCRIPT}, {@code READONLY}, cluster reconfiguring): {@code record} still
 *       returns at once and the event is retried in the background with exponential backoff (50 ms
 *       doubling to 2 s, jittered) until applied, until {@link #retryWindow(SinkConfig)} after its
 *       first attempt (the guard TTL less the command timeout and a 5 s margin: past the guard's
 *       lifetime a retry could count twice), or until {@code close()}'s deadline. Under {@code
 *       maxmemory} Redis refuses the whole script before it runs (the script declares Redis 7
 *       flags), so nothing is half done.
 *   <li><b>A poisoned key</b> ({@code WRONGTYPE}, an increment that would overflow, a field that is
 *       not an integer): the script undoes that key's updates of the event and goes on with the
 *       other keys, so every other update of the event is stored exactly once; the event fails with
 *       {@code PoisonedKeysException} naming the key and is counted {@code failed} under that key's
 *       reason ({@code failureReasons()}).
 *   <li><b>Fatal</b> ({@code NOAUTH}, {@code WRONGPASS}, {@code NOPERM}): checked at open when
 *       Redis is reachable (the script is loaded and a no-op call made, the script's commands
 *       checked against the ACL); met later, the event fails with the reason.
 *   <li><b>Redis down at open</b>: the builder returns at once and connects in the background;
 *       events wait (up to {@link #DEFAULT_MAX_PENDING}, then {@code record} rejects, counted
 *       {@code rejected}); {@code usagesink.redis.connect=fail} fails instead.
 * </ul>
 *
 * Failures are logged at most once a minute per distinct reason, never once per retry. A JVM
 * shutdown hook closes the sink ({@code usagesink.shutdown-hook}, on by default), storing what is
 * pending. Redis 7.0 or later is required (script flags).
 *
 * <p>Thread-safe. {@code close()} waits up to {@link SinkConfig#closeTimeout()} for pending events,
 * then closes the connection if the sink opened it.
 */
public final class RedisLuaSink {

  /** The provider name: {@value}. */
  public static final String NAME = "redis-lua";

  /** Default cap on events waiting for Redis at once: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 100_000;

  /**
   * Events whose script calls are handed to the connection and not yet answered, at most; more wait
   * in the sink.
   */
  static final int MAX_IN_FLIGHT = 4096;

  private static final Duration RETRY_MARGIN = Duration.ofSeconds(5);

  private RedisLuaSink() {}

  /** A builder; {@link Builder#config(SinkConfig)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How long after its first attempt an event may still be retried: {@code guardTtl -
   * commandTimeout - 5 s}, at least 0.
   */
  public static Duration retryWindow(SinkConfig config) {
    RedisOptions redis = RedisOptions.from(config);
    Duration w = redis.guardTtl().minus(redis.commandTimeout()).minus(RETRY_MARGIN);
    return w.isNegative() ? Duration.ZERO : w;
  }

  /** Builds a {@code redis-lua} sink. Not thread-safe. */
  public static final class Builder {
    private SinkConfig config;
    private RedisConnection connection;
    private UsageLayout layout;
    private int maxPending = DEFAULT_MAX_PENDING;

    private Builder() {}

    /** The configuration: Redis URI, layout settings, guard TTL, key prefix, timeouts. Required. */
    public Builder config(SinkConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * A connection to share instead of opening one from the configuration; the sink does not close
     * it. Open it with {@link RedisConnection#openForWriters}, so that no command is re-sent
     * silently after a reconnect.
     */
    public Builder connection(RedisConnection connection) {
      this.connection = Objects.requireNonNull(connection, "connection");
      return this;
    }

    /** The layout to plan events with; default {@code UsageLayouts.crs(config)}. */
    public Builder layout(UsageLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /**
     * Cap on events waiting for Redis at once; default {@value RedisLuaSink#DEFAULT_MAX_PENDING}.
     */
    public Builder maxPending(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPending must be > 0 but was " + max);
      }
      this.maxPending = max;
      return this;
    }

    /**
     * Builds the sink. Unless a connection was given, the sink opens its own: it returns while
     * Redis is unreachable and connects in the background (events wait, up to the pending cap;
     * {@code usagesink.redis.connect=fail} fails instead), and fails at once when a reachable Redis
     * refuses the credentials or the commands the sink needs (SCRIPT LOAD and EVALSHA, checked
     * against the ACL).
     *
     * @throws IllegalStateException if no config was given
     * @throws io.usagesink.ConfigurationException if the configuration is unusable (no URI, ...)
     * @throws io.usagesink.redis.RedisConnectFailedException if a reachable Redis refuses the sink
     */
    public UsageSink build() {
      if (config == null) {
        throw new IllegalStateException(
            "config is required: call config(SinkConfig) before build()");
      }
      UsageLayouts.requireCrs(config, NAME); // the compact layout needs an aggregate (buffered)
      UsageLayout l = layout != null ? layout : UsageLayouts.crs(config);
      WriterSource<PlanWriter> source =
          WriterSource.open(
              config, connection, WriterChecks.luaWriter(), c -> PlanWriters.lua(c, config));
      return new PerEventSink(
          new PerEventSink.Options(
              NAME,
              true,
              config.closeTimeout(),
              retryWindow(config),
              maxPending,
              MAX_IN_FLIGHT,
              CrsPlanFilter.of(config)),
          l,
          source.writer(),
          "lua",
          source.owned(),
          config.shutdownHook());
    }
  }
}
