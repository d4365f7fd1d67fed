package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.ModelNames;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.CompactWriter;
import io.usagesink.redis.PlanWriters;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.StoredKey;
import io.usagesink.redis.UsageCounts;
import io.usagesink.redis.UsagePeriod;
import io.usagesink.redis.UsageReader;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.golden.StoredValue;
import io.usagesink.testkit.redis.RedisClusterHandle;
import io.usagesink.testkit.redis.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The compact layout through the buffered backend: its CRS view is exactly the CRS layout's state
 * and the reader answers every query with the CRS layout's numbers; retries add nothing.
 */
@ExtendWith(RedisExtension.class)
class CompactLayoutIT {

  private static final Instant FROM = Instant.parse("2025-12-30T10:00:00Z"); // a month and a year end at +08:00
  private static final ZoneId ZONE = ZoneOffset.ofHours(8);

  private static SinkConfig.Builder config(String uri, String layout) {
    return SinkConfig.builder().redisUri(uri).zone(ZONE).shutdownHook(false).flushInterval(Duration.ofMillis(50))
        .property(UsageLayouts.LAYOUT_PROPERTY, layout);
  }

  @Test
  void everyGoldenCaseGivesTheGoldenStateInTheCrsView(RedisServer redis) {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).zone(golden.config().zone())
        .metricsWindow(golden.config().metricsWindow()).shutdownHook(false).flushInterval(Duration.ofHours(1))
        .property(UsageLayouts.LAYOUT_PROPERTY, "compact").build();
    UsageLayout crs = golden.config().referenceLayout();
    assertThat(golden.cases()).isNotEmpty();
    for (GoldenCase gc : golden.cases()) {
      redis.flushAll();
      List<UsageEvent> events = gc.events().stream().map(CrsCallAdapter::toEvent).toList();
      BufferedSink sink = BufferedSink.builder(config).build();
      try {
        events.forEach(sink::record);
      } finally {
        sink.close();
      }
      assertThat(sink.stats().stored()).as("stored of %s", gc.name()).isEqualTo(events.size());
      SortedMap<String, StoredKey> view = crsView(config);
      if (gc.deviation().isEmpty()) {
        SortedMap<String, StoredKey> expected = new TreeMap<>();
        gc.state().forEach((key, v) -> expected.put(key, StoredKey.hash(v.fields(), v.ttl())));
        assertThat(gc.state().values()).allMatch(v -> v.type().equals(StoredValue.HASH));
        RedisStates.assertSameState(view, expected);
      } else {
        InMemoryRedis expected = new InMemoryRedis();
        events.forEach(e -> expected.apply(crs.plan(e), null));
        RedisStates.assertSameState(view, expected);
      }
    }
  }

  @Test
  void severalWritersAndARestartGiveTheCrsStateAndTheSameReaderAnswers(RedisServer redis) throws Exception {
    assertEquivalent(config(redis.uri(), "crs").build(), config(redis.uri(), "compact").build(),
        workload(11, 4_000), redis::flushAll);
  }

  @Test
  void onAThreeMasterClusterSeveralWritersGiveTheCrsStateAndTheSameReaderAnswers(RedisClusterHandle cluster)
      throws Exception {
    assertEquivalent(config(cluster.seedUri(), "crs").build(), config(cluster.seedUri(), "compact").build(),
        workload(12, 2_500), cluster::flushAll);
  }

  @Test
  void withHourlyModelAndCacheDetailSwitchedOffTheViewIsTheSwitchedCrsState(RedisServer redis) throws Exception {
    var policy = io.usagesink.layout.StatsPolicy.ALL.withHourly(false).withModel(false).withDetailedCache(false);
    assertEquivalent(config(redis.uri(), "crs").statsPolicy(policy).build(),
        config(redis.uri(), "compact").statsPolicy(policy).build(), workload(13, 1_500), redis::flushAll);
  }

  @Test
  void aRetriedOrDuplicatedWriteChangesNothing(RedisServer redis) throws Exception {
    SinkConfig config = config(redis.uri(), "compact").build();
    CompactLayout layout = UsageLayouts.compact(config);
    List<UsageEvent> events = workload(14, 300);
    var b = io.usagesink.plan.UsagePlan.builder();
    events.forEach(e -> layout.plan(io.usagesink.layout.UsageTally.of(e), b));
    var plan = b.build();
    try (RedisConnection c = RedisConnection.open(config)) {
      CompactWriter w = PlanWriters.compact(c, layout);
      w.write(plan, "batch-1").get(10, TimeUnit.SECONDS);
      SortedMap<String, StoredKey> once = UsageReader.of(c, config).dumpCompact();
      w.write(plan, "batch-1").get(10, TimeUnit.SECONDS); // a retry of the same batch
      w.write(plan, "batch-1").get(10, TimeUnit.SECONDS);
      assertThat(withoutTtl(UsageReader.of(c, config).dumpCompact())).isEqualTo(withoutTtl(once));
      w.close();
    }
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(UsageLayouts.crs(config).plan(e), null));
    RedisStates.assertSameState(crsView(config), expected);
  }

  // ---- helpers ----

  /** The random workload with odd ids (separators, percent signs) mixed in. */
  private static List<UsageEvent> workload(long seed, int n) {
    List<UsageEvent> events = new ArrayList<>();
    for (UsageEvent e : Workloads.random(seed, n, FROM, Duration.ofDays(3))) {
      String key = "k0".equals(e.keyId()) ? "team|%7C:alpha" : e.keyId();
      events.add(UsageEvent.builder().at(e.at()).keyId(key).accountId(e.accountId()).model(e.model())
          .inputTokens(e.inputTokens()).outputTokens(e.outputTokens()).cacheCreateTokens(e.cacheCreateTokens())
          .cacheReadTokens(e.cacheReadTokens()).ephemeral5mTokens(e.ephemeral5mTokens())
          .ephemeral1hTokens(e.ephemeral1hTokens()).longContext(e.longContext()).build());
    }
    return events;
  }

  private static SortedMap<String, StoredKey> crsView(SinkConfig config) {
    try (RedisConnection c = RedisConnection.open(config)) {
      return UsageReader.of(c, config).crsView();
    }
  }

  private static Map<String, StoredKey> withoutTtl(Map<String, StoredKey> m) {
    Map<String, StoredKey> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.withTtl(0)));
    return out;
  }

  /**
   * Writes {@code events} in the CRS layout (each event alone, pipelined) and reads every answer;
   * empties Redis; records them through three compact sinks (two at once, one of them restarted
   * half-way) and compares the CRS view with the CRS dump and every reader answer.
   */
  private static void assertEquivalent(SinkConfig crs, SinkConfig compact, List<UsageEvent> events, Runnable flushAll)
      throws Exception {
    RedisStates.applyEachEvent(crs, UsageLayouts.crs(crs), events);
    SortedMap<String, StoredKey> expected = RedisStates.dump(crs);
    Map<String, UsageCounts> expectedAnswers = answers(crs, events);
    flushAll.run();

    BufferedSink a = BufferedSink.builder(compact).build();
    BufferedSink b = BufferedSink.builder(compact).build();
    int half = events.size() / 2;
    for (int i = 0; i < events.size(); i++) {
      if (i == half) {
        a.close(); // a restart: the new process writes under a new id
        a = BufferedSink.builder(compact).build();
      }
      (i % 2 == 0 ? a : b).record(events.get(i));
      if (i % 500 == 0) {
        a.flush().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    a.close();
    b.close();
    assertThat(a.stats().failed() + b.stats().failed()).isZero();
    SortedMap<String, StoredKey> view = crsView(compact);
    RedisStates.assertSameState(view, expected);
    Map<String, UsageCounts> actualAnswers = answers(compact, events);
    assertThat(actualAnswers.keySet()).isEqualTo(expectedAnswers.keySet());
    for (String q : expectedAnswers.keySet()) {
      assertThat(actualAnswers.get(q)).as(q).isEqualTo(expectedAnswers.get(q));
    }
  }

  /** Every reader query over the ids, models and periods of {@code events}, by description. */
  private static Map<String, UsageCounts> answers(SinkConfig config, List<UsageEvent> events) {
    TreeSet<String> keys = new TreeSet<>();
    TreeSet<String> accounts = new TreeSet<>();
    TreeSet<String> models = new TreeSet<>();
    TreeSet<Instant> minutes = new TreeSet<>();
    List<UsagePeriod> periods = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    for (UsageEvent e : events) {
      if (e.keyId() != null) {
        keys.add(e.keyId());
      }
      if (e.accountId() != null) {
        accounts.add(e.accountId());
      }
      models.add(ModelNames.normalize(e.model()));
      if (minutes.size() < 100) {
        minutes.add(e.at());
      }
      for (UsagePeriod p : List.of(UsagePeriod.monthOf(e.at(), ZONE), UsagePeriod.dayOf(e.at(), ZONE),
          UsagePeriod.hourOf(e.at(), ZONE))) {
        if (seen.add(p.toString())) {
          periods.add(p);
        }
      }
    }
    periods.add(UsagePeriod.day(LocalDate.of(2024, 1, 1))); // nothing there
    periods.add(UsagePeriod.month(YearMonth.of(2024, 1)));
    Map<String, UsageCounts> out = new TreeMap<>();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageReader r = UsageReader.of(c, config).cached();
      for (String k : keys) {
        out.put("key " + k + " all", r.key(k, UsagePeriod.allTime()));
        for (UsagePeriod p : periods) {
          out.put("key " + k + " " + p, r.key(k, p));
          for (String m : models) {
            out.put("keyModel " + k + " " + m + " " + p, r.keyModel(k, m, p));
          }
        }
      }
      for (String a : accounts) {
        out.put("account " + a + " all", r.account(a, UsagePeriod.allTime()));
        for (UsagePeriod p : periods) {
          out.put("account " + a + " " + p, r.account(a, p));
          for (String m : models) {
            out.put("accountModel " + a + " " + m + " " + p, r.accountModel(a, m, p));
          }
        }
      }
      for (String m : models) {
        for (UsagePeriod p : periods) {
          out.put("model " + m + " " + p, r.model(m, p));
        }
      }
      for (Instant t : minutes) {
        out.put("minute " + t, r.minute(t));
      }
    }
    return out;
  }
}
