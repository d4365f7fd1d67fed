package io.usagesink.redis.lua;

import io.usagesink.layout.LayoutSettings;
import io.usagesink.redis.testing.States;
import static io.usagesink.redis.testing.States.assertSameState;
import static io.usagesink.redis.testing.States.expected;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.StoredKey;
import io.usagesink.redis.UsageCounts;
import io.usagesink.redis.UsagePeriod;
import io.usagesink.redis.UsageReader;
import io.usagesink.redis.pipeline.RedisPipelineSink;
import io.usagesink.redis.testing.SinkRuns;
import io.usagesink.redis.testing.Workloads;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * redis-pipeline and redis-lua leave identical Redis state for the same workload, on one server and
 * on a 3-master cluster, and the reader gives the same answers; command counts measured server-side.
 */
@ExtendWith(RedisExtension.class)
class RedisBackendsEquivalenceIT {

  private static final int EVENTS = 20_000;
  private static final int CLUSTER_EVENTS = 2_000;

  private record Run(SortedMap<String, StoredKey> state, List<UsageCounts> answers, CommandStats commands, SinkStats stats) {}

  private static Run run(Function<SinkConfig, UsageSink> factory, SinkConfig config, List<UsageEvent> events,
      Runnable flushAll, java.util.function.Supplier<CommandStats> stats) throws Exception {
    flushAll.run();
    CommandStats before = stats.get();
    SinkStats sinkStats;
    try (UsageSink sink = factory.apply(config)) {
      SinkRuns.awaitAll(SinkRuns.recordAll(sink, events, 512), 300);
      sinkStats = sink.stats();
    }
    CommandStats delta = stats.get().minus(before);
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageReader reader = UsageReader.of(c, config);
      return new Run(reader.dump(), answers(reader, events, LayoutSettings.from(config).zone()), delta, sinkStats);
    }
  }

  /** The reader's answers for every key, account and model of the workload, in every bucket it touched. */
  private static List<UsageCounts> answers(UsageReader r, List<UsageEvent> events, ZoneId zone) {
    Set<UsagePeriod> periods = new LinkedHashSet<>();
    Set<String> keys = new LinkedHashSet<>();
    Set<String> accounts = new LinkedHashSet<>();
    for (UsageEvent e : events) {
      periods.add(UsagePeriod.dayOf(e.at(), zone));
      periods.add(UsagePeriod.monthOf(e.at(), zone));
      periods.add(UsagePeriod.hourOf(e.at(), zone));
      if (e.keyId() != null) {
        keys.add(e.keyId());
      }
      if (e.accountId() != null) {
        accounts.add(e.accountId());
      }
    }
    List<String> models = List.of("claude-sonnet-4-20250514", "claude-3-5-sonnet-20241022", "claude-3-opus");
    List<UsageCounts> out = new ArrayList<>();
    for (String k : keys) {
      out.add(r.key(k, UsagePeriod.allTime()));
      for (UsagePeriod p : periods) {
        out.add(r.key(k, p));
        models.forEach(m -> out.add(r.keyModel(k, m, p)));
      }
    }
    for (String a : accounts) {
      out.add(r.account(a, UsagePeriod.allTime()));
      for (UsagePeriod p : periods) {
        out.add(r.account(a, p));
        models.forEach(m -> out.add(r.accountModel(a, m, p)));
      }
    }
    for (UsagePeriod p : periods) {
      models.forEach(m -> out.add(r.model(m, p)));
    }
    return out;
  }

  private static UsageSink lua(SinkConfig c) {
    return RedisLuaSink.builder().config(c).build();
  }

  private static UsageSink pipeline(SinkConfig c) {
    return RedisPipelineSink.builder().config(c).build();
  }

  @Test
  void bothBackendsLeaveTheSameStateAndTheReaderAgrees(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
    UsageLayout layout = UsageLayouts.crs(config);
    List<UsageEvent> events = Workloads.random(2025, EVENTS);
    List<UsagePlan> plans = events.stream().map(layout::plan).toList();
    long counters = plans.stream().mapToLong(p -> p.counters().size()).sum();
    long expiries = plans.stream().mapToLong(p -> p.expiries().size()).sum();

    long t0 = System.nanoTime();
    Run pipeline = run(RedisBackendsEquivalenceIT::pipeline, config, events, redis::flushAll, redis::commandStats);
    long t1 = System.nanoTime();
    Run lua = run(RedisBackendsEquivalenceIT::lua, config, events, redis::flushAll, redis::commandStats);
    long t2 = System.nanoTime();

    assertSameState(lua.state(), pipeline.state(), States.CROSS_RUN_TTL_TOLERANCE_SECONDS, "redis-lua vs redis-pipeline");
    // a key's TTL counts down from its last write until the dump, at most the run's duration
    long runSeconds = (t1 - t0) / 1_000_000_000L + 1;
    assertSameState(pipeline.state(), expected(layout, events), States.TTL_TOLERANCE_SECONDS + runSeconds,
        "redis-pipeline vs the plans");
    assertThat(lua.answers()).isEqualTo(pipeline.answers());
    assertThat(pipeline.answers()).anyMatch(c -> c.requests() > 0);

    assertThat(pipeline.commands().calls("hincrby")).isEqualTo(counters);
    assertThat(pipeline.commands().calls("expire")).isEqualTo(expiries);
    assertThat(pipeline.stats().commands()).isEqualTo(counters + expiries);
    assertThat(pipeline.stats().roundTrips()).isEqualTo(EVENTS);
    // plus the one keyless EVALSHA of the open-time check (see ConnectionCheck.luaWriter)
    assertThat(lua.commands().calls("evalsha")).isEqualTo(EVENTS + 1);
    assertThat(lua.commands().calls("hincrby")).isEqualTo(counters);
    assertThat(lua.stats().commands()).isEqualTo(EVENTS);
    System.out.printf("equivalence, %d events: redis-pipeline %.1f client commands/event (%.1f s), "
            + "redis-lua 1 EVALSHA/event running %.1f commands inside (%.1f s)%n",
        EVENTS, (double) pipeline.stats().commands() / EVENTS, (t1 - t0) / 1e9,
        (double) lua.commands().without("evalsha", "info", "script|load", "hello", "config|resetstat", "client|setinfo").total() / EVENTS,
        (t2 - t1) / 1e9);
  }

  @Test
  void onAClusterBothBackendsLeaveTheStateOfOneServer(RedisClusterHandle cluster, RedisServer single) throws Exception {
    SinkConfig singleConfig = SinkConfig.builder().redisUri(single.uri()).zone(ZoneOffset.ofHours(8)).build();
    SinkConfig clusterConfig = singleConfig.toBuilder().redisUri(cluster.uri()).build();
    List<UsageEvent> events = Workloads.random(2026, CLUSTER_EVENTS);
    Run reference = run(RedisBackendsEquivalenceIT::pipeline, singleConfig, events, single::flushAll, single::commandStats);
    Run pipeline = run(RedisBackendsEquivalenceIT::pipeline, clusterConfig, events, cluster::flushAll, cluster::commandStats);
    Run lua = run(RedisBackendsEquivalenceIT::lua, clusterConfig, events, cluster::flushAll, cluster::commandStats);
    assertSameState(pipeline.state(), reference.state(), States.CROSS_RUN_TTL_TOLERANCE_SECONDS, "redis-pipeline on the cluster");
    assertSameState(lua.state(), reference.state(), States.CROSS_RUN_TTL_TOLERANCE_SECONDS, "redis-lua on the cluster");
    assertThat(lua.answers()).isEqualTo(reference.answers());
    assertThat(lua.stats().failed()).isZero();
    // plus the one keyless EVALSHA of the open-time check (see ConnectionCheck.luaWriter)
    assertThat(lua.commands().calls("evalsha")).isEqualTo(lua.stats().commands() + 1);
    System.out.printf("cluster, %d events: redis-lua %.2f EVALSHA/event; redis-pipeline %.1f commands/event%n",
        CLUSTER_EVENTS, (double) lua.commands().calls("evalsha") / CLUSTER_EVENTS,
        (double) pipeline.stats().commands() / CLUSTER_EVENTS);
  }
}
