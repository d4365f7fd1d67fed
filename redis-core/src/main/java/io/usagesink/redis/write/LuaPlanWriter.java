package io.usagesink.redis.write;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.util.Timeout;
import io.usagesink.SinkConfig;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p><b>Outcome of a group.</b> The script runs every write under {@code redis.pcall} and always
 * runs to its end: a key whose command fails is rolled back by the script and comes back as a
 * {@link KeyFailure} ({@code partial=false}); the script's {@code #!lua} shebang (no flags) makes
 * Redis refuse the whole call up front under {@code OOM} or on a read-only replica, so a TRANSIENT
 * error reply means nothing of the group was applied and its guard was not set. A group whose reply
 * was lost (timeout, connection lost) may or may not have run; under a guard id a retry finds out
 * exactly. The future of a write completes normally when every group has a definite outcome; with
 * {@link IncompleteWriteException} whose {@link IncompleteWriteException#remaining() remaining}
 * plan holds exactly the updates of the groups that failed transiently; with the raw Redis error
 * when one is {@link FailurePolicy.Kind#FATAL} (after every group has settled). Requires Redis
 * 7.0+.
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
    this.guardPrefix = LayoutSettings.from(config).keyPrefix() + "guard:{";
    this.guardTtl = Long.toString(RedisOptions.from(config).guardTtl().toSeconds());
    this.timeout = connection.commandTimeout();
    reload(); // best effort; a failure shows later as NOSCRIPT and is retried then
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    return writeAll(List.of(plan), Collections.singletonList(guardId)).get(0);
  }

  @Override
  public List<CompletableFuture<WriteResult>> writeAll(
      List<UsagePlan> plans, List<String> guardIds) {
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
      results.add(combine(plan, groups, outcomes));
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
    Timeout t =
        connection
            .timer()
            .newTimeout(
                x -> {
                  RuntimeException timedOut = Timeouts.timedOut("EVALSHA", timeout);
                  first.forEach(c -> c.completeExceptionally(timedOut));
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    for (RedisCommand<String, String, ?> c : first) {
      ((AsyncCommand<String, String, ?>) c)
          .whenComplete(
              (r, e) -> {
                if (open.decrementAndGet() == 0) {
                  t.cancel();
                }
              });
    }
    return results;
  }

  /** How one group's call ended. */
  private enum Status {
    APPLIED,
    DUPLICATE,
    TRANSIENT,
    FATAL
  }

  /** What one group's EVALSHA did. */
  private record Outcome(
      Status status,
      int clientCommands,
      int roundTrips,
      int scriptCommands,
      List<KeyFailure> failedKeys,
      Throwable error) {

    static Outcome failed(Status status, int clientCommands, int roundTrips, Throwable error) {
      return new Outcome(status, clientCommands, roundTrips, 0, List.of(), error);
    }
  }

  private static CompletableFuture<WriteResult> combine(
      UsagePlan plan, List<PlanEncoding.Group> groups, List<CompletableFuture<Outcome>> outcomes) {
    CompletableFuture<WriteResult> done = new CompletableFuture<>();
    AtomicInteger open = new AtomicInteger(outcomes.size());
    for (CompletableFuture<Outcome> f : outcomes) {
      f.whenComplete(
          (o, e) -> {
            if (open.decrementAndGet() == 0) {
              try {
                finish(plan, groups, outcomes, done);
              } catch (RuntimeException x) {
                done.completeExceptionally(x);
              }
            }
          });
    }
    return done;
  }

  private static void finish(
      UsagePlan plan,
      List<PlanEncoding.Group> groups,
      List<CompletableFuture<Outcome>> outcomes,
      CompletableFuture<WriteResult> done) {
    int client = 0;
    int trips = 0;
    int script = 0;
    int duplicates = 0;
    List<KeyFailure> failed = new ArrayList<>();
    Set<String> remainingKeys = new HashSet<>();
    Throwable fatal = null;
    Throwable transientCause = null;
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i).join(); // never fails: send() turns every error into an Outcome
      client += o.clientCommands;
      trips = Math.max(trips, o.roundTrips);
      script += o.scriptCommands;
      failed.addAll(o.failedKeys);
      switch (o.status) {
        case DUPLICATE -> duplicates++;
        case TRANSIENT -> {
          remainingKeys.addAll(groups.get(i).keys());
          transientCause = transientCause == null ? o.error : transientCause;
        }
        case FATAL -> fatal = fatal == null ? o.error : fatal;
        default -> {}
      }
    }
    if (fatal != null) {
      done.completeExceptionally(fatal);
      return;
    }
    WriteResult result =
        new WriteResult(
            client,
            trips,
            script,
            outcomes.size(),
            duplicates,
            duplicates < outcomes.size(),
            failed);
    if (transientCause != null) {
      done.completeExceptionally(
          new IncompleteWriteException(
              PlanEncoding.only(plan, remainingKeys), failed, result, transientCause));
    } else {
      done.complete(result);
    }
  }

  /**
   * Adds the group's EVALSHA to {@code batch} (not yet sent); on NOSCRIPT reloads and retries once.
   */
  private CompletableFuture<Outcome> send(
      PlanEncoding.Group g, String guardId, List<RedisCommand<String, String, ?>> batch) {
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
    CommandArgs<String, String> args =
        new CommandArgs<>(StringCodec.UTF8)
            .add(PlanScript.SHA)
            .add(keys.length)
            .addKeys(keys)
            .addValues(argv);
    AsyncCommand<String, String, List<Object>> evalsha =
        new AsyncCommand<>(
            new Command<>(CommandType.EVALSHA, new NestedMultiOutput<>(StringCodec.UTF8), args));
    batch.add(evalsha);
    return evalsha
        .handle(
            (r, e) -> {
              if (e == null) {
                return CompletableFuture.completedStage(outcome(g, r, 1, 1));
              }
              Throwable cause = FailurePolicy.unwrap(e);
              if (!(cause instanceof RedisNoScriptException)) {
                return CompletableFuture.completedStage(failed(g, cause, 1, 1, true));
              }
              CompletableFuture<Outcome> retried = new CompletableFuture<>();
              reload()
                  .whenComplete(
                      (sha, loadError) -> {
                        if (loadError != null) {
                          retried.complete(failed(g, FailurePolicy.unwrap(loadError), 2, 2, false));
                          return;
                        }
                        evalsha(keys, argv)
                            .whenComplete(
                                (r2, e2) ->
                                    retried.complete(
                                        e2 == null
                                            ? outcome(g, r2, 3, 3)
                                            : failed(g, FailurePolicy.unwrap(e2), 3, 3, true)));
                      });
              return retried;
            })
        .thenCompose(f -> f)
        .toCompletableFuture();
  }

  /**
   * The outcome of a call that got an error instead of the script's reply; {@code ran} is false
   * when the script cannot have run (its load failed).
   */
  private static Outcome failed(
      PlanEncoding.Group g, Throwable cause, int clientCommands, int roundTrips, boolean ran) {
    switch (FailurePolicy.classify(cause)) {
      case TRANSIENT:
        return Outcome.failed(Status.TRANSIENT, clientCommands, roundTrips, cause);
      case FATAL:
        return Outcome.failed(Status.FATAL, clientCommands, roundTrips, cause);
      default:
        // the call itself was refused for good (a script error, a CROSSSLOT, a guard key of
        // another type): every key of the group fails; a script that ran may have stopped after
        // some writes: "partial"
        String reason = FailurePolicy.describe(cause);
        List<KeyFailure> keys = new ArrayList<>(g.keys().size());
        for (String key : g.keys()) {
          keys.add(new KeyFailure(key, reason, ran));
        }
        return new Outcome(Status.APPLIED, clientCommands, roundTrips, 0, keys, null);
    }
  }

  /** Parses the script's reply: {@code {1|0, commands, key, error, ...}}. */
  private static Outcome outcome(
      PlanEncoding.Group g, List<Object> reply, int clientCommands, int roundTrips) {
    if (reply == null
        || reply.size() < 2
        || !(reply.get(0) instanceof Long status)
        || !(reply.get(1) instanceof Long commands)
        || reply.size() % 2 != 0) {
      return failed(
          g,
          new IllegalStateException("unexpected reply from the plan script: " + reply),
          clientCommands,
          roundTrips,
          true);
    }
    List<KeyFailure> failedKeys = new ArrayList<>((reply.size() - 2) / 2);
    for (int i = 2; i < reply.size(); i += 2) {
      String key = String.valueOf(reply.get(i));
      String reason = String.valueOf(reply.get(i + 1));
      if (FailurePolicy.classifyReply(reason) == FailurePolicy.Kind.FATAL) {
        return Outcome.failed(
            Status.FATAL,
            clientCommands,
            roundTrips,
            new RedisCommandExecutionException(reason + " (key " + key + ")"));
      }
      failedKeys.add(new KeyFailure(key, reason, false));
    }
    return new Outcome(
        status == 1L ? Status.APPLIED : Status.DUPLICATE,
        clientCommands,
        roundTrips,
        Math.toIntExact(commands),
        failedKeys,
        null);
  }

  private CompletionStage<List<Object>> evalsha(String[] keys, String[] argv) {
    return Timeouts.bound(
        connection,
        redis
            .<List<Object>>evalsha(PlanScript.SHA, ScriptOutputType.MULTI, keys, argv)
            .toCompletableFuture(),
        "EVALSHA");
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
      Timeouts.bound(
              connection, redis.scriptLoad(PlanScript.SOURCE).toCompletableFuture(), "SCRIPT LOAD")
          .whenComplete(
              (sha, e) -> {
                if (e != null) {
                  next.completeExceptionally(FailurePolicy.unwrap(e));
                } else {
                  next.complete(sha);
                }
              });
    } catch (RuntimeException e) {
      next.completeExceptionally(e);
    }
    return next;
  }

  @Override
  public String name() {
    return "lua";
  }
}
