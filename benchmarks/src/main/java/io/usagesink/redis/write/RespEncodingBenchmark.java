package io.usagesink.redis.write;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of turning one CRS plan (one event, about 150 commands) into RESP bytes in a Netty
 * buffer: {@code resp}, {@link PipelinePlanWriter}'s own encoder ({@link Resp}: the plan into one
 * array, then each command's slice copied into the buffer, as the I/O thread does), against {@code
 * lettuce}, the standard path ({@link CommandArgs} with {@link StringCodec#UTF8} and {@link
 * Command#encode}). Both create one {@link Command} per command, as the writer does; the set-up
 * checks both give the same bytes. It lives in the writer's package to reach the package-private
 * encoder.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> org.openjdk.jmh.Main RespEncodingBenchmark -prof
 * gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class RespEncodingBenchmark {

  private final Map<String, byte[]> fieldCache = new ConcurrentHashMap<>(); // as the writer's
  private UsagePlan plan;
  private ByteBuf out;

  /** Plans one event with the reference (CRS) layout. */
  @Setup(Level.Trial)
  public void setUp() {
    UsageEvent event =
        UsageEvent.builder()
            .at(Instant.parse("2025-08-15T03:10:00Z"))
            .keyId("key-42")
            .accountId("acct-7")
            .model("claude-sonnet-4-20250514")
            .inputTokens(1234)
            .outputTokens(350)
            .cacheReadTokens(5000)
            .build();
    plan = UsageLayouts.crs().plan(event);
    out = Unpooled.directBuffer(1 << 16);
    int size = resp();
    byte[] ours = new byte[size];
    out.getBytes(0, ours);
    if (lettuce() != size || !out.equals(Unpooled.wrappedBuffer(ours))) {
      throw new IllegalStateException("the two encoders disagree");
    }
  }

  /** Releases the buffer. */
  @TearDown(Level.Trial)
  public void tearDown() {
    out.release();
  }

  /**
   * Our encoder: the plan into one array on the calling thread, then each command's bytes copied.
   */
  @Benchmark
  public int resp() {
    out.clear();
    int n = PipelinePlanWriter.commandCount(plan);
    Resp resp = new Resp(n * 96);
    int[] ends = new int[n];
    int i = 0;
    byte[] lastKeyBytes = null;
    String lastKey = null;
    for (CounterDelta c : plan.counters()) {
      if (!c.key().equals(lastKey)) {
        lastKey = c.key();
        lastKeyBytes = utf8(lastKey);
      }
      resp.raw(Resp.HINCRBY)
          .bulk(lastKeyBytes)
          .bulk(fieldCache.computeIfAbsent(c.field(), RespEncodingBenchmark::utf8))
          .bulk(c.delta());
      ends[i++] = command(CommandType.HINCRBY, resp);
    }
    for (Expiry e : plan.expiries()) {
      resp.raw(Resp.EXPIRE)
          .bulk(e.key().equals(lastKey) ? lastKeyBytes : utf8(e.key()))
          .bulk(e.ttlSeconds());
      ends[i++] = command(CommandType.EXPIRE, resp);
    }
    for (IndexAdd a : plan.indexAdds()) {
      byte[] key = utf8(a.setKey());
      resp.raw(Resp.SADD).bulk(key).bulk(utf8(a.member()));
      ends[i++] = command(CommandType.SADD, resp);
      if (a.ttlSeconds() > 0) {
        resp.raw(Resp.EXPIRE).bulk(key).bulk(a.ttlSeconds());
        ends[i++] = command(CommandType.EXPIRE, resp);
      }
    }
    int start = 0;
    for (int j = 0; j < i; j++) {
      out.writeBytes(resp.bytes(), start, ends[j] - start);
      start = ends[j];
    }
    return out.writerIndex();
  }

  /**
   * Lettuce's standard encoding: one {@link CommandArgs} per command, encoded by {@link
   * Command#encode}.
   */
  @Benchmark
  public int lettuce() {
    out.clear();
    for (CounterDelta c : plan.counters()) {
      encode(
          CommandType.HINCRBY,
          new CommandArgs<>(StringCodec.UTF8).addKey(c.key()).addKey(c.field()).add(c.delta()));
    }
    for (Expiry e : plan.expiries()) {
      encode(
          CommandType.EXPIRE,
          new CommandArgs<>(StringCodec.UTF8).addKey(e.key()).add(e.ttlSeconds()));
    }
    for (IndexAdd a : plan.indexAdds()) {
      encode(
          CommandType.SADD,
          new CommandArgs<>(StringCodec.UTF8).addKey(a.setKey()).addValue(a.member()));
      if (a.ttlSeconds() > 0) {
        encode(
            CommandType.EXPIRE,
            new CommandArgs<>(StringCodec.UTF8).addKey(a.setKey()).add(a.ttlSeconds()));
      }
    }
    return out.writerIndex();
  }

  private void encode(CommandType type, CommandArgs<String, String> args) {
    new Command<>(type, new IntegerOutput<>(StringCodec.UTF8), args).encode(out);
  }

  /**
   * The writer's command object (unused here but allocated, as the writer does) and the end of its
   * bytes.
   */
  private static int command(CommandType type, Resp resp) {
    Command<String, String, Long> c =
        new Command<>(type, new IntegerOutput<>(StringCodec.UTF8), null);
    return c.getType() == type ? resp.length() : -1;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
