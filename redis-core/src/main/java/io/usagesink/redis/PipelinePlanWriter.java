package io.usagesink.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import io.usagesink.SinkConfig;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends a plan as HINCRBY..., EXPIRE..., (SADD, EXPIRE)... in one {@code dispatch} of a command
 * batch: Lettuce writes each command to the channel and flushes once per batch, so the plan costs
 * one round trip (on a single server the commands are pre-encoded to RESP on the calling thread, so
 * Lettuce's I/O thread only copies bytes), and concurrent writers can share the connection (no {@code setAutoFlushCommands}
 * toggling, which is not safe on a shared connection); {@link #writeAll} hands the commands of many
 * plans over in one such batch. On a cluster the cluster connection routes each command to its node.
 * One timer per batch bounds the wait: when it fires, the commands not yet answered are failed
 * (those not yet written are then never written).
 */
final class PipelinePlanWriter implements PlanWriter {

  private static final RedisCodec<String, String> CODEC = StringCodec.UTF8;

  private static final int MAX_CACHED_FIELDS = 4096;
  private static final byte[] HINCRBY = ascii("*4\r\n$7\r\nHINCRBY\r\n");
  private static final byte[] EXPIRE = ascii("*3\r\n$6\r\nEXPIRE\r\n");
  private static final byte[] SADD = ascii("*3\r\n$4\r\nSADD\r\n");

  private final RedisConnection connection;
  private final Duration timeout;
  private final Map<String, byte[]> fieldCache = new ConcurrentHashMap<>();

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
    WriteArguments.requireSameSize(plans, guardIds);
    List<CompletableFuture<WriteResult>> results = new ArrayList<>(plans.size());
    List<Batch> batches = new ArrayList<>(plans.size());
    int total = 0;
    for (int i = 0; i < plans.size(); i++) {
      UsagePlan plan = WriteArguments.plan(plans, guardIds, i); // guard ids are checked, then ignored
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

  private Batch batch(UsagePlan plan) {
    int n = commandCount(plan);
    Batch batch = new Batch(n, new WriteResult(n, 1, 0, 1, 0, true));
    if (connection.isCluster()) {
      return withArgs(plan, batch); // the cluster connection routes by the arguments' first key
    }
    // single server: RESP encoded here, on the calling (writer) thread, into one array per plan; the
    // I/O thread, which is the bottleneck of a pipeline, then only copies each command's bytes
    Resp resp = new Resp(n * 96);
    byte[] lastKeyBytes = null;
    String lastKey = null;
    for (CounterDelta c : plan.counters()) {
      if (!c.key().equals(lastKey)) {
        lastKey = c.key();
        lastKeyBytes = utf8(lastKey);
      }
      int start = resp.length();
      resp.raw(HINCRBY).bulk(lastKeyBytes).bulk(fieldBytes(c.field())).bulk(c.delta());
      batch.commands.add(batch.encoded(CommandType.HINCRBY, resp, start));
    }
    for (Expiry e : plan.expiries()) {
      int start = resp.length();
      resp.raw(EXPIRE).bulk(e.key().equals(lastKey) ? lastKeyBytes : utf8(e.key())).bulk(e.ttlSeconds());
      batch.commands.add(batch.encoded(CommandType.EXPIRE, resp, start));
    }
    for (IndexAdd a : plan.indexAdds()) {
      byte[] key = utf8(a.setKey());
      int start = resp.length();
      resp.raw(SADD).bulk(key).bulk(utf8(a.member()));
      batch.commands.add(batch.encoded(CommandType.SADD, resp, start));
      if (a.ttlSeconds() > 0) {
        start = resp.length();
        resp.raw(EXPIRE).bulk(key).bulk(a.ttlSeconds());
        batch.commands.add(batch.encoded(CommandType.EXPIRE, resp, start));
      }
    }
    batch.resp = resp;
    return batch;
  }

  private static Batch withArgs(UsagePlan plan, Batch batch) {
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

  /** The UTF-8 bytes of a hash field; fields are the layout's few names, so they are encoded once. */
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

    Resp resp; // the RESP of every command, on a single server (null on a cluster)

    BatchCommand command(CommandType type, CommandArgs<String, String> args) {
      return new BatchCommand(this, type, args, 0, 0);
    }

    /** The command whose RESP is {@code resp} from {@code start} to its current end. */
    BatchCommand encoded(CommandType type, Resp resp, int start) {
      return new BatchCommand(this, type, null, start, resp.length() - start);
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

  /** A growing byte array of RESP commands (not thread-safe; read only after it is complete). */
  private static final class Resp {
    private byte[] buf;
    private int len;

    Resp(int capacity) {
      buf = new byte[Math.max(64, capacity)];
    }

    int length() {
      return len;
    }

    byte[] bytes() {
      return buf;
    }

    Resp raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    /** A bulk string: {@code $<length>\r\n<bytes>\r\n}. */
    Resp bulk(byte[] b) {
      ensure(b.length + 16);
      buf[len++] = '$';
      digits(b.length);
      crlf();
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      crlf();
      return this;
    }

    /** A number as a bulk string. */
    Resp bulk(long v) {
      if (v == Long.MIN_VALUE) {
        return bulk(ascii(Long.toString(v)));
      }
      ensure(48);
      long abs = Math.abs(v);
      int size = digitCount(abs) + (v < 0 ? 1 : 0);
      buf[len++] = '$';
      digits(size);
      crlf();
      if (v < 0) {
        buf[len++] = '-';
      }
      digits(abs);
      crlf();
      return this;
    }

    private static int digitCount(long v) {
      int n = 1;
      while (v >= 10) {
        v /= 10;
        n++;
      }
      return n;
    }

    private void digits(long v) {
      int start = len;
      do {
        buf[len++] = (byte) ('0' + (v % 10));
        v /= 10;
      } while (v > 0);
      for (int i = start, j = len - 1; i < j; i++, j--) {
        byte t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
      }
    }

    private void crlf() {
      buf[len++] = '\r';
      buf[len++] = '\n';
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A command that reports its completion to its batch instead of completing a future of its own. */
  private static final class BatchCommand extends Command<String, String, Long> {
    private final Batch batch;
    private final int respStart;
    private final int respLength;
    private volatile boolean settled;

    BatchCommand(Batch batch, CommandType type, CommandArgs<String, String> args, int respStart, int respLength) {
      super(type, new IntegerOutput<>(CODEC), args);
      this.batch = batch;
      this.respStart = respStart;
      this.respLength = respLength;
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
