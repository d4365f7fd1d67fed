package io.usagesink.redis.lua;

import static io.usagesink.redis.testing.States.expected;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.pipeline.RedisPipelineSink;
import io.usagesink.redis.read.UsageCounts;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.testkit.redis.SinkComparison;
import io.usagesink.testkit.redis.StateDump;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * redis-pipeline and redis-lua leave identical Redis state for the same workload, on one server and
 * on a 3-master cluster, and the reader gives the same answers; command counts measured
 * server-side.
 */
@ExtendWith(RedisExtension.class)
class RedisBackendsEquivalenceIT {

  private static final int EVENTS = 10_000;
  private static final int CLUSTER_EVENTS = 2_000;

  /**
   * The TTL drift allowed between the states two runs left: a key's TTL counts down from its last
   * write until its run's dump, so two runs differ by up to the longer run's duration (on a loaded
   * machine, more than the fixed cross-run tolerance).
   */
  private static Duration crossRun(SinkComparison.SinkRun a, SinkComparison.SinkRun b) {
    long longer = Math.max(a.took().toSeconds(), b.took().toSeconds()) + 1;
    return Duration.ofSeconds(
        Math.max(States.CROSS_RUN_TTL_TOLERANCE_SECONDS, States.TTL_TOLERANCE_SECONDS + longer));
  }

  /** The reader's answers over the state a run left (called while it is on the server). */
  private static List<UsageCounts> answers(SinkConfig config, List<UsageEvent> events) {
    try (RedisConnection c = RedisConnection.open(config)) {
      return answers(UsageReader.of(c, config), events, LayoutSettings.from(config).zone());
    }
  }

  /**
   * The reader's answers for every key, account and model of the workload, in every bucket it
   * touched.
   */
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
    List<String> models =
        List.of("claude-sonnet-4-20250514", "claude-3-5-sonnet-20241022", "claude-3-opus");
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
  void bothBackendsLeaveTheSameStateAndTheReaderAgrees(RedisServer redis) {
    SinkConfig config = SinkConfig.builder().zone(ZoneOffset.ofHours(8)).build();
    UsageLayout layout = UsageLayouts.crs(config);
    List<UsageEvent> events = Workloads.random(2025, EVENTS);
    List<UsagePlan> plans = events.stream().map(layout::plan).toList();
    long counters = plans.stream().mapToLong(p -> p.counters().size()).sum();
    long expiries = plans.stream().mapToLong(p -> p.expiries().size()).sum();

    Map<String, List<UsageCounts>> answers = new TreeMap<>();
    SinkComparison.Result r =
        SinkComparison.on(redis)
            .config(config)
            .workload(events)
            .sink("redis-pipeline", RedisBackendsEquivalenceIT::pipeline)
            .sink("redis-lua", RedisBackendsEquivalenceIT::lua)
            .afterEach((name, c) -> answers.put(name, answers(c, events)))
            .run();
    SinkComparison.SinkRun pipeline = r.get("redis-pipeline");
    SinkComparison.SinkRun lua = r.get("redis-lua");

    r.assertSameState(crossRun(pipeline, lua));
    // a key's TTL counts down from its last write until the dump, at most the run's duration
    long runSeconds = pipeline.took().toSeconds() + 1;
    pipeline
        .state()
        .diff(
            StateDump.of(expected(layout, events)),
            Duration.ofSeconds(States.TTL_TOLERANCE_SECONDS + runSeconds))
        .assertNone("redis-pipeline vs the plans");
    assertThat(answers.get("redis-lua")).isEqualTo(answers.get("redis-pipeline"));
    assertThat(answers.get("redis-pipeline")).anyMatch(c -> c.requests() > 0);

    assertThat(pipeline.commandStats().calls("hincrby")).isEqualTo(counters);
    assertThat(pipeline.commandStats().calls("expire")).isEqualTo(expiries);
    assertThat(pipeline.stats().commands()).isEqualTo(counters + expiries);
    assertThat(pipeline.stats().roundTrips()).isEqualTo(EVENTS);
    // billed: the events' commands plus the few of the open-time connection check (see
    // ConnectionCheck)
    assertThat(pipeline.commands().billed() - (counters + expiries)).isBetween(0L, 5L);
    // plus the one keyless EVALSHA of the open-time check (see WriterChecks.luaWriter)
    assertThat(lua.commandStats().calls("evalsha")).isEqualTo(EVENTS + 1);
    assertThat(lua.commandStats().calls("hincrby")).isEqualTo(counters);
    assertThat(lua.stats().commands()).isEqualTo(EVENTS);
    // inside the scripts: every HINCRBY and EXPIRE (and the events' guards)
    assertThat(lua.commands().insideScripts())
        .isGreaterThanOrEqualTo(counters + lua.commandStats().calls("expire"));
    assertThat(lua.commands().client()).isLessThan(pipeline.commands().client() / 100);
    System.out.printf("equivalence, %d events:%n%s", EVENTS, r.table());
  }

  @Test
  void onAClusterBothBackendsLeaveTheStateOfOneServer(
      RedisClusterHandle cluster, RedisServer single) {
    SinkConfig config = SinkConfig.builder().zone(ZoneOffset.ofHours(8)).build();
    List<UsageEvent> events = Workloads.random(2026, CLUSTER_EVENTS);
    Map<String, List<UsageCounts>> answers = new TreeMap<>();
    SinkComparison.SinkRun reference =
        SinkComparison.on(single)
            .config(config)
            .workload(events)
            .sink("redis-pipeline", RedisBackendsEquivalenceIT::pipeline)
            .afterEach((name, c) -> answers.put("reference", answers(c, events)))
            .run()
            .get("redis-pipeline");
    SinkComparison.Result r =
        SinkComparison.on(cluster)
            .config(config)
            .workload(events)
            .sink("redis-pipeline", RedisBackendsEquivalenceIT::pipeline)
            .sink("redis-lua", RedisBackendsEquivalenceIT::lua)
            .afterEach((name, c) -> answers.put(name, answers(c, events)))
            .run();
    SinkComparison.SinkRun lua = r.get("redis-lua");
    SinkComparison.SinkRun pipeline = r.get("redis-pipeline");
    pipeline
        .state()
        .diff(reference.state(), crossRun(reference, pipeline))
        .assertNone("redis-pipeline on the cluster");
    lua.state()
        .diff(reference.state(), crossRun(reference, lua))
        .assertNone("redis-lua on the cluster");
    assertThat(answers.get("redis-lua")).isEqualTo(answers.get("reference"));
    assertThat(lua.stats().failed()).isZero();
    // plus the one keyless EVALSHA of the open-time check (see WriterChecks.luaWriter)
    assertThat(lua.commandStats().calls("evalsha")).isEqualTo(lua.stats().commands() + 1);
    System.out.printf("cluster, %d events:%n%s", CLUSTER_EVENTS, r.table());
  }
}
