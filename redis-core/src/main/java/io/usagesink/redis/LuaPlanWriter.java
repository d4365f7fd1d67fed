package io.usagesink.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.usagesink.SinkConfig;
import io.usagesink.plan.UsagePlan;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies a plan with one EVALSHA of the constant generic script ({@code apply-plan.lua}) per slot
 * group (one group on a single server). The script is loaded once with SCRIPT LOAD when the writer
 * is created (asynchronously, on every master of a cluster); on {@code NOSCRIPT} it is loaded again
 * (one load shared by concurrent callers) and the call retried once.
 */
final class LuaPlanWriter implements PlanWriter {

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final String guardPrefix;
  private final String guardTtl;
  private final AtomicReference<CompletableFuture<String>> loading = new AtomicReference<>();

  LuaPlanWriter(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
    this.redis = connection.async();
    this.guardPrefix = config.keyPrefix() + "guard:{";
    this.guardTtl = Long.toString(config.guardTtl().toSeconds());
    reload(); // best effort; a failure shows later as NOSCRIPT and is retried then
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    Objects.requireNonNull(plan, "plan");
    if (guardId != null && guardId.isBlank()) {
      throw new IllegalArgumentException("guardId must be null or non-blank but was \"" + guardId + "\"");
    }
    if (plan.isEmpty()) {
      return CompletableFuture.completedFuture(WriteResult.NOTHING);
    }
    List<PlanEncoding.Group> groups = PlanEncoding.encode(plan, connection.isCluster());
    if (groups.size() == 1) {
      return send(groups.get(0), guardId).thenApply(o ->
          new WriteResult(o.clientCommands, o.roundTrips, o.scriptCommands, 1, o.applied ? 0 : 1, o.applied));
    }
    return sendAll(groups, guardId);
  }

  private CompletableFuture<WriteResult> sendAll(List<PlanEncoding.Group> groups, String guardId) {
    CompletableFuture<WriteResult> done = new CompletableFuture<>();
    AtomicInteger remaining = new AtomicInteger(groups.size());
    AtomicReference<Throwable> error = new AtomicReference<>();
    Outcome[] outcomes = new Outcome[groups.size()];
    for (int i = 0; i < groups.size(); i++) {
      int index = i;
      send(groups.get(i), guardId).whenComplete((o, e) -> {
        if (e != null) {
          error.compareAndSet(null, unwrap(e));
        } else {
          outcomes[index] = o;
        }
        if (remaining.decrementAndGet() == 0) {
          Throwable first = error.get();
          if (first != null) {
            done.completeExceptionally(first);
            return;
          }
          int client = 0;
          int trips = 0;
          int script = 0;
          int duplicates = 0;
          for (Outcome x : outcomes) {
            client += x.clientCommands;
            trips = Math.max(trips, x.roundTrips);
            script += x.scriptCommands;
            duplicates += x.applied ? 0 : 1;
          }
          done.complete(new WriteResult(client, trips, script, outcomes.length, duplicates, duplicates < outcomes.length));
        }
      });
    }
    return done;
  }

  /** What one group's EVALSHA did. */
  private record Outcome(boolean applied, int clientCommands, int roundTrips, int scriptCommands) {}

  private CompletableFuture<Outcome> send(PlanEncoding.Group g, String guardId) {
    boolean guarded = guardId != null;
    int keyCount = g.keys().size() + (guarded ? 1 : 0);
    String[] keys = new String[keyCount];
    int k = 0;
    if (guarded) {
      keys[k++] = guardPrefix + SlotTags.tag(g.slot()) + "}:" + guardId;
    }
    for (String key : g.keys()) {
      keys[k++] = key;
    }
    String[] argv = new String[g.argv().size() + 1];
    argv[0] = guarded ? guardTtl : "0";
    int a = 1;
    for (String v : g.argv()) {
      argv[a++] = v;
    }
    int appliedCommands = g.scriptCommands() + (guarded ? 1 : 0);
    return evalsha(keys, argv).handle((r, e) -> {
      if (e == null) {
        return CompletableFuture.completedStage(outcome(r, 1, 1, appliedCommands));
      }
      Throwable cause = unwrap(e);
      if (!(cause instanceof RedisNoScriptException)) {
        return CompletableFuture.<Outcome>failedStage(cause);
      }
      return reload().thenCompose(sha -> evalsha(keys, argv))
          .thenApply(r2 -> outcome(r2, 3, 3, appliedCommands));
    }).thenCompose(f -> f).toCompletableFuture();
  }

  private static Outcome outcome(Long reply, int clientCommands, int roundTrips, int appliedCommands) {
    boolean applied = reply != null && reply == 1L;
    return new Outcome(applied, clientCommands, roundTrips, applied ? appliedCommands : 1);
  }

  private CompletionStage<Long> evalsha(String[] keys, String[] argv) {
    return Timeouts.bound(connection,
        redis.<Long>evalsha(PlanScript.SHA, ScriptOutputType.INTEGER, keys, argv).toCompletableFuture(), "EVALSHA");
  }

  /** Loads the script (on every master of a cluster); concurrent callers share one load. */
  private CompletableFuture<String> reload() {
    CompletableFuture<String> current = loading.get();
    if (current != null && !current.isDone()) {
      return current;
    }
    CompletableFuture<String> next = new CompletableFuture<>();
    if (!loading.compareAndSet(current, next)) {
      CompletableFuture<String> other = loading.get();
      return other != null ? other : reload();
    }
    try {
      Timeouts.bound(connection, redis.scriptLoad(PlanScript.SOURCE).toCompletableFuture(), "SCRIPT LOAD").whenComplete((sha, e) -> {
        if (e != null) {
          next.completeExceptionally(unwrap(e));
        } else {
          next.complete(sha);
        }
      });
    } catch (RuntimeException e) {
      next.completeExceptionally(e);
    }
    return next;
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String name() {
    return "lua";
  }
}
