package io.usagesink.redis.bench;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.lua.RedisLuaSink;
import io.usagesink.redis.pipeline.RedisPipelineSink;
import io.usagesink.redis.write.ScriptArgs;
import io.usagesink.testkit.workload.Workloads;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark (not a test): events/s of redis-pipeline and redis-lua into a local Redis, server
 * commands per event, against the server's ceiling measured in the same run with redis-benchmark
 * ({@code -P 64} HINCRBY for the pipeline; EVALSHA of the same script with a reference event's
 * arguments for Lua), and the latency of the {@code record()} call itself (excluding the wait for
 * the reply).
 *
 * <p>Each ceiling is measured right before and right after the backend's run (both shown; the
 * percentage is against the higher one), because on a small shared machine it moves by tens of
 * percent between runs. The pipeline is also compared with the same commands sent by {@code
 * redis-cli --pipe} (the workload's first events as raw RESP: what Redis alone can do with exactly
 * these commands, as opposed to one small hash). The Redis main thread's CPU share during the run
 * and the JVM's CPU per event show which side limits. {@code record()} latency: every call is timed
 * (System.nanoTime around the call only) and the exact percentiles of all calls are printed.
 *
 * <p>Run: {@code ./mvnw -pl backend-redis-lua -am test-compile} then {@code java -cp <test
 * classpath> io.usagesink.redis.bench.RedisBackendsBench [events [rounds [all|pipeline|lua]]]}
 * (defaults 60000, 3, all). Needs {@code redis-server}, {@code redis-benchmark} and {@code
 * redis-cli} on PATH; starts its own server. Up to 2048 events are outstanding at once.
 */
public final class RedisBackendsBench {

  private static final int PIPE_EVENTS = 5_000;

  private RedisBackendsBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String only = args.length > 2 ? args[2] : "all";
    try (RedisServer redis =
        RedisFixture.builder().source(RedisServer.Source.LOCAL_PROCESS).start()) {
      SinkConfig config =
          SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
      UsageLayout layout = UsageLayouts.crs(config);
      List<UsageEvent> workload = Workloads.random(1, events);
      double commandsPerEvent =
          workload.stream()
              .map(layout::plan)
              .mapToLong(p -> p.counters().size() + p.expiries().size())
              .average()
              .orElse(0);
      System.out.printf(
          "workload: %d events, %.1f layout commands/event; cores=%d%n",
          events, commandsPerEvent, Runtime.getRuntime().availableProcessors());
      Path pipeFile = respFile(layout, workload.subList(0, Math.min(PIPE_EVENTS, workload.size())));
      try {
        for (int round = 1; round <= rounds; round++) {
          System.out.println("--- round " + round);
          if (!only.equals("lua")) {
            double before = hincrbyCeiling(redis);
            double pipe = pipeCeiling(redis, pipeFile);
            Result p =
                run(
                    "redis-pipeline",
                    c -> RedisPipelineSink.builder().config(c).build(),
                    config,
                    redis,
                    workload);
            double after = hincrbyCeiling(redis);
            double achieved = p.eventsPerSecond * p.serverCommandsPerEvent;
            System.out.printf(
                "  -> %.0f commands/s = %.0f%% of the HINCRBY ceiling (the higher of"
                    + " redis-benchmark -P 64: %.0f/s before, %.0f/s after); %.0f%% of the same"
                    + " commands via redis-cli --pipe (%.0f/s)%n",
                achieved,
                100 * achieved / Math.max(before, after),
                before,
                after,
                100 * achieved / pipe,
                pipe);
          }
          if (!only.equals("pipeline")) {
            double before = evalshaCeiling(redis, config, layout);
            Result l =
                run(
                    "redis-lua",
                    c -> RedisLuaSink.builder().config(c).build(),
                    config,
                    redis,
                    workload);
            double after = evalshaCeiling(redis, config, layout);
            System.out.printf(
                "  -> %.0f%% of the EVALSHA ceiling (events/s vs the higher EVALSHA/s: %.0f/s"
                    + " before, %.0f/s after)%n",
                100 * l.eventsPerSecond / Math.max(before, after), before, after);
          }
        }
      } finally {
        Files.deleteIfExists(pipeFile);
      }
    }
  }

  private record Result(double eventsPerSecond, double serverCommandsPerEvent) {}

  private static Result run(
      String name,
      Function<SinkConfig, UsageSink> factory,
      SinkConfig config,
      RedisServer redis,
      List<UsageEvent> workload)
      throws Exception {
    redis.flushAll();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (UsageSink sink = factory.apply(config)) {
      record(sink, workload.subList(0, Math.min(10_000, workload.size())), null); // warm-up
      redis.flushAll();
      CommandStats before = redis.commandStats();
      long[] latencies = new long[workload.size()];
      double serverCpu0 = serverMainThreadCpu(redis);
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      record(sink, workload, latencies);
      long t1 = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      double serverCpu1 = serverMainThreadCpu(redis);
      CommandStats delta = redis.commandStats().minus(before).without("info", "flushall");
      double eps = workload.size() * 1e9 / (t1 - t0);
      double server = (double) delta.total() / workload.size();
      Arrays.sort(latencies);
      System.out.printf(
          "%-15s %8.0f events/s, %6.1f server commands/event (%s)%n",
          name, eps, server, delta.asMap());
      System.out.printf(
          "  record() p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.0f us; Redis main thread busy"
              + " %.0f%%; JVM CPU %.1f us/event (%.0f%% of one core)%n",
          latencies[latencies.length / 2] / 1e3,
          latencies[(int) (latencies.length * 0.99)] / 1e3,
          latencies[(int) (latencies.length * 0.999)] / 1e3,
          latencies[latencies.length - 1] / 1e3,
          100 * (serverCpu1 - serverCpu0) * 1e9 / (t1 - t0),
          (cpu1 - cpu0) / 1e3 / workload.size(),
          100.0 * (cpu1 - cpu0) / (t1 - t0));
      return new Result(eps, server);
    }
  }

  /** Seconds of CPU the Redis main thread used so far (INFO cpu). */
  private static double serverMainThreadCpu(RedisServer redis) {
    double total = 0;
    for (String line : redis.info("cpu").split("\\r?\\n")) {
      if (line.startsWith("used_cpu_user_main_thread:")
          || line.startsWith("used_cpu_sys_main_thread:")) {
        total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return total;
  }

  private static double hincrbyCeiling(RedisServer redis) throws Exception {
    redis.flushAll();
    double r = redisBenchmark(redis, "-n", "1000000", "-P", "64", "hincrby", "bench:h", "f", "1");
    redis.flushAll();
    return r;
  }

  /**
   * The commands of {@code events} (HINCRBY/EXPIRE/SADD as the pipeline writer sends them) as raw
   * RESP.
   */
  private static Path respFile(UsageLayout layout, List<UsageEvent> events) throws IOException {
    Path file = Files.createTempFile("usagesink-bench", ".resp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (UsageEvent e : events) {
        UsagePlan plan = layout.plan(e);
        for (CounterDelta c : plan.counters()) {
          resp(out, "HINCRBY", c.key(), c.field(), Long.toString(c.delta()));
        }
        for (Expiry x : plan.expiries()) {
          resp(out, "EXPIRE", x.key(), Long.toString(x.ttlSeconds()));
        }
        for (IndexAdd a : plan.indexAdds()) {
          resp(out, "SADD", a.setKey(), a.member());
          if (a.ttlSeconds() > 0) {
            resp(out, "EXPIRE", a.setKey(), Long.toString(a.ttlSeconds()));
          }
        }
      }
    }
    return file;
  }

  private static void resp(OutputStream out, String... args) throws IOException {
    StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Commands/s of {@code redis-cli --pipe} sending {@code file} (one connection, as fast as Redis
   * takes them).
   */
  private static double pipeCeiling(RedisServer redis, Path file) throws Exception {
    redis.flushAll();
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(
                "redis-cli", "-h", redis.host(), "-p", Integer.toString(redis.port()), "--pipe")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    long t1 = System.nanoTime();
    redis.flushAll();
    Matcher m = Pattern.compile("errors: (\\d+), replies: (\\d+)").matcher(out);
    if (!m.find() || !m.group(1).equals("0")) {
      throw new IllegalStateException("redis-cli --pipe failed: " + out);
    }
    return Long.parseLong(m.group(2)) * 1e9 / (t1 - t0);
  }

  /**
   * Records every event with up to 2048 outstanding; {@code latencies[i]} = nanos of the i-th
   * record() call.
   */
  private static void record(UsageSink sink, List<UsageEvent> events, long[] latencies)
      throws Exception {
    Semaphore window = new Semaphore(2048);
    List<CompletableFuture<Void>> stages = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      window.acquire();
      long s = System.nanoTime();
      CompletableFuture<Void> f = sink.record(events.get(i)).toCompletableFuture();
      long e = System.nanoTime();
      if (latencies != null) {
        latencies[i] = e - s;
      }
      f.whenComplete((r, x) -> window.release());
      stages.add(f);
    }
    CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0])).get(300, TimeUnit.SECONDS);
  }

  private static double evalshaCeiling(RedisServer redis, SinkConfig config, UsageLayout layout)
      throws Exception {
    redis.flushAll();
    UsageEvent both =
        Workloads.random(3, 200).stream()
            .filter(e -> e.keyId() != null && e.accountId() != null && !e.longContext())
            .findFirst()
            .orElseThrow();
    List<String> cmd = new ArrayList<>(List.of("-n", "30000", "-P", "64", "-r", "100000000"));
    cmd.addAll(ScriptArgs.evalshaArgs(redis, config, layout.plan(both)));
    double r = redisBenchmark(redis, cmd.toArray(new String[0]));
    redis.flushAll();
    return r;
  }

  static double redisBenchmark(RedisServer redis, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "redis-benchmark", "-h", redis.host(), "-p", Integer.toString(redis.port()), "-q"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out = r.lines().reduce("", (a, b) -> a + "\n" + b);
    }
    p.waitFor();
    Matcher m = Pattern.compile("([0-9.]+) requests per second").matcher(out);
    double last = -1;
    while (m.find()) {
      last = Double.parseDouble(m.group(1));
    }
    if (last < 0) {
      throw new IllegalStateException("no result from redis-benchmark: " + out);
    }
    return last;
  }
}
