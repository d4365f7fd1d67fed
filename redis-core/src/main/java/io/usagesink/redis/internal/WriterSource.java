package io.usagesink.redis.internal;

import io.usagesink.SinkConfig;
import io.usagesink.redis.connect.ConnectionCheck;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.connect.RedisConnector;
import io.usagesink.redis.write.PlanWriter;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where a sink's writer comes from, the same way for every Redis backend: a connection the caller
 * gave (ready at once, not owned), or one the sink opens with a {@link RedisConnector}, which
 * returns while Redis is unreachable and connects in the background ({@code
 * usagesink.redis.connect}) and fails at once on what a reachable Redis refuses (credentials, ACL,
 * checked by {@code check}).
 *
 * @param writer completes with the writer once connected; exceptionally when the connector meets a
 *     fatal refusal in the background or is closed first
 * @param owned what the sink closes after its last write (the connector), or {@code null}
 */
public record WriterSource<W extends PlanWriter>(CompletableFuture<W> writer, AutoCloseable owned) {

  /** Validates. */
  public WriterSource {
    Objects.requireNonNull(writer, "writer");
  }

  /**
   * Why a writer is not there yet, safe to log: {@code not connected to Redis (connecting to
   * redis://h:6379 (last error: Connection refused, 12 attempts))} when {@code owned} is the
   * connector, else {@code not connected to Redis}.
   */
  public static String notConnected(AutoCloseable owned) {
    return "not connected to Redis"
        + (owned instanceof RedisConnector c ? " (" + c.state() + ")" : "");
  }

  /**
   * The writer {@code factory} makes over {@code given} when it is not null, otherwise over a
   * connection opened from {@code config} in the background.
   *
   * @throws io.usagesink.ConfigurationException when the configuration is unusable
   * @throws io.usagesink.redis.RedisConnectFailedException when a reachable Redis refuses the sink
   *     (or, with {@code usagesink.redis.connect=fail}, when Redis is unreachable)
   */
  public static <W extends PlanWriter> WriterSource<W> open(
      SinkConfig config,
      RedisConnection given,
      ConnectionCheck check,
      Function<RedisConnection, W> factory) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(factory, "factory");
    if (given != null) {
      return new WriterSource<>(CompletableFuture.completedFuture(factory.apply(given)), null);
    }
    RedisConnector connector = RedisConnector.start(config, check);
    return new WriterSource<>(connector.connection().thenApply(factory), connector);
  }
}
