package io.usagesink.redis.pipeline;

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
 * The {@code redis-pipeline} backend: every event becomes the layout's full command list (for the
 * reference layout exactly CRS's commands: 90 for an API key's usage, 58 for an account's, 96/64
 * with long context; HINCRBY, then EXPIRE, then SADD + EXPIRE for index sets), sent in one pipelined
 * flush: one round trip per event. Concurrent events share the connection.
 *
 * <p><b>Record.</b> {@code record} only queues the event (no planning, no I/O, no lock); the sink's
 * writer thread plans queued events and hands the commands of everything queued to the connection
 * in one flush. Its stage completes when Redis has replied to every command of the event, and fails
 * with the first Redis or connection error otherwise. A failed event is counted {@code failed} and
 * not retried by the sink (a retry could count twice). At most {@link #DEFAULT_MAX_PENDING} events
 * wait for Redis at once; beyond that {@code record} rejects new events (counted {@code rejected},
 * stage failed).
 *
 * <p><b>Fault semantics: neither exactly-once nor atomic per event.</b> Measured in {@code
 * RedisPipelineSinkIT}:
 * <ul>
 *   <li>Redis briefly unreachable (restart, network blip): commands issued while disconnected are
 *       queued by the client and sent after the reconnect; nothing is lost if the connection comes
 *       back within the command timeout ({@link SinkConfig#commandTimeout()}). After it the events
 *       fail (counted, stage fails) and their commands not yet sent are never sent.
 *   <li>Connection dropped while commands were in flight: the client (Lettuce, auto-reconnect on)
 *       re-sends every command that had not been answered, so a command Redis had already executed
 *       but whose reply was lost runs again: counters can be <em>over-counted</em>. The one command
 *       the connection error is reported on is not re-sent; its event fails (counted failed) and may
 *       be partly applied, partly not. Every event whose stage succeeded is stored in full.
 *   <li>Redis restarted without persistence: what it had not persisted is gone.
 *   <li>An event's commands are independent: a failure can leave an event partly applied.
 * </ul>
 * Use the {@code redis-lua} backend when exact totals matter under faults.
 *
 * <p>Thread-safe. {@code close()} waits up to {@link SinkConfig#closeTimeout()} for outstanding
 * replies, then closes the connection if the sink opened it.
 */
public final class RedisPipelineSink {

  /** The provider name: {@value}. */
  public static final String NAME = "redis-pipeline";

  /** Cap on events waiting for Redis at once: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 100_000;

  /** Events whose commands are handed to the connection and not yet answered, at most (about 75,000 commands); more wait in the sink. */
  static final int MAX_IN_FLIGHT = 512;

  private RedisPipelineSink() {}

  /** A builder; {@link Builder#config(SinkConfig)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@code redis-pipeline} sink. Not thread-safe. */
  public static final class Builder {
    private SinkConfig config;
    private RedisConnection connection;
    private UsageLayout layout;

    private Builder() {}

    /** The configuration: Redis URI, layout settings (zone, metrics window, policy), timeouts. Required. */
    public Builder config(SinkConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * A connection to share instead of opening one from the configuration; the sink does not close
     * it.
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
     * Builds the sink, connecting to Redis unless a connection was given.
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
            new PerEventSink.Options(NAME, false, config.closeTimeout(), Duration.ZERO, DEFAULT_MAX_PENDING,
                MAX_IN_FLIGHT, CrsPlanFilter.of(config)),
            l, CompletableFuture.completedFuture(PlanWriters.pipeline(c, config)), "pipeline", owns ? c : null,
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
