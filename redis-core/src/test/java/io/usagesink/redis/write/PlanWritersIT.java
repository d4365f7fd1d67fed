package io.usagesink.redis.write;

import static io.usagesink.redis.testing.States.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.UsageLayout;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageCounts;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.testkit.golden.CrsCall;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenExpectations;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both plan writers against a real Redis: golden states, command counts, guards, NOSCRIPT, errors.
 */
@ExtendWith(RedisExtension.class)
class PlanWritersIT {

  private static final UsageEvent BOTH =
      UsageEvent.builder()
          .at(Instant.parse("2025-08-15T03:10:00Z"))
          .keyId("k1")
          .accountId("a1")
          .model("claude-sonnet-4-20250514")
          .inputTokens(1200)
          .outputTokens(350)
          .cacheCreateTokens(5000)
          .cacheReadTokens(20000)
          .ephemeral5mTokens(5000)
          .build();

  private static SinkConfig config(RedisServer redis, GoldenFile golden) {
    return SinkConfig.builder()
        .redisUri(redis.uri())
        .zone(golden.config().zone())
        .metricsWindow(golden.config().metricsWindow())
        .build();
  }

  private static SinkConfig config(RedisServer redis) {
    return SinkConfig.builder().redisUri(redis.uri()).build();
  }

  static PlanWriter writer(String name, RedisConnection c, SinkConfig config) {
    return name.equals("lua") ? PlanWriters.lua(c, config) : PlanWriters.pipeline(c, config);
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void everyGoldenCaseLeavesTheRecordedState(String name, RedisServer redis) throws Exception {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config = config(redis, golden);
    UsageLayout layout = golden.config().referenceLayout();
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = writer(name, c, config);
      UsageReader reader = UsageReader.of(c, config);
      for (GoldenCase gc : golden.cases()) {
        redis.flushAll();
        int i = 0;
        for (CrsCall call : gc.events()) {
          UsagePlan plan = layout.plan(CrsCallAdapter.toEvent(call));
          await(writer.write(plan, name.equals("lua") ? gc.name() + "#" + i++ : null));
        }
        // the recorded state; for the documented deviation, the recorded state with it applied
        assertSameState(
            States.fromReader(reader.dump()),
            GoldenExpectations.expectedState(gc),
            States.TTL_TOLERANCE_SECONDS,
            gc.name() + gc.deviation().map(d -> " (deviation: " + d + ")").orElse(""));
      }
    }
  }

  @Test
  void pipelineSendsTheLayoutsCommandsForAnEvent(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    UsageLayout layout = io.usagesink.layout.UsageLayouts.crs(config);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = PlanWriters.pipeline(c, config);
      CommandStats before = redis.commandStats();
      WriteResult r = await(writer.write(layout.plan(BOTH), null));
      CommandStats delta = redis.commandStats().minus(before).without("info");
      assertThat(r.clientCommands()).isEqualTo(148);
      assertThat(delta.asMap())
          .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("hincrby", 132L, "expire", 16L));

      before = redis.commandStats();
      r = await(writer.write(layout.plan(BOTH.toBuilder().longContext(true).build()), null));
      delta = redis.commandStats().minus(before).without("info");
      assertThat(r.clientCommands()).isEqualTo(96 + 64);
      assertThat(delta.total()).isEqualTo(160);
    }
  }

  @Test
  void luaSendsOneEvalshaPerEventAndRunsTheUpdatesInside(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    UsageLayout layout = io.usagesink.layout.UsageLayouts.crs(config);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = PlanWriters.lua(c, config);
      await(
          writer.write(
              UsagePlan.builder().increment("warm", "up", 1).build(), null)); // script loaded
      CommandStats before = redis.commandStats();
      WriteResult r = await(writer.write(layout.plan(BOTH), "event-1"));
      CommandStats delta = redis.commandStats().minus(before).without("info");
      assertThat(r.clientCommands()).isEqualTo(1);
      assertThat(r.scriptCommands()).isEqualTo(132 + 16 + 1);
      // inside the script: every counter, one EXPIRE per key with a TTL (the pipeline sends 16
      // since
      // the two total hashes have none, and so does the script), and the guard's SET
      assertThat(delta.asMap())
          .containsExactlyInAnyOrderEntriesOf(
              java.util.Map.of("evalsha", 1L, "hincrby", 132L, "expire", 16L, "set", 1L));
    }
  }

  @Test
  void aGuardedPlanIsAppliedAtMostOnce(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    UsageLayout layout = io.usagesink.layout.UsageLayouts.crs(config);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = PlanWriters.lua(c, config);
      UsagePlan plan = layout.plan(BOTH);
      WriteResult first = await(writer.write(plan, "same-id"));
      SortedMap<String, StoredKey> once = States.fromReader(UsageReader.of(c, config).dump());
      WriteResult again = await(writer.write(plan, "same-id"));
      assertThat(first.applied()).isTrue();
      assertThat(again.applied()).isFalse();
      assertThat(again.duplicateGroups()).isEqualTo(1);
      assertSameState(
          States.fromReader(UsageReader.of(c, config).dump()),
          once,
          States.TTL_TOLERANCE_SECONDS,
          "after the duplicate");
      assertThat(await(writer.write(plan, "other-id")).applied()).isTrue();
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(2);
      // the guard is a bookkeeping key under the prefix, with the guard TTL
      List<?> guards = (List<?>) redis.command("KEYS", "usagesink:guard:*");
      assertThat(guards).hasSize(2);
      long ttl = (Long) redis.command("TTL", (String) guards.get(0));
      assertThat(ttl)
          .isBetween(
              RedisOptions.from(config).guardTtl().toSeconds() - 5,
              RedisOptions.from(config).guardTtl().toSeconds());
    }
  }

  @Test
  void anEmptiedScriptCacheIsReloadedAndTheCallRetriedOnce(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    UsageLayout layout = io.usagesink.layout.UsageLayouts.crs(config);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = PlanWriters.lua(c, config);
      await(writer.write(layout.plan(BOTH), null));
      redis.scriptFlush();
      CommandStats before = redis.commandStats();
      WriteResult r = await(writer.write(layout.plan(BOTH), "after-flush"));
      CommandStats delta = redis.commandStats().minus(before);
      assertThat(r.applied()).isTrue();
      assertThat(r.clientCommands()).isEqualTo(3);
      assertThat(delta.calls("script|load")).isEqualTo(1);
      assertThat(delta.calls("evalsha")).isEqualTo(2); // the NOSCRIPT one and the retry
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void concurrentWritersOnOneConnectionLoseNothing(String name, RedisServer redis)
      throws Exception {
    SinkConfig config = config(redis);
    UsageLayout layout = io.usagesink.layout.UsageLayouts.crs(config);
    int threads = 8;
    int perThread = 100;
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = writer(name, c, config);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<CompletableFuture<WriteResult>>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          tasks.add(
              pool.submit(
                  () -> {
                    List<CompletableFuture<WriteResult>> fs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                      fs.add(
                          writer.write(
                              layout.plan(BOTH),
                              name.equals("lua") ? "t" + thread + "-" + i : null));
                    }
                    return fs;
                  }));
        }
        for (Future<List<CompletableFuture<WriteResult>>> t : tasks) {
          for (CompletableFuture<WriteResult> f : t.get(30, TimeUnit.SECONDS)) {
            await(f);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      UsageReader reader = UsageReader.of(c, config);
      UsageCounts key = reader.key("k1", UsagePeriod.allTime());
      UsageCounts account =
          reader.account("a1", UsagePeriod.dayOf(BOTH.at(), LayoutSettings.from(config).zone()));
      assertThat(key.requests()).isEqualTo((long) threads * perThread);
      assertThat(key.inputTokens()).isEqualTo((long) threads * perThread * 1200L);
      assertThat(account.allTokens()).isEqualTo((long) threads * perThread * BOTH.allTokens());
    }
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void anEmptyPlanSendsNothing(String name, RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter writer = writer(name, c, config);
      CommandStats before = redis.commandStats();
      assertThat(await(writer.write(UsagePlan.empty(), "x"))).isEqualTo(WriteResult.NOTHING);
      assertThat(redis.commandStats().minus(before).without("info", "script|load").total())
          .isZero();
    }
  }

  @Test
  void indexSetsAndLargeValuesAreWrittenExactly(RedisServer redis) throws Exception {
    SinkConfig config = config(redis);
    long big = Long.MAX_VALUE - 5; // beyond a Lua double's exact range
    UsagePlan plan =
        UsagePlan.builder()
            .increment("h", "big", big)
            .increment("h", "small", 1)
            .expire("h", 100)
            .indexAdd("s", "m1", 50)
            .indexAdd("s", "m2", 50)
            .indexAdd("forever", "m", 0)
            .build();
    BiFunction<RedisConnection, String, SortedMap<String, StoredKey>> run =
        (c, name) -> {
          try {
            redis.flushAll();
            await(writer(name, c, config).write(plan, name.equals("lua") ? "g" : null));
            return States.fromReader(UsageReader.of(c, config).dump());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    try (RedisConnection c = RedisConnection.open(config)) {
      SortedMap<String, StoredKey> lua = run.apply(c, "lua");
      SortedMap<String, StoredKey> pipeline = run.apply(c, "pipeline");
      assertSameState(lua, pipeline, States.CROSS_RUN_TTL_TOLERANCE_SECONDS, "lua vs pipeline");
      assertThat(lua.get("h").fields()).containsEntry("big", Long.toString(big));
      assertThat(lua.get("s").members()).containsExactly("m1", "m2");
      assertThat(lua.get("forever").ttl()).isEqualTo(-1);
    }
  }
}
