package io.usagesink.redis.write;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.connect.ConnectionCheck;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link ConnectionCheck}s of the writers: each checks, without writing, that the server and
 * the ACL user allow the commands its writer sends. Stateless.
 */
public final class WriterChecks {
  /** A key no plan uses; the pipeline check queues commands on it and discards them. */
  static final String PROBE_KEY = "usagesink:connection-check";

  private WriterChecks() {}

  /**
   * For the Lua writer ({@link PlanWriters#lua}): {@code SCRIPT LOAD} of the plan script (on every
   * master of a cluster) and one {@code EVALSHA} of it without keys, which writes nothing. Fatal
   * when the ACL user may not run {@code SCRIPT LOAD} or {@code EVALSHA}, or scripting is disabled.
   */
  public static ConnectionCheck luaWriter() {
    return WriterChecks::lua;
  }

  /**
   * For the pipeline writer ({@link PlanWriters#pipeline}): queues {@code HINCRBY}, {@code EXPIRE}
   * and {@code SADD} in a {@code MULTI} and {@code DISCARD}s it (on a cluster, on one master), so
   * nothing is written but Redis checks the ACL of each command. Fatal when the ACL user may not
   * run one of them; permissions on key patterns cannot be known here and are not checked.
   */
  public static ConnectionCheck pipelineWriter() {
    return WriterChecks::pipeline;
  }

  /**
   * SCRIPT LOAD, then EVALSHA with no keys and ARGV[1] = "0" (the script returns without writing),
   * then the commands the script runs ({@link #pipeline}): a script denied one of them by the ACL
   * would fail every key of every write.
   */
  static void lua(RedisConnection c) {
    String sha = await(c, c.async().scriptLoad(PlanScript.SOURCE), "SCRIPT LOAD");
    if (sha != null && !sha.equalsIgnoreCase(PlanScript.SHA)) {
      throw new IllegalStateException(
          "SCRIPT LOAD at "
              + c.maskedUri()
              + " answered SHA "
              + sha
              + ", expected "
              + PlanScript.SHA);
    }
    await(
        c,
        c.async().evalsha(PlanScript.SHA, ScriptOutputType.MULTI, new String[0], "0"),
        "EVALSHA");
    pipeline(c);
  }

  /** MULTI, HINCRBY/EXPIRE/SADD queued (Redis checks their ACL when queueing), DISCARD. */
  static void pipeline(RedisConnection c) {
    StatefulRedisConnection<String, String> node = c.isCluster() ? aMaster(c) : standalone(c);
    RedisAsyncCommands<String, String> a = node.async();
    // MULTI answered first: were it refused, the commands would run for real
    try {
      await(c, a.multi(), "MULTI");
    } catch (RedisConnectFailedException e) {
      if (e.getMessage().contains("NOPERM")) {
        // the writer does not need MULTI; without it the ACL cannot be checked without writing
        return;
      }
      throw e;
    }
    List<RedisFuture<?>> queued = new ArrayList<>();
    queued.add(a.hincrby(PROBE_KEY, "f", 0));
    queued.add(a.expire(PROBE_KEY, 1));
    queued.add(a.sadd(PROBE_KEY, "m"));
    await(c, a.discard(), "DISCARD");
    String[] names = {"HINCRBY", "EXPIRE", "SADD"};
    for (int i = 0; i < queued.size(); i++) {
      await(c, queued.get(i), names[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static StatefulRedisConnection<String, String> standalone(RedisConnection c) {
    return (StatefulRedisConnection<String, String>) c.stateful();
  }

  private static StatefulRedisConnection<String, String> aMaster(RedisConnection c) {
    for (RedisClusterNode n : c.clusterConnection().getPartitions()) {
      if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        return c.clusterConnection().getConnection(n.getNodeId());
      }
    }
    throw new IllegalStateException(
        "Redis Cluster at " + c.maskedUri() + " has no master in its topology yet");
  }

  /**
   * The reply of {@code command}, waiting at most the command timeout. A fatal error reply (NOPERM
   * to run the command, NOAUTH, scripting disabled) becomes a fatal {@link
   * RedisConnectFailedException} naming the command; other error replies (key-pattern NOPERM,
   * NOSCRIPT, LOADING, OOM) give {@code null}: the writers meet and classify them; a timeout or a
   * lost connection is thrown as it is (the connector retries).
   */
  private static <T> T await(
      RedisConnection c, java.util.concurrent.CompletionStage<T> command, String name) {
    CompletableFuture<T> f = command.toCompletableFuture();
    try {
      return f.get(c.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + name + " at " + c.maskedUri(), e);
    } catch (TimeoutException e) {
      throw Timeouts.timedOut(name + " at " + c.maskedUri(), c.commandTimeout());
    } catch (ExecutionException e) {
      Throwable cause = FailurePolicy.unwrap(e);
      String m = String.valueOf(cause.getMessage());
      if (isFatal(m)) {
        throw new RedisConnectFailedException(
            "cannot use Redis at "
                + c.maskedUri()
                + ": "
                + name
                + " is refused: "
                + m
                + " ("
                + advice(m, name)
                + ")",
            null,
            true);
      }
      if (cause instanceof RedisCommandExecutionException) {
        // NOSCRIPT, LOADING, OOM, a key pattern the user may not write: not decided here
        return null;
      }
      throw cause instanceof RuntimeException
          ? (RuntimeException) cause
          : new IllegalStateException(cause);
    }
  }

  private static boolean isFatal(String reply) {
    if (reply.startsWith("NOPERM")) {
      return FailurePolicy.isCommandNoPerm(reply);
    }
    return FailurePolicy.classifyReply(reply) == FailurePolicy.Kind.FATAL;
  }

  private static String advice(String reply, String name) {
    if (reply.startsWith("NOPERM")) {
      return "the ACL user of usagesink.redis.uri needs "
          + name
          + "; grant it with ACL SETUSER <user> +"
          + name.toLowerCase(Locale.ROOT).replace(' ', '|');
    }
    if (reply.startsWith("NOAUTH") || reply.startsWith("WRONGPASS")) {
      return "check the user and password of usagesink.redis.uri";
    }
    return "this server does not allow a command the sink needs";
  }
}
