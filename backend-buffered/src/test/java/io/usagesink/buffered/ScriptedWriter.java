package io.usagesink.buffered;

import io.lettuce.core.RedisConnectionException;
import io.usagesink.plan.UsagePlan;
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
    THROW
  }

  /** One call as the sink made it. */
  record Call(UsagePlan plan, String guardId) {}

  final InMemoryRedis redis = new InMemoryRedis();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Integer, Outcome> script = n -> Outcome.APPLY;
  private volatile Runnable beforeEachCall = () -> {};

  /** Scripts the outcome of the call with the given 1-based number. */
  ScriptedWriter script(Function<Integer, Outcome> script) {
    this.script = script;
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

  @Override
  public String name() {
    return "scripted";
  }
}
