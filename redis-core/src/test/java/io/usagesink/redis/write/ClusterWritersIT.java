package io.usagesink.redis.write;

import static io.usagesink.redis.testing.States.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
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
import io.usagesink.testkit.workload.Workloads;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both writers on a 3-master Redis Cluster give the same logical state as on one server. */
@ExtendWith(RedisExtension.class)
class ClusterWritersIT {

  private static final int EVENTS = 3_000;

  private static PlanWriter writer(String name, RedisConnection c, SinkConfig config) {
    return PlanWritersIT.writer(name, c, config);
  }

  /** Writes every plan with at most 256 writes outstanding. */
  static void writeAll(PlanWriter writer, List<UsagePlan> plans, String guardPrefix)
      throws Exception {
    Semaphore window = new Semaphore(256);
    List<CompletableFuture<WriteResult>> all = new ArrayList<>(plans.size());
    for (int i = 0; i < plans.size(); i++) {
      window.acquire();
      CompletableFuture<WriteResult> f =
          writer.write(plans.get(i), guardPrefix == null ? null : guardPrefix + i);
      f.whenComplete((r, e) -> window.release());
      all.add(f);
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void everyGoldenCaseLeavesTheRecordedStateOnACluster(String name, RedisClusterHandle cluster)
      throws Exception {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(cluster.uri())
            .zone(golden.config().zone())
            .metricsWindow(golden.config().metricsWindow())
            .build();
    UsageLayout layout = golden.config().referenceLayout();
    try (RedisConnection c = RedisConnection.open(config)) {
      assertThat(c.isCluster()).isTrue();
      PlanWriter writer = writer(name, c, config);
      for (GoldenCase gc : golden.cases()) {
        cluster.flushAll();
        int i = 0;
        for (CrsCall call : gc.events()) {
          UsagePlan plan = layout.plan(CrsCallAdapter.toEvent(call));
          writer.write(plan, gc.name() + "#" + i++).get(30, TimeUnit.SECONDS);
        }
        SortedMap<String, StoredKey> expected = GoldenExpectations.expectedState(gc);
        assertSameState(
            States.fromReader(UsageReader.of(c, config).dump()),
            expected,
            States.TTL_TOLERANCE_SECONDS,
            gc.name());
      }
    }
  }

  @Test
  void aRandomWorkloadGivesTheSameStateOnAClusterAsOnOneServer(
      RedisClusterHandle cluster, RedisServer single) throws Exception {
    SinkConfig singleConfig =
        SinkConfig.builder().redisUri(single.uri()).zone(ZoneOffset.ofHours(8)).build();
    SinkConfig clusterConfig = singleConfig.toBuilder().redisUri(cluster.uri()).build();
    UsageLayout layout = UsageLayouts.crs(singleConfig);
    List<UsagePlan> plans = Workloads.random(42, EVENTS).stream().map(layout::plan).toList();

    SortedMap<String, StoredKey> reference;
    try (RedisConnection c = RedisConnection.open(singleConfig)) {
      writeAll(PlanWriters.pipeline(c, singleConfig), plans, null);
      reference = States.fromReader(UsageReader.of(c, singleConfig).dump());
    }
    try (RedisConnection c = RedisConnection.open(clusterConfig)) {
      for (String name : List.of("lua", "pipeline")) {
        cluster.flushAll();
        CommandStats before = cluster.commandStats();
        writeAll(writer(name, c, clusterConfig), plans, name.equals("lua") ? "w-" : null);
        CommandStats delta = cluster.commandStats().minus(before);
        assertSameState(
            States.fromReader(UsageReader.of(c, clusterConfig).dump()),
            reference,
            States.CROSS_RUN_TTL_TOLERANCE_SECONDS,
            name + " on the cluster");
        long expectedGroups = plans.stream().mapToLong(ClusterWritersIT::slots).sum();
        if (name.equals("lua")) {
          // one EVALSHA per slot group of each event (the script is loaded on every master
          // beforehand)
          assertThat(delta.calls("evalsha")).isEqualTo(expectedGroups);
          System.out.printf(
              "cluster: %d events -> %d EVALSHA (%.2f per event), %d commands inside scripts%n",
              EVENTS,
              delta.calls("evalsha"),
              (double) delta.calls("evalsha") / EVENTS,
              delta
                  .without(
                      "evalsha",
                      "info",
                      "cluster|slots",
                      "cluster|nodes",
                      "script|load",
                      "hello",
                      "client|setinfo")
                  .total());
        } else {
          assertThat(delta.calls("hincrby"))
              .isEqualTo(plans.stream().mapToLong(p -> p.counters().size()).sum());
        }
      }
    }
  }

  @Test
  void aGuardedPlanIsAppliedOncePerSlotGroup(RedisClusterHandle cluster) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(cluster.uri()).build();
    UsageEvent both =
        UsageEvent.builder()
            .at(Instant.parse("2025-08-15T03:10:00Z"))
            .keyId("k1")
            .accountId("a1")
            .model("claude-sonnet-4-20250514")
            .inputTokens(10)
            .outputTokens(5)
            .build();
    UsagePlan plan = UsageLayouts.crs(config).plan(both);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter lua = PlanWriters.lua(c, config);
      WriteResult first = lua.write(plan, "once").get(30, TimeUnit.SECONDS);
      WriteResult again = lua.write(plan, "once").get(30, TimeUnit.SECONDS);
      assertThat(first.groups()).isEqualTo(slots(plan)).isGreaterThan(1);
      assertThat(first.duplicateGroups()).isZero();
      assertThat(first.clientCommands()).isEqualTo(first.groups());
      assertThat(again.applied()).isFalse();
      assertThat(again.duplicateGroups()).isEqualTo(again.groups());
      assertThat(UsageReader.of(c, config).key("k1", UsagePeriod.allTime()).requests())
          .isEqualTo(1);
      // one guard key per group, each in its group's slot
      assertThat(cluster.dbSize()).isEqualTo(keys(plan) + first.groups());
      System.out.printf(
          "reference layout, both ids: %d keys in %d slots -> %d EVALSHA per event on a %d-master"
              + " cluster%n",
          keys(plan), slots(plan), first.clientCommands(), RedisClusterHandle.MASTERS);
    }
  }

  private static long keys(UsagePlan plan) {
    Set<String> keys = new HashSet<>();
    plan.counters().forEach(c -> keys.add(c.key()));
    plan.expiries().forEach(e -> keys.add(e.key()));
    plan.indexAdds().forEach(a -> keys.add(a.setKey()));
    return keys.size();
  }

  private static long slots(UsagePlan plan) {
    Set<Integer> slots = new HashSet<>();
    for (CounterDelta c : plan.counters()) {
      slots.add(SlotHash.getSlot(c.key()));
    }
    plan.expiries().forEach(e -> slots.add(SlotHash.getSlot(e.key())));
    plan.indexAdds().forEach(a -> slots.add(SlotHash.getSlot(a.setKey())));
    return slots.size();
  }
}
