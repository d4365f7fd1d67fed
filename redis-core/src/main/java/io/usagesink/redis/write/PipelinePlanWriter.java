package io.usagesink.redis.write;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.usagesink.SinkConfig;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a plan as HINCRBY..., EXPIRE..., (SADD, EXPIRE)... in one {@code dispatch} of a command
 * batch: Lettuce writes each command to the channel and flushes once per batch, so the plan costs
 * one round trip (on a single server the commands are pre-encoded to RESP on the calling thread, so
 * Lettuce's I/O thread only copies bytes), and concurrent writers can share the connection (no
 * {@code setAutoFlushCommands} toggling, which is not safe on a shared connection); {@link
 * #writeAll} hands the commands of many plans over in one such batch. On a cluster the cluster
 * connection routes each command to its node.
 *
 * <p><b>No timeout on a live connection.</b> A command written to a connection that is still open
 * will be answered (Redis may be slow, paused or loading); giving it up and re-sending it would
 * count it twice once the first copy runs. So one timer per batch checks every command timeout
 * whether the connection is still open, and gives up the unanswered commands only when it is not. A
 * connection that breaks fails its unanswered commands at once (see {@link RedisConnection}); a
 * half-open one is found by TCP keep-alive.
 *
 * <p><b>Per-command outcomes.</b> Each command's own reply decides, classified by {@link
 * FailurePolicy}: a reply without error means applied (never sent again); a PERMANENT error reply
 * ({@code WRONGTYPE}, overflow) fails its key, reported as a {@link KeyFailure} that is {@code
 * partial} when another command on the key was applied in the same write (the pipeline cannot undo
 * it; an EXPIRE also runs on a key whose HINCRBYs failed); a FATAL reply ({@code NOPERM}) fails the
 * whole write with that error; a TRANSIENT error reply ({@code OOM}, {@code LOADING}, {@code
 * READONLY}, ...; Redis did not apply the command) and a command without a reply (connection lost,
 * timeout) go into the {@link IncompleteWriteException#remaining() remaining} plan of an {@link
 * IncompleteWriteException}. <b>At-least-once:</b> a command without a reply may have been applied
 * by Redis before its reply was lost, so re-sending it may count its delta twice; the remaining
 * plan holds only such commands and refused ones, never one whose reply said it was applied. The
 * connection does not replay written commands after a reconnect by itself (see {@link
 * RedisConnection}), so every re-send is the caller's, and counted.
 *
 * <p><b>{@code MOVED} (a cluster's slot moved: failover, resharding).</b> Redis did not apply the
 * command, so it goes into the remaining plan like a transient refusal (re-sending it counts
 * nothing twice), and the write is answered only once the connection's slot table has been
 * refreshed by a refresh that started after the reply ({@link
 * RedisConnection#refreshTopologyAfterMoved()}): what remains is sent again by the new table, to
 * the new owner, in one batch. Lettuce would redirect each such command by itself, one write and
 * one flush at a time on its I/O threads; at about 50 commands per event for the slots of a failed
 * over master that starved the I/O threads its own topology refresh runs on (a refresh took 4-8 s,
 * every trigger meanwhile dropped, 45,000-130,000 {@code MOVED} replies after the failover had
 * settled). {@code ASK} (a slot being migrated) is still redirected by Lettuce.
 */
final class PipelinePlanWriter implements PlanWriter {

  private static final RedisCodec<String, String> CODEC = StringCodec.UTF8;

  private static final int MAX_CACHED_FIELDS = 4096;

  private final RedisConnection connection;
  private final Duration timeout;
  private final Map<String, byte[]> fieldCache = new ConcurrentHashMap<>();

  PipelinePlanWriter(RedisConnection connection, SinkConfig config) {
    this.connection = connection;
    this.timeout = connection.commandTimeout();
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
    List<Batch> batches = new ArrayList<>(plans.size());
    int total = 0;
    for (int i = 0; i < plans.size(); i++) {
      UsagePlan plan =
          WriteArguments.plan(plans, guardIds, i); // guard ids are checked, then ignored
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
    watch(batches);
    return results;
  }

  /**
   * One timer for the whole dispatch: after each command timeout, while something is unanswered,
   * gives it up only if the connection is no longer open (see the class documentation), else looks
   * again later.
   */
  private void watch(List<Batch> batches) {
    connection
        .timer()
        .newTimeout(
            x -> {
              if (batches.stream().allMatch(b -> b.done.isDone())) {
                return;
              }
              if (connection.stateful().isOpen()) {
                watch(batches);
                return;
              }
              RuntimeException timedOut =
                  Timeouts.timedOut("pipeline (connection closed)", timeout);
              batches.forEach(b -> b.failAll(timedOut));
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private Batch batch(UsagePlan plan) {
    int n = commandCount(plan);
    Batch batch = new Batch(n, connection);
    if (connection.isCluster()) {
      return withArgs(plan, batch); // the cluster connection routes by the arguments' first key
    }
    // single server: RESP encoded here, on the calling (writer) thread, into one array per plan;
    // the I/O thread, which is the bottleneck of a pipeline, then only copies each command's bytes
    Resp resp = new Resp(n * 96);
    byte[] lastKeyBytes = null;
    String lastKey = null;
    for (CounterDelta c : plan.counters()) {
      if (!c.key().equals(lastKey)) {
        lastKey = c.key();
        lastKeyBytes = utf8(lastKey);
      }
      int start = resp.length();
      resp.raw(Resp.HINCRBY).bulk(lastKeyBytes).bulk(fieldBytes(c.field())).bulk(c.delta());
      batch.commands.add(batch.encoded(CommandType.HINCRBY, c, resp, start));
    }
    for (Expiry e : plan.expiries()) {
      int start = resp.length();
      resp.raw(Resp.EXPIRE)
          .bulk(e.key().equals(lastKey) ? lastKeyBytes : utf8(e.key()))
          .bulk(e.ttlSeconds());
      batch.commands.add(batch.encoded(CommandType.EXPIRE, e, resp, start));
    }
    for (IndexAdd a : plan.indexAdds()) {
      byte[] key = utf8(a.setKey());
      int start = resp.length();
      resp.raw(Resp.SADD).bulk(key).bulk(utf8(a.member()));
      batch.commands.add(batch.encoded(CommandType.SADD, a, resp, start));
      if (a.ttlSeconds() > 0) {
        start = resp.length();
        resp.raw(Resp.EXPIRE).bulk(key).bulk(a.ttlSeconds());
        batch.commands.add(batch.encoded(CommandType.EXPIRE, a, resp, start));
      }
    }
    batch.resp = resp;
    return batch;
  }

  private static Batch withArgs(UsagePlan plan, Batch batch) {
    List<BatchCommand> commands = batch.commands;
    for (CounterDelta c : plan.counters()) {
      commands.add(
          batch.command(
              CommandType.HINCRBY,
              c,
              new CommandArgs<>(CODEC).addKey(c.key()).addKey(c.field()).add(c.delta())));
    }
    for (Expiry e : plan.expiries()) {
      commands.add(
          batch.command(
              CommandType.EXPIRE, e, new CommandArgs<>(CODEC).addKey(e.key()).add(e.ttlSeconds())));
    }
    for (IndexAdd a : plan.indexAdds()) {
      commands.add(
          batch.command(
              CommandType.SADD,
              a,
              new CommandArgs<>(CODEC).addKey(a.setKey()).addValue(a.member())));
      if (a.ttlSeconds() > 0) {
        commands.add(
            batch.command(
                CommandType.EXPIRE,
                a,
                new CommandArgs<>(CODEC).addKey(a.setKey()).add(a.ttlSeconds())));
      }
    }
    return batch;
  }

  /**
   * The UTF-8 bytes of a hash field; fields are the layout's few names, so they are encoded once.
   */
  private byte[] fieldBytes(String field) {
    byte[] b = fieldCache.get(field);
    if (b == null) {
      b = utf8(field);
      if (fieldCache.size() < MAX_CACHED_FIELDS) {
        fieldCache.put(field, b);
      }
    }
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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

  /**
   * The commands of one plan and their shared completion: when every command has settled (a reply,
   * or no reply), {@link #finish} decides the write's outcome from the commands' own outcomes.
   */
  private static final class Batch {
    final List<BatchCommand> commands;
    final CompletableFuture<WriteResult> done = new CompletableFuture<>();
    final AtomicInteger unsettled;
    final RedisConnection connection;

    /**
     * Completes once the slot table was refreshed after a {@code MOVED} reply to one of the
     * commands; null while none was answered {@code MOVED} (written before the count goes down).
     */
    volatile CompletionStage<Void> refreshed;

    Batch(int n, RedisConnection connection) {
      this.commands = new ArrayList<>(n);
      this.unsettled = new AtomicInteger(n);
      this.connection = connection;
    }

    Resp resp; // the RESP of every command, on a single server (null on a cluster)

    BatchCommand command(CommandType type, Object source, CommandArgs<String, String> args) {
      return new BatchCommand(this, type, source, args, 0, 0);
    }

    /** The command whose RESP is {@code resp} from {@code start} to its current end. */
    BatchCommand encoded(CommandType type, Object source, Resp resp, int start) {
      return new BatchCommand(this, type, source, null, start, resp.length() - start);
    }

    void settled() {
      if (unsettled.decrementAndGet() == 0) {
        try {
          finish();
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      }
    }

    /**
     * Applied commands are done with; a PERMANENT error reply fails its key; a FATAL one fails the
     * write; every command without a reply, or with a TRANSIENT error reply, goes into the
     * remaining plan (an unanswered SADD carries its EXPIRE along; an EXPIRE whose SADD was applied
     * goes alone; the EXPIRE of a key that has commands in the remaining plan goes again, since it
     * may have run before the key existed).
     */
    void finish() {
      int n = commands.size();
      Throwable fatal = null;
      Throwable unknown = null;
      Set<String> touched = new HashSet<>();
      Map<String, String> refused = new LinkedHashMap<>();
      UsagePlan.Builder remaining = null;
      IndexAdd lastUnknownAdd = null;
      for (BatchCommand c : commands) {
        String key = c.key();
        switch (c.outcome) {
          case APPLIED -> touched.add(key);
          case REFUSED -> refused.putIfAbsent(key, c.errorMessage());
          case FATAL -> fatal = fatal == null ? c.error() : fatal;
          default -> {
            unknown = unknown == null ? c.error() : unknown;
            remaining = remaining == null ? UsagePlan.builder() : remaining;
            if (c.source instanceof CounterDelta d) {
              remaining.increment(d.key(), d.field(), d.delta());
            } else if (c.source instanceof Expiry e) {
              remaining.expire(e.key(), e.ttlSeconds());
            } else if (c.source instanceof IndexAdd a && c.getType() == CommandType.SADD) {
              remaining.indexAdd(a.setKey(), a.member(), a.ttlSeconds());
              lastUnknownAdd = a;
            } else if (c.source instanceof IndexAdd a && a != lastUnknownAdd) {
              remaining.expire(a.setKey(), a.ttlSeconds()); // its SADD was answered
            }
          }
        }
      }
      if (fatal != null) {
        done.completeExceptionally(fatal);
        return;
      }
      if (remaining != null) {
        // an applied EXPIRE of a key whose other commands remain may have found no key yet (reply
        // 0): send it again
        Set<String> again = new HashSet<>();
        for (BatchCommand c : commands) {
          if (c.outcome == Outcome.UNKNOWN) {
            again.add(c.key());
          }
        }
        for (BatchCommand c : commands) {
          if (c.outcome == Outcome.APPLIED
              && c.source instanceof Expiry e
              && again.contains(e.key())) {
            remaining.expire(e.key(), e.ttlSeconds());
          }
        }
      }
      List<KeyFailure> failed = new ArrayList<>(refused.size());
      refused.forEach(
          (key, reason) -> failed.add(new KeyFailure(key, reason, touched.contains(key))));
      WriteResult result = new WriteResult(n, 1, 0, 1, 0, true, failed);
      if (remaining == null) {
        done.complete(result);
        return;
      }
      IncompleteWriteException incomplete =
          new IncompleteWriteException(remaining.build(), failed, result, unknown);
      if (refreshed == null) {
        done.completeExceptionally(incomplete);
        return;
      }
      // a command was answered MOVED: answer once the slot table is refreshed, so that what remains
      // is not sent again by the stale table (to the old owner, for one more MOVED)
      refreshed.whenComplete((x, e) -> done.completeExceptionally(incomplete));
    }

    /**
     * Gives up on every command not answered yet: each settles without a reply (never written if
     * still queued).
     */
    void failAll(Throwable error) {
      for (BatchCommand c : commands) {
        if (!c.isDone()) {
          c.completeExceptionally(error);
        }
      }
    }
  }

  /**
   * The integer reply of a command, which keeps a {@code MOVED} error reply to itself, so that
   * Lettuce's cluster connection, which redirects a command whose output holds {@code MOVED},
   * leaves it to the writer (see the class documentation). Any other error reply, {@code ASK}
   * included, is an ordinary error reply (Lettuce redirects {@code ASK} with {@code ASKING}).
   */
  private static final class MovedAwareOutput extends IntegerOutput<String, String> {
    String moved; // written and read on the connection's I/O thread

    MovedAwareOutput() {
      super(CODEC);
    }

    @Override
    public void setError(ByteBuffer error) {
      setError(decodeString(error));
    }

    @Override
    public void setError(String error) {
      if (error != null && error.startsWith("MOVED ")) {
        moved = error;
        return;
      }
      moved = null;
      super.setError(error);
    }
  }

  /** What became of one command. */
  private enum Outcome {
    UNSETTLED,
    APPLIED,
    REFUSED,
    FATAL,
    UNKNOWN
  }

  /**
   * A command that reports its completion to its batch instead of completing a future of its own.
   * Its outcome is set once, by the first of: its reply, a failure (connection lost, timeout), a
   * cancellation.
   */
  private static final class BatchCommand extends Command<String, String, Long> {
    private final Batch batch;
    final Object source; // the CounterDelta, Expiry or IndexAdd this command carries
    private final int respStart;
    private final int respLength;
    Outcome outcome =
        Outcome.UNSETTLED; // written before the batch's count goes down, read after it reaches 0

    private Throwable error; // the failure, or null for an error reply (see reply)
    private String reply; // the error reply; its exception is made only when it is needed

    BatchCommand(
        Batch batch,
        CommandType type,
        Object source,
        CommandArgs<String, String> args,
        int respStart,
        int respLength) {
      super(type, new MovedAwareOutput(), args);
      this.batch = batch;
      this.source = source;
      this.respStart = respStart;
      this.respLength = respLength;
    }

    String key() {
      if (source instanceof CounterDelta d) {
        return d.key();
      }
      return source instanceof Expiry e ? e.key() : ((IndexAdd) source).setKey();
    }

    @Override
    public void encode(ByteBuf buf) {
      Resp resp = batch.resp;
      if (resp == null) {
        super.encode(buf);
      } else {
        buf.writeBytes(resp.bytes(), respStart, respLength);
      }
    }

    @Override
    public void complete() {
      super.complete();
      String moved = ((MovedAwareOutput) getOutput()).moved;
      if (moved != null) {
        // not applied: sent again with what remains of the write, after the slot table is refreshed
        if (batch.refreshed == null) {
          batch.refreshed = batch.connection.refreshTopologyAfterMoved();
        }
        settle(Outcome.UNKNOWN, null, moved);
        return;
      }
      String error = getOutput().getError();
      if (error == null) {
        settle(Outcome.APPLIED, null, null);
        return;
      }
      switch (FailurePolicy.classifyReply(error)) {
        case PERMANENT -> settle(Outcome.REFUSED, null, error);
        case FATAL -> settle(Outcome.FATAL, null, error);
        default -> settle(Outcome.UNKNOWN, null, error); // TRANSIENT: not applied, send again
      }
    }

    /**
     * Why the command was not applied (or may not have been): its failure, or its error reply as a
     * {@link RedisCommandExecutionException} (made here, not for every error reply: after a
     * failover thousands of commands are answered {@code MOVED} at once on an I/O thread).
     */
    Throwable error() {
      return error != null ? error : new RedisCommandExecutionException(reply);
    }

    /** The error reply, or the failure's message. */
    String errorMessage() {
      return reply != null ? reply : error.getMessage();
    }

    @Override
    public boolean completeExceptionally(Throwable throwable) {
      boolean first = super.completeExceptionally(throwable);
      // no reply: the command may or may not have been applied; only a FATAL error stops the write
      settle(
          FailurePolicy.classify(throwable) == FailurePolicy.Kind.FATAL
              ? Outcome.FATAL
              : Outcome.UNKNOWN,
          throwable,
          null);
      return first;
    }

    @Override
    public void cancel() {
      super.cancel();
      settle(Outcome.UNKNOWN, new CancellationException(getType() + " cancelled"), null);
    }

    private void settle(Outcome o, Throwable e, String errorReply) {
      synchronized (this) {
        if (outcome != Outcome.UNSETTLED) {
          return;
        }
        outcome = o;
        error = e;
        reply = errorReply;
      }
      batch.settled();
    }
  }
}
