package io.usagesink.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.usagesink.SinkConfig;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Sends a plan as HINCRBY..., EXPIRE..., (SADD, EXPIRE)... in one {@code dispatch} of a command
 * batch: Lettuce writes the whole batch to the channel and flushes once, so the plan costs one round
 * trip, and concurrent writers can share the connection (no {@code setAutoFlushCommands} toggling,
 * which is not safe on a shared connection). On a cluster the cluster connection routes each
 * command to its node.
 */
final class PipelinePlanWriter implements PlanWriter {

  private static final RedisCodec<String, String> CODEC = StringCodec.UTF8;

  private final RedisConnection connection;

  PipelinePlanWriter(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
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
    int n = commandCount(plan);
    List<RedisCommand<String, String, ?>> batch = new ArrayList<>(n);
    for (CounterDelta c : plan.counters()) {
      batch.add(new AsyncCommand<>(new Command<>(CommandType.HINCRBY, new IntegerOutput<>(CODEC),
          new CommandArgs<>(CODEC).addKey(c.key()).addKey(c.field()).add(c.delta()))));
    }
    for (Expiry e : plan.expiries()) {
      batch.add(expire(e.key(), e.ttlSeconds()));
    }
    for (IndexAdd a : plan.indexAdds()) {
      batch.add(new AsyncCommand<>(new Command<>(CommandType.SADD, new IntegerOutput<>(CODEC),
          new CommandArgs<>(CODEC).addKey(a.setKey()).addValue(a.member()))));
      if (a.ttlSeconds() > 0) {
        batch.add(expire(a.setKey(), a.ttlSeconds()));
      }
    }
    WriteResult result = new WriteResult(n, 1, 0, 1, 0, true);
    CompletableFuture<WriteResult> done = new CompletableFuture<>();
    Completion completion = new Completion(n, result, done);
    for (RedisCommand<String, String, ?> cmd : batch) {
      ((AsyncCommand<String, String, ?>) cmd).whenComplete(completion);
    }
    try {
      connection.stateful().dispatch(batch);
    } catch (RuntimeException e) {
      // dispatch rejects synchronously only when the connection is closed or the queue is full;
      // such commands are completed exceptionally by Lettuce as well, so this only covers the rest
      done.completeExceptionally(e);
    }
    return done;
  }

  private static AsyncCommand<String, String, Boolean> expire(String key, long ttl) {
    return new AsyncCommand<>(new Command<>(CommandType.EXPIRE, new BooleanOutput<>(CODEC),
        new CommandArgs<>(CODEC).addKey(key).add(ttl)));
  }

  /** The number of commands the plan becomes. */
  static int commandCount(UsagePlan plan) {
    int n = plan.counters().size() + plan.expiries().size();
    for (IndexAdd a : plan.indexAdds()) {
      n += a.ttlSeconds() > 0 ? 2 : 1;
    }
    return n;
  }

  @Override
  public String name() {
    return "pipeline";
  }

  /** Completes {@code done} when every command has replied; with the first error if any failed. */
  private static final class Completion implements BiConsumer<Object, Throwable> {
    private final AtomicInteger remaining;
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final WriteResult result;
    private final CompletableFuture<WriteResult> done;

    Completion(int n, WriteResult result, CompletableFuture<WriteResult> done) {
      this.remaining = new AtomicInteger(n);
      this.result = result;
      this.done = done;
    }

    @Override
    public void accept(Object value, Throwable error) {
      if (error != null) {
        firstError.compareAndSet(null, error);
      }
      if (remaining.decrementAndGet() == 0) {
        Throwable e = firstError.get();
        if (e == null) {
          done.complete(result);
        } else {
          done.completeExceptionally(e);
        }
      }
    }
  }
}
