package io.usagesink.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.util.Timeout;
import io.usagesink.SinkConfig;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies a plan with one EVALSHA of the constant generic script ({@code apply-plan.lua}) per slot
 * group (one group on a single server). The script is loaded once with SCRIPT LOAD when the writer
 * is created (asynchronously, on every master of a cluster); on {@code NOSCRIPT} it is loaded again
 * (one load shared by concurrent callers) and the call retried once. {@link #writeAll} hands the
 * first EVALSHA of every group of every plan to the connection in one batch (one flush).
 */
final class LuaPlanWriter implements PlanWriter {

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final String guardPrefix;
  private final String guardTtl;
  private final Duration timeout;
  private final AtomicReference<CompletableFuture<String>> loading = new AtomicReference<>();

  LuaPlanWriter(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
    this.redis = connection.async();
    this.guardPrefix = config.keyPrefix() + "guard:{";
    this.guardTtl = Long.toString(config.guardTtl().toSeconds());
    this.timeout = connection.commandTimeout();
    reload(); // best effort; a failure shows later as NOSCRIPT and is retried then
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    return writeAll(List.of(plan), java.util.Collections.singletonList(guardId)).get(0);
  }

  @Override
  public List<CompletableFuture<WriteResult>> writeAll(List<UsagePlan> plans, List<String> guardIds) {
    WriteArguments.requireSameSize(plans, guardIds);
    List<CompletableFuture<WriteResult>> results = new ArrayList<>(plans.size());
    List<RedisCommand<String, String, ?>> first = new ArrayList<>(plans.size());
    for (int i = 0; i < plans.size(); i++) {
      UsagePlan plan = WriteArguments.plan(plans, guardIds, i);
      String guardId = guardIds.get(i);
      if (plan.isEmpty()) {
        results.add(CompletableFuture.completedFuture(WriteResult.NOTHING));
        continue;
      }
      List<PlanEncoding.Group> groups = PlanEncoding.encode(plan, connection.isCluster());
      List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(groups.size());
      for (PlanEncoding.Group g : groups) {
        outcomes.add(send(g, guardId, first));
      }
      results.add(combine(outcomes));
    }
    if (first.isEmpty()) {
      return results;
    }
    try {
      connection.stateful().dispatch(first);
    } catch (RuntimeException e) {
      first.forEach(c -> c.completeExceptionally(e));
      return results;
    }
    AtomicInteger open = new AtomicInteger(first.size());
    Timeout t = connection.timer().newTimeout(x -> {
      RuntimeException timedOut = Timeouts.timedOut("EVALSHA", timeout);
      first.forEach(c -> c.completeExceptionally(timedOut));
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    for (RedisCommand<String, String, ?> c : first) {
      ((AsyncCommand<String, String, ?>) c).whenComplete((r, e) -> {
        if (open.decrementAndGet() == 0) {
          t.cancel();
        }
      });
    }
    return results;
  }

  /** What one group's EVALSHA did. */
  private record Outcome(boolean applied, int clientCommands, int roundTrips, int scriptCommands) {}

  private static CompletableFuture<WriteResult> combine(List<CompletableFuture<Outcome>> outcomes) {
    if (outcomes.size() == 1) {
      return outcomes.get(0).thenApply(o ->
          new WriteResult(o.clientCommands, o.roundTrips, o.scriptCommands, 1, o.applied ? 0 : 1, o.applied));
    }
    CompletableFuture<WriteResult> done = new CompletableFuture<>();
    AtomicInteger remaining = new AtomicInteger(outcomes.size());
    AtomicReference<Throwable> error = new AtomicReference<>();
    for (CompletableFuture<Outcome> f : outcomes) {
      f.whenComplete((o, e) -> {
        if (e != null) {
          error.compareAndSet(null, unwrap(e));
        }
        if (remaining.decrementAndGet() == 0) {
          Throwable firstError = error.get();
          if (firstError != null) {
            done.completeExceptionally(firstError);
            return;
          }
          int client = 0;
          int trips = 0;
          int script = 0;
          int duplicates = 0;
          for (CompletableFuture<Outcome> g : outcomes) {
            Outcome x = g.join();
            client += x.clientCommands;
            trips = Math.max(trips, x.roundTrips);
            script += x.scriptCommands;
            duplicates += x.applied ? 0 : 1;
          }
          done.complete(new WriteResult(client, trips, script, outcomes.size(), duplicates, duplicates < outcomes.size()));
        }
      });
    }
    return done;
  }

  /** Adds the group's EVALSHA to {@code batch} (not yet sent); on NOSCRIPT reloads and retries once. */
  private CompletableFuture<Outcome> send(PlanEncoding.Group g, String guardId, List<RedisCommand<String, String, ?>> batch) {
    boolean guarded = guardId != null;
    String[] keys = new String[g.keys().size() + (guarded ? 1 : 0)];
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
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8)
        .add(PlanScript.SHA).add(keys.length).addKeys(keys).addValues(argv);
    AsyncCommand<String, String, Long> evalsha = new AsyncCommand<>(
        new Command<>(CommandType.EVALSHA, new IntegerOutput<>(StringCodec.UTF8), args));
    batch.add(evalsha);
    return evalsha.handle((r, e) -> {
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
      Timeouts.bound(connection, redis.scriptLoad(PlanScript.SOURCE).toCompletableFuture(), "SCRIPT LOAD")
          .whenComplete((sha, e) -> {
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
