package io.usagesink.redis.pipeline;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
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
 * The {@code redis-pipeline} backend: every event becomes the layout's full command list (for the
 * reference layout exactly CRS's commands: 90 for an API key's usage, 58 for an account's, 96/64
 * with long context; HINCRBY, then EXPIRE, then SADD + EXPIRE for index sets), sent in one
 * pipelined flush: one round trip per event. Concurrent events share the connection.
 *
 * <p><b>Record.</b> {@code record} only queues the event (no planning, no I/O, no lock); the sink's
 * writer thread plans queued events and hands the commands of everything queued to the connection
 * in one flush. Its stage completes when Redis has applied every command of the event. At most
 * {@link #DEFAULT_MAX_PENDING} events wait for Redis at once; beyond that {@code record} rejects
 * new events (counted {@code rejected}, stage failed).
 *
 * <p><b>Faults: at-least-once, per command.</b> Each command's own reply decides (the shared {@code
 * FailurePolicy}):
 *
 * <ul>
 *   <li>a command Redis answered as applied is never sent again;
 *   <li>a command Redis refused transiently ({@code OOM}, {@code LOADING}, {@code READONLY}, ...)
 *       was not applied: it is re-sent with backoff until applied or until {@code close()}'s
 *       deadline, so an OOM episode or a restart loses nothing and counts nothing twice;
 *   <li>on a cluster, a command answered {@code MOVED} (failover, resharding) was not applied
 *       either: it is re-sent once the connection has refreshed its slot table, to the new owner;
 *   <li>a command without a reply because the connection broke (the connection fails every
 *       unanswered command at once; it does not replay them itself) may or may not have run: it is
 *       re-sent, and <b>may count twice</b>. A command on a connection that is still open is never
 *       given up, however long Redis takes (a slow or paused Redis causes no re-send); a half-open
 *       connection is found by TCP keep-alive in about 8 s. Use {@code redis-lua} or {@code
 *       buffered} when exact totals matter under connection loss;
 *   <li>a poisoned key ({@code WRONGTYPE}, overflow): its commands fail and the event fails with
 *       {@code PoisonedKeysException} naming the key (its other fields may be applied: the pipeline
 *       cannot undo them); every other command of the event is applied;
 *   <li>fatal ({@code NOAUTH}, {@code NOPERM}): checked at open against the ACL when Redis is
 *       reachable.
 * </ul>
 *
 * Redis down at open: the builder returns and connects in the background ({@code
 * usagesink.redis.connect=fail} fails instead). A JVM shutdown hook closes the sink ({@code
 * usagesink.shutdown-hook}).
 *
 * <p>Thread-safe. {@code close()} waits up to {@link SinkConfig#closeTimeout()} for outstanding
 * replies, then closes the connection if the sink opened it.
 */
public final class RedisPipelineSink {

  /** The provider name: {@value}. */
  public static final String NAME = "redis-pipeline";

  /** Cap on events waiting for Redis at once: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 100_000;

  /**
   * Events whose commands are handed to the connection and not yet answered, at most (about 75,000
   * commands); more wait in the sink.
   */
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

    /**
     * The configuration: Redis URI, layout settings (zone, metrics window, policy), timeouts.
     * Required.
     */
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
     * Builds the sink. Unless a connection was given, the sink opens its own: it returns while
     * Redis is unreachable and connects in the background (events wait, up to the pending cap;
     * {@code usagesink.redis.connect=fail} fails instead), and fails at once when a reachable Redis
     * refuses the credentials or the commands the sink needs (HINCRBY, EXPIRE and SADD, checked
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
              config,
              connection,
              WriterChecks.pipelineWriter(),
              c -> PlanWriters.pipeline(c, config));
      return new PerEventSink(
          new PerEventSink.Options(
              NAME,
              false,
              config.closeTimeout(),
              Duration.ZERO,
              DEFAULT_MAX_PENDING,
              MAX_IN_FLIGHT,
              CrsPlanFilter.of(config)),
          l,
          source.writer(),
          "pipeline",
          source.owned(),
          config.shutdownHook());
    }
  }
}
