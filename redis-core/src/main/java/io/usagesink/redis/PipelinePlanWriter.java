package io.usagesink.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.util.Timeout;
import io.usagesink.SinkConfig;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends a plan as HINCRBY..., EXPIRE..., (SADD, EXPIRE)... in one {@code dispatch} of a command
 * batch: Lettuce encodes the whole batch into the channel and flushes once, so the plan costs one
 * round trip, and concurrent writers can share the connection (no {@code setAutoFlushCommands}
 * toggling, which is not safe on a shared connection); {@link #writeAll} hands the commands of many
 * plans over in one such batch. On a cluster the cluster connection routes each command to its node.
 * One timer per batch bounds the wait: when it fires, the commands not yet answered are failed
 * (those not yet written are then never written).
 */
final class PipelinePlanWriter implements PlanWriter {

  private static final RedisCodec<String, String> CODEC = StringCodec.UTF8;

  private final RedisConnection connection;
  private final Duration timeout;

  PipelinePlanWriter(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
    this.timeout = connection.commandTimeout();
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    return writeAll(List.of(plan), java.util.Collections.singletonList(guardId)).get(0);
  }

  @Override
  public List<CompletableFuture<WriteResult>> writeAll(List<UsagePlan> plans, List<String> guardIds) {
    if (plans.size() != guardIds.size()) {
      throw new IllegalArgumentException("plans and guardIds differ in size: " + plans.size() + " != " + guardIds.size());
    }
    List<CompletableFuture<WriteResult>> results = new ArrayList<>(plans.size());
    List<Batch> batches = new ArrayList<>(plans.size());
    int total = 0;
    for (int i = 0; i < plans.size(); i++) {
      UsagePlan plan = Objects.requireNonNull(plans.get(i), "plan");
      String guardId = guardIds.get(i);
      if (guardId != null && guardId.isBlank()) {
        throw new IllegalArgumentException("guardId must be null or non-blank but was \"" + guardId + "\"");
      }
      if (plan.isEmpty()) {
        results.add(CompletableFuture.completedFuture(WriteResult.NOTHING));
        continue;
      }
      Batch batch = batch(plan);
      batches.add(batch);
      results.add(batch.done);
      total += batch.commands.size();
    }
    if (batches.isEmpty()) {
      return results;
    }
    List<RedisCommand<String, String, ?>> commands = new ArrayList<>(total);
    for (Batch b : batches) {
      commands.addAll(b.commands);
    }
    try {
      connection.stateful().dispatch(commands);
    } catch (RuntimeException e) {
      batches.forEach(b -> b.failAll(e));
      return results;
    }
    // one timer for the whole dispatch: fails what has not been answered in time
    AtomicInteger open = new AtomicInteger(batches.size());
    Timeout t = connection.timer().newTimeout(x -> {
      RuntimeException timedOut = Timeouts.timedOut("pipeline", timeout);
      batches.forEach(b -> b.failAll(timedOut));
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    for (Batch b : batches) {
      b.done.whenComplete((r, e) -> {
        if (open.decrementAndGet() == 0) {
          t.cancel();
        }
      });
    }
    return results;
  }

  private static Batch batch(UsagePlan plan) {
    int n = commandCount(plan);
    Batch batch = new Batch(n, new WriteResult(n, 1, 0, 1, 0, true));
    List<RedisCommand<String, String, ?>> commands = batch.commands;
    for (CounterDelta c : plan.counters()) {
      commands.add(batch.command(CommandType.HINCRBY,
          new CommandArgs<>(CODEC).addKey(c.key()).addKey(c.field()).add(c.delta())));
    }
    for (Expiry e : plan.expiries()) {
      commands.add(batch.command(CommandType.EXPIRE, new CommandArgs<>(CODEC).addKey(e.key()).add(e.ttlSeconds())));
    }
    for (IndexAdd a : plan.indexAdds()) {
      commands.add(batch.command(CommandType.SADD, new CommandArgs<>(CODEC).addKey(a.setKey()).addValue(a.member())));
      if (a.ttlSeconds() > 0) {
        commands.add(batch.command(CommandType.EXPIRE, new CommandArgs<>(CODEC).addKey(a.setKey()).add(a.ttlSeconds())));
      }
    }
    return batch;
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

  /** The commands of one plan and their shared completion: done when every command has replied. */
  private static final class Batch {
    final List<RedisCommand<String, String, ?>> commands;
    final CompletableFuture<WriteResult> done = new CompletableFuture<>();
    final AtomicInteger remaining;
    final AtomicReference<Throwable> firstError = new AtomicReference<>();
    final WriteResult result;

    Batch(int n, WriteResult result) {
      this.commands = new ArrayList<>(n);
      this.remaining = new AtomicInteger(n);
      this.result = result;
    }

    BatchCommand command(CommandType type, CommandArgs<String, String> args) {
      return new BatchCommand(this, type, args);
    }

    void settled(Throwable error) {
      if (error != null) {
        firstError.compareAndSet(null, error);
      }
      if (remaining.decrementAndGet() == 0) {
        finish();
      }
    }

    void finish() {
      Throwable e = firstError.get();
      if (e == null) {
        done.complete(result);
      } else {
        done.completeExceptionally(e);
      }
    }

    /** Fails every command not yet answered (so it is never written if still queued) and the batch. */
    void failAll(Throwable error) {
      if (done.isDone()) {
        return;
      }
      firstError.compareAndSet(null, error);
      for (RedisCommand<String, String, ?> c : commands) {
        if (!c.isDone()) {
          c.completeExceptionally(error);
        }
      }
      done.completeExceptionally(firstError.get());
    }
  }

  /** A command that reports its completion to its batch instead of completing a future of its own. */
  private static final class BatchCommand extends Command<String, String, Long> {
    private final Batch batch;
    private volatile boolean settled;

    BatchCommand(Batch batch, CommandType type, CommandArgs<String, String> args) {
      super(type, new IntegerOutput<>(CODEC), args);
      this.batch = batch;
    }

    @Override
    public void complete() {
      super.complete();
      String error = getOutput().getError();
      settle(error == null ? null : new RedisCommandExecutionException(error));
    }

    @Override
    public boolean completeExceptionally(Throwable throwable) {
      boolean first = super.completeExceptionally(throwable);
      settle(throwable);
      return first;
    }

    @Override
    public void cancel() {
      super.cancel();
      settle(new java.util.concurrent.CancellationException(getType() + " cancelled"));
    }

    private void settle(Throwable error) {
      if (settled) {
        return;
      }
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      batch.settled(error);
    }
  }
}
