package io.usagesink.cli.compare;

import io.lettuce.core.cluster.api.async.AsyncExecutions;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.usagesink.SinkConfig;
import io.usagesink.launcher.CommandStats;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The command line's own connection to the Redis under test, for what the sinks never do: read the
 * server version, {@code FLUSHDB} between runs, read {@code INFO commandstats} (summed over every
 * master of a cluster) and dump the stored keys. Built on redis-core's {@link RedisConnection}, so
 * it speaks to single servers and clusters, with TLS and ACL users, exactly as the backends do.
 *
 * <p>Every method blocks until Redis answers (at most the command timeout per command) and throws
 * {@link RedisAdminException} otherwise; no message contains the password. Not thread-safe.
 */
public final class RedisAdmin implements AutoCloseable {

  private final RedisConnection connection;
  private final SinkConfig config;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final Duration timeout;

  private RedisAdmin(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
    this.config = config;
    this.redis = connection.async();
    this.timeout = connection.commandTimeout().plusSeconds(1);
  }

  /** Thrown when an admin command fails; the message names the command and the masked URI. */
  static final class RedisAdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisAdminException(String message) {
      super(message);
    }
  }

  /**
   * Connects to {@link io.usagesink.redis.RedisOptions#uri()}.
   *
   * @throws io.usagesink.ConfigurationException when no URI is set or it is unusable
   * @throws io.usagesink.redis.RedisConnectFailedException when Redis cannot be reached
   */
  public static RedisAdmin open(SinkConfig config) {
    return new RedisAdmin(RedisConnection.open(config), config);
  }

  /** The URI with the password masked. */
  public String maskedUri() {
    return connection.maskedUri();
  }

  /** Whether the server is a Redis Cluster. */
  public boolean isCluster() {
    return connection.isCluster();
  }

  /** {@code redis_version} from {@code INFO server} (of the node the connection talks to first). */
  public String version() {
    String info = await("INFO server", redis.info("server"));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).trim();
      }
    }
    return "unknown";
  }

  /** {@code INFO commandstats}, summed over every master of a cluster. */
  CommandStats commandStats() {
    if (connection.isCluster()) {
      CommandStats sum = CommandStats.empty();
      AsyncExecutions<String> all = cluster().upstream().commands().info("commandstats");
      for (CompletionStage<String> s : all) {
        sum = sum.plus(CommandStats.parse(await("INFO commandstats", s)));
      }
      return sum;
    }
    return CommandStats.parse(await("INFO commandstats", redis.info("commandstats")));
  }

  /**
   * Every statistics key (all but the library's bookkeeping keys under {@link
   * io.usagesink.layout.LayoutSettings#keyPrefix()}), with content and TTL, as redis-core's {@link
   * UsageReader#dump()} reads them (every master of a cluster is scanned).
   */
  public RedisState dump() {
    return new RedisState(UsageReader.of(connection, config).dump());
  }

  /** Keys in the selected database (summed over the masters of a cluster). */
  public long dbSize() {
    return await("DBSIZE", redis.dbsize());
  }

  /** {@code FLUSHDB}: removes the keys of the selected database (every master of a cluster). */
  void flushDb() {
    if (connection.isCluster()) {
      for (CompletionStage<String> s : cluster().upstream().commands().flushdb()) {
        await("FLUSHDB", s);
      }
    } else {
      await("FLUSHDB", redis.flushdb());
    }
  }

  /** The compact layout's statistics in the CRS layout's keys and fields (the CRS view). */
  public RedisState dumpCrsView() {
    return dumpCrsView(config);
  }

  /**
   * Like {@link #dumpCrsView()}, read as {@code layoutConfig} says (layout, zone, switches, key
   * prefix).
   */
  public RedisState dumpCrsView(SinkConfig layoutConfig) {
    return new RedisState(UsageReader.of(connection, layoutConfig).crsView());
  }

  /** The compact layout's own hashes (writer cells), as stored. */
  public RedisState dumpCompact() {
    return dumpCompact(config);
  }

  /** Like {@link #dumpCompact()}, read as {@code layoutConfig} says. */
  public RedisState dumpCompact(SinkConfig layoutConfig) {
    return new RedisState(UsageReader.of(connection, layoutConfig).dumpCompact());
  }

  @SuppressWarnings("unchecked")
  private RedisAdvancedClusterAsyncCommands<String, String> cluster() {
    return (RedisAdvancedClusterAsyncCommands<String, String>) redis;
  }

  private <T> T await(String command, CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisAdminException(command + " on " + connection.maskedUri() + " was interrupted");
    } catch (TimeoutException e) {
      throw new RedisAdminException(
          command + " on " + connection.maskedUri() + " got no reply within " + timeout);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new RedisAdminException(
          command + " on " + connection.maskedUri() + " failed: " + c.getMessage());
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
