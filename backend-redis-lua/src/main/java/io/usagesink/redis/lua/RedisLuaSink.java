package io.usagesink.redis.lua;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.PlanWriters;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.internal.CrsPlanFilter;
import io.usagesink.redis.internal.PerEventSink;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
 * given, else one generated per event. The script sets a guard key {@code
 * <keyPrefix>guard:{<slot tag>}:<id>} with {@code SET NX EX <guardTtl>} and applies the counters
 * only when it was absent, all in one atomic script call. So a call retried after an ambiguous
 * failure (the connection dropped after Redis ran it, a timeout, a client-side replay after
 * reconnect) never counts twice. Give your own ids when your own retries may submit the same
 * request twice; the guard remembers an id for {@link SinkConfig#guardTtl()} (default 10 min).
 *
 * <p><b>Faults.</b> While Redis is unreachable, {@code record} still returns at once; events whose
 * write fails transiently (connection lost, timeout, {@code NOSCRIPT}, {@code LOADING}, cluster
 * reconfiguring) are retried in the background with exponential backoff (50 ms doubling to 1 s).
 * An event is retried until it is applied, until {@link #retryWindow(SinkConfig)} after its first
 * attempt (the guard TTL less the command timeout and a 5 s margin, since past the guard's lifetime
 * a retry could count twice), or until {@code close()}'s deadline; then it is counted {@code failed},
 * its stage fails with the last error, and the reasons are logged (never dropped silently). At most
 * {@link #DEFAULT_MAX_PENDING} events (configurable) wait at once; beyond that {@code record}
 * rejects new events (counted {@code rejected}). Permanent Redis errors (a key of the wrong type, a
 * counter overflow) fail the event at once. A script error stops the script where it occurred:
 * updates before it stay applied (Redis does not roll scripts back).
 *
 * <p>Thread-safe. {@code close()} waits up to {@link SinkConfig#closeTimeout()} for pending events,
 * then closes the connection if the sink opened it.
 */
public final class RedisLuaSink {

  /** The provider name: {@value}. */
  public static final String NAME = "redis-lua";

  /** Default cap on events waiting for Redis at once: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 100_000;

  /** Events whose script calls are handed to the connection and not yet answered, at most; more wait in the sink. */
  static final int MAX_IN_FLIGHT = 4096;

  private static final Duration RETRY_MARGIN = Duration.ofSeconds(5);

  private RedisLuaSink() {}

  /** A builder; {@link Builder#config(SinkConfig)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How long after its first attempt an event may still be retried: {@code guardTtl - commandTimeout
   * - 5 s}, at least 0.
   */
  public static Duration retryWindow(SinkConfig config) {
    Duration w = config.guardTtl().minus(config.commandTimeout()).minus(RETRY_MARGIN);
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

    /** A connection to share instead of opening one from the configuration; the sink does not close it. */
    public Builder connection(RedisConnection connection) {
      this.connection = Objects.requireNonNull(connection, "connection");
      return this;
    }

    /** The layout to plan events with; default {@code UsageLayouts.crs(config)}. */
    public Builder layout(UsageLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** Cap on events waiting for Redis at once; default {@value RedisLuaSink#DEFAULT_MAX_PENDING}. */
    public Builder maxPending(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPending must be > 0 but was " + max);
      }
      this.maxPending = max;
      return this;
    }

    /**
     * Builds the sink, connecting to Redis unless a connection was given. The script is loaded
     * asynchronously; a failure to load shows later as a retried {@code NOSCRIPT}.
     *
     * @throws IllegalStateException if no config was given
     * @throws io.usagesink.ConfigurationException if the configuration is unusable (no URI, ...)
     * @throws io.usagesink.redis.RedisConnectFailedException if Redis cannot be reached or refuses the credentials
     */
    public UsageSink build() {
      if (config == null) {
        throw new IllegalStateException("config is required: call config(SinkConfig) before build()");
      }
      UsageLayouts.requireCrs(config, NAME); // the compact layout needs an aggregate (buffered)
      UsageLayout l = layout != null ? layout : UsageLayouts.crs(config);
      boolean owns = connection == null;
      RedisConnection c = owns ? RedisConnection.open(config) : connection;
      try {
        return new PerEventSink(
            new PerEventSink.Options(NAME, true, config.closeTimeout(), retryWindow(config), maxPending, MAX_IN_FLIGHT,
                CrsPlanFilter.of(config)),
            l, CompletableFuture.completedFuture(PlanWriters.lua(c, config)), "lua", owns ? c : null,
            config.shutdownHook());
      } catch (RuntimeException e) {
        if (owns) {
          c.close();
        }
        throw e;
      }
    }
  }
}
