package io.usagesink.redis.bench;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.ScriptArgs;
import io.usagesink.redis.lua.RedisLuaSink;
import io.usagesink.redis.pipeline.RedisPipelineSink;
import io.usagesink.redis.testing.Workloads;
import io.usagesink.testkit.redis.CommandStats;
import io.usagesink.testkit.redis.RedisFixture;
import io.usagesink.testkit.redis.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
 * arguments for Lua), and the latency of the {@code record()} call itself (excluding the wait for the
 * reply).
 *
 * <p>Run: {@code ./mvnw -pl backend-redis-lua -am test-compile} then {@code java -cp <test classpath>
 * io.usagesink.redis.bench.RedisBackendsBench [events [rounds [all|pipeline|lua]]]} (defaults 60000, 3,
 * all). Needs {@code redis-server} and {@code redis-benchmark} on PATH; starts its own server. Up to
 * 2048 events are outstanding at once.
 */
public final class RedisBackendsBench {

  private RedisBackendsBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String only = args.length > 2 ? args[2] : "all";
    try (RedisServer redis = RedisFixture.builder().source(RedisServer.Source.LOCAL_PROCESS).start()) {
      SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
      UsageLayout layout = UsageLayouts.crs(config);
      List<UsageEvent> workload = Workloads.random(1, events);
      double commandsPerEvent = workload.stream().map(layout::plan)
          .mapToLong(p -> p.counters().size() + p.expiries().size()).average().orElse(0);
      System.out.printf("workload: %d events, %.1f layout commands/event; cores=%d%n", events, commandsPerEvent,
          Runtime.getRuntime().availableProcessors());
      for (int round = 1; round <= rounds; round++) {
        System.out.println("--- round " + round);
        redis.flushAll();
        double hincrbyCeiling = redisBenchmark(redis, "-n", "2000000", "-P", "64", "hincrby", "bench:h", "f", "1");
        redis.flushAll();
        double evalshaCeiling = evalshaCeiling(redis, config, layout);
        redis.flushAll();
        System.out.printf("ceiling: redis-benchmark -P 64 HINCRBY %.0f/s; EVALSHA (reference event, guarded) %.0f/s%n",
            hincrbyCeiling, evalshaCeiling);
        if (!only.equals("lua")) {
        Result p = run("redis-pipeline", c -> RedisPipelineSink.builder().config(c).build(), config, redis, workload);
        System.out.printf("  -> %.0f%% of the HINCRBY ceiling (events/s x server commands/event)%n",
            100 * p.eventsPerSecond * p.serverCommandsPerEvent / hincrbyCeiling);
        }
        if (!only.equals("pipeline")) {
        Result l = run("redis-lua", c -> RedisLuaSink.builder().config(c).build(), config, redis, workload);
        System.out.printf("  -> %.0f%% of the EVALSHA ceiling (events/s vs EVALSHA/s)%n",
            100 * l.eventsPerSecond / evalshaCeiling);
        }
      }
    }
  }

  private record Result(double eventsPerSecond, double serverCommandsPerEvent) {}

  private static Result run(String name, Function<SinkConfig, UsageSink> factory, SinkConfig config, RedisServer redis,
      List<UsageEvent> workload) throws Exception {
    redis.flushAll();
    try (UsageSink sink = factory.apply(config)) {
      record(sink, workload.subList(0, Math.min(10_000, workload.size())), null); // warm-up
      redis.flushAll();
      CommandStats before = redis.commandStats();
      long[] latencies = new long[workload.size()];
      long t0 = System.nanoTime();
      record(sink, workload, latencies);
      long t1 = System.nanoTime();
      CommandStats delta = redis.commandStats().minus(before).without("info", "flushall");
      double eps = workload.size() * 1e9 / (t1 - t0);
      double server = (double) delta.total() / workload.size();
      Arrays.sort(latencies);
      System.out.printf("%-15s %8.0f events/s, %6.1f server commands/event (%s), record() p50 %.1f us, p99 %.1f us, "
              + "p99.9 %.1f us, max %.0f us%n",
          name, eps, server, delta.asMap(), latencies[latencies.length / 2] / 1e3,
          latencies[(int) (latencies.length * 0.99)] / 1e3, latencies[(int) (latencies.length * 0.999)] / 1e3,
          latencies[latencies.length - 1] / 1e3);
      return new Result(eps, server);
    }
  }

  /** Records every event with up to 2048 outstanding; {@code latencies[i]} = nanos of the i-th record() call. */
  private static void record(UsageSink sink, List<UsageEvent> events, long[] latencies) throws Exception {
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

  private static double evalshaCeiling(RedisServer redis, SinkConfig config, UsageLayout layout) throws Exception {
    UsageEvent both = Workloads.random(3, 200).stream()
        .filter(e -> e.keyId() != null && e.accountId() != null && !e.longContext()).findFirst().orElseThrow();
    List<String> cmd = new ArrayList<>(List.of("-n", "100000", "-P", "64", "-r", "100000000"));
    cmd.addAll(ScriptArgs.evalshaArgs(redis, config, layout.plan(both)));
    return redisBenchmark(redis, cmd.toArray(new String[0]));
  }

  static double redisBenchmark(RedisServer redis, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", redis.host(), "-p", Integer.toString(redis.port()), "-q"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
