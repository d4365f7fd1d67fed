package io.usagesink.buffered;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.write.PlanWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-memory {@link PlanWriter} test double: applies plans to an {@link InMemoryRedis} with the
 * Lua writer's guard semantics, records every call, and lets a test script what each call does
 * (fail before applying, fail after applying: an ambiguous failure, block, throw). Failures are
 * transient connection errors, as a real writer reports them; a {@linkplain InMemoryRedis#poison
 * poisoned} key is refused and reported in {@link WriteResult#failedKeys()}.
 */
final class ScriptedWriter implements PlanWriter {

  /** What one call does. */
  enum Outcome {
    APPLY,
    FAIL,
    APPLY_THEN_FAIL,
    THROW,
    /**
     * Like a cluster write of two slot groups whose second group's connection broke: the first half
     * of the counters is applied (under a guard of its own, as the Lua writer's per-group guard),
     * and the call fails with an {@link IncompleteWriteException} whose remaining plan is the rest
     * of the plan (the other counters, every expiry and index add).
     */
    PARTIAL,
    /** Redis answers {@code OOM} (over maxmemory): a transient error reply; nothing applied. */
    OOM,
    /** Redis answers {@code NOPERM} (the ACL refuses the script): fatal; nothing applied. */
    NOPERM,
    /** Redis never answers: the future stays incomplete (see {@link #unanswered}). */
    NO_REPLY
  }

  /** One call as the sink made it. */
  record Call(UsagePlan plan, String guardId) {}

  final InMemoryRedis redis = new InMemoryRedis();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Integer, Outcome> script = n -> Outcome.APPLY;
  private volatile Runnable beforeEachCall = () -> {};

  /** The guard ids the sink gave up ({@link PlanWriter#abandon}), in order. */
  final List<String> abandoned = new CopyOnWriteArrayList<>();

  /** The futures of {@link Outcome#NO_REPLY} calls, in order. */
  final List<CompletableFuture<WriteResult>> unanswered = new CopyOnWriteArrayList<>();

  private volatile boolean idempotentRetries;

  /** Scripts the outcome of the call with the given 1-based number. */
  ScriptedWriter script(Function<Integer, Outcome> script) {
    this.script = script;
    return this;
  }

  /** What {@link #idempotentRetries()} answers (the compact writer's {@code true}). */
  ScriptedWriter idempotentRetries(boolean idempotent) {
    this.idempotentRetries = idempotent;
    return this;
  }

  /** Runs {@code hook} on the flush worker inside every call (e.g. to block it). */
  ScriptedWriter beforeEachCall(Runnable hook) {
    this.beforeEachCall = hook;
    return this;
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      calls.add(new Call(plan, guardId));
      beforeEachCall.run();
      switch (script.apply(calls.size())) {
        case FAIL:
          return CompletableFuture.failedFuture(
              new RedisConnectionException("scripted failure before applying"));
        case APPLY_THEN_FAIL:
          redis.apply(plan, guardId);
          return CompletableFuture.failedFuture(
              new RedisConnectionException("scripted failure after applying (reply lost)"));
        case THROW:
          throw new RedisConnectionException("scripted exception thrown by write");
        case PARTIAL:
          return partial(plan, guardId);
        case OOM:
          return CompletableFuture.failedFuture(
              new RedisCommandExecutionException(
                  "OOM command not allowed when used memory > 'maxmemory'."));
        case NOPERM:
          return CompletableFuture.failedFuture(
              new RedisCommandExecutionException(
                  "NOPERM User sink has no permissions to run the 'evalsha' command"));
        case NO_REPLY:
          CompletableFuture<WriteResult> never = new CompletableFuture<>();
          unanswered.add(never);
          return never;
        default:
          List<KeyFailure> failed = new ArrayList<>();
          boolean applied = redis.apply(plan, guardId, failed);
          return CompletableFuture.completedFuture(
              new WriteResult(1, 1, plan.size(), 1, applied ? 0 : 1, applied, failed));
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private CompletableFuture<WriteResult> partial(UsagePlan plan, String guardId) {
    List<CounterDelta> counters = plan.counters();
    int half = (counters.size() + 1) / 2;
    UsagePlan.Builder applied = UsagePlan.builder();
    UsagePlan.Builder rest = UsagePlan.builder();
    for (int i = 0; i < counters.size(); i++) {
      CounterDelta c = counters.get(i);
      (i < half ? applied : rest).increment(c.key(), c.field(), c.delta());
    }
    for (Expiry e : plan.expiries()) {
      rest.expire(e.key(), e.ttlSeconds());
    }
    for (IndexAdd a : plan.indexAdds()) {
      rest.indexAdd(a.setKey(), a.member(), a.ttlSeconds());
    }
    List<KeyFailure> failed = new ArrayList<>();
    redis.apply(applied.build(), guardId == null ? null : guardId + "#first-group", failed);
    return CompletableFuture.failedFuture(
        new IncompleteWriteException(
            rest.build(),
            failed,
            new WriteResult(2, 1, half, 2, 0, true),
            new RedisConnectionException("scripted: connection lost after the first group")));
  }

  @Override
  public boolean idempotentRetries() {
    return idempotentRetries;
  }

  @Override
  public void abandon(String guardId) {
    abandoned.add(guardId);
  }

  @Override
  public String name() {
    return "scripted";
  }
}
