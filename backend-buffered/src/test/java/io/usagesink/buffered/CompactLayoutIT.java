package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.ModelNames;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageCounts;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.redis.write.CompactWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenExpectations;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
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

  private static final Instant FROM =
      Instant.parse("2025-12-30T10:00:00Z"); // a month and a year end at +08:00
  private static final ZoneId ZONE = ZoneOffset.ofHours(8);

  private static SinkConfig.Builder config(String uri, String layout) {
    return SinkConfig.builder()
        .redisUri(uri)
        .zone(ZONE)
        .shutdownHook(false)
        .flushInterval(Duration.ofMillis(50))
        .property(UsageLayouts.LAYOUT_PROPERTY, layout);
  }

  @Test
  void everyGoldenCaseGivesTheGoldenStateInTheCrsView(RedisServer redis) {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .zone(golden.config().zone())
            .metricsWindow(golden.config().metricsWindow())
            .shutdownHook(false)
            .flushInterval(Duration.ofHours(1))
            .property(UsageLayouts.LAYOUT_PROPERTY, "compact")
            .build();
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
      // the recorded state; for the documented deviation, the recorded state with it applied
      SortedMap<String, StoredKey> recorded = GoldenExpectations.expectedState(gc);
      SortedMap<String, StoredKey> expected = new TreeMap<>();
      recorded.forEach((key, v) -> expected.put(key, StoredKey.hash(v.fields(), v.ttl())));
      assertThat(recorded.values()).allMatch(v -> v.type().equals(StoredKey.HASH));
      RedisStates.assertSameState(view, expected);
    }
  }

  @Test
  void severalWritersAndARestartGiveTheCrsStateAndTheSameReaderAnswers(RedisServer redis)
      throws Exception {
    assertEquivalent(
        config(redis.uri(), "crs").build(),
        config(redis.uri(), "compact").build(),
        workload(11, 4_000),
        redis::flushAll);
  }

  @Test
  void onAThreeMasterClusterSeveralWritersGiveTheCrsStateAndTheSameReaderAnswers(
      RedisClusterHandle cluster) throws Exception {
    assertEquivalent(
        config(cluster.seedUri(), "crs").build(),
        config(cluster.seedUri(), "compact").build(),
        workload(12, 2_500),
        cluster::flushAll);
  }

  @Test
  void withHourlyModelAndCacheDetailSwitchedOffTheViewIsTheSwitchedCrsState(RedisServer redis)
      throws Exception {
    var policy =
        io.usagesink.layout.StatsPolicy.ALL
            .withHourly(false)
            .withModel(false)
            .withDetailedCache(false);
    assertEquivalent(
        config(redis.uri(), "crs").properties(policy.switches()).build(),
        config(redis.uri(), "compact").properties(policy.switches()).build(),
        workload(13, 1_500),
        redis::flushAll);
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
      SortedMap<String, StoredKey> once =
          States.fromReader(UsageReader.of(c, config).dumpCompact());
      w.write(plan, "batch-1").get(10, TimeUnit.SECONDS); // a retry of the same batch
      w.write(plan, "batch-1").get(10, TimeUnit.SECONDS);
      assertThat(withoutTtl(States.fromReader(UsageReader.of(c, config).dumpCompact())))
          .isEqualTo(withoutTtl(once));
      w.close();
    }
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(UsageLayouts.crs(config).plan(e), null));
    RedisStates.assertSameState(crsView(config), expected);
  }

  @Test
  void deadAndClosedWritersAreFoldedOnceAndTheirBucketsAreNoLongerNeeded(RedisServer redis)
      throws Exception {
    SinkConfig crs = config(redis.uri(), "crs").build();
    SinkConfig compact = config(redis.uri(), "compact").build();
    List<UsageEvent> events = workload(15, 3_000);
    RedisStates.applyEachEvent(crs, UsageLayouts.crs(crs), events);
    SortedMap<String, StoredKey> expected = RedisStates.dump(crs);
    Map<String, UsageCounts> expectedAnswers = answers(crs, events);
    redis.flushAll();

    CompactLayout layout = UsageLayouts.compact(compact);
    int third = events.size() / 3;
    java.util.Set<String> killed;
    java.util.Set<String> closed;
    try (RedisConnection c = RedisConnection.open(compact)) {
      // two writers whose last heartbeat is 13 hours old: one killed (never closed), one closed
      java.time.InstantSource past =
          java.time.InstantSource.offset(java.time.InstantSource.system(), Duration.ofHours(-13));
      CompactWriter dead = PlanWriters.compact(c, layout, past);
      writeInBatches(dead, layout, events.subList(0, third));
      killed = writerIds(c, layout);
      CompactWriter done = PlanWriters.compact(c, layout, past);
      writeInBatches(done, layout, events.subList(third, 2 * third));
      done.close();
      closed = writerIds(c, layout);
      closed.removeAll(killed);
      // (a writer rotates to a new id when a late event hits a bucket it no longer holds: the
      // killed
      // one leaves closed ids and one open id, whose newest bucket is not folded)
      Map<String, String> t = get(c.async().hgetall(layout.totalsKey()));
      assertThat(killed).anyMatch(id -> !t.get(id + "|@").startsWith(CompactLayout.FINAL));
      assertThat(closed)
          .isNotEmpty()
          .allMatch(id -> t.get(id + "|@").startsWith(CompactLayout.FINAL));
    }
    // two live sinks at once: each looks for ids to fold on its first write; exactly one fold wins
    BufferedSink a = BufferedSink.builder(compact).build();
    BufferedSink b = BufferedSink.builder(compact).build();
    for (int i = 2 * third; i < events.size(); i++) {
      (i % 2 == 0 ? a : b).record(events.get(i));
    }
    a.close();
    b.close();
    assertThat(a.stats().failed() + b.stats().failed()).isZero();

    try (RedisConnection c = RedisConnection.open(compact)) {
      Map<String, String> totals = get(c.async().hgetall(layout.totalsKey()));
      java.util.Set<String> idsLeft = new TreeSet<>();
      totals.keySet().forEach(f -> idsLeft.add(f.substring(0, f.indexOf('|'))));
      assertThat(idsLeft)
          .as("totals hash after the fold")
          .contains("folded")
          .doesNotContainAnyElementsOf(killed)
          .doesNotContainAnyElementsOf(closed);
    }
    RedisStates.assertSameState(crsView(compact), expected);
    assertSameAnswers(answers(compact, events), expectedAnswers, q -> true);

    // the killed writer's buckets are no longer needed for days, months and totals
    try (RedisConnection c = RedisConnection.open(compact)) {
      for (String key : get(c.async().keys(layout.prefix() + "h:*"))) {
        for (String field : get(c.async().hkeys(key))) {
          if (killed.contains(field.substring(0, field.indexOf('|')))) {
            get(c.async().hdel(key, field));
          }
        }
      }
    }
    SortedMap<String, StoredKey> notHourly = new TreeMap<>(expected);
    notHourly.keySet().removeIf(k -> k.contains("hourly") || k.contains("minute"));
    SortedMap<String, StoredKey> view = new TreeMap<>(crsView(compact));
    view.keySet().removeIf(k -> k.contains("hourly") || k.contains("minute"));
    RedisStates.assertSameState(view, notHourly);
    assertSameAnswers(
        answers(compact, events),
        expectedAnswers,
        q ->
            !q.startsWith("minute")
                && !q.substring(q.lastIndexOf(' ') + 1).matches("\\d{4}-\\d{2}-\\d{2}:\\d{2}"));
  }

  @Test
  void aWriterSilentLongerThanItsLeaseContinuesUnderANewIdAndIsFoldedLater(RedisServer redis)
      throws Exception {
    SinkConfig compact = config(redis.uri(), "compact").build();
    CompactLayout layout = UsageLayouts.compact(compact);
    List<UsageEvent> events = workload(16, 600);
    ManualClock clock = new ManualClock(Instant.now().minus(Duration.ofHours(20)));
    try (RedisConnection c = RedisConnection.open(compact)) {
      CompactWriter w = PlanWriters.compact(c, layout, clock);
      writeInBatches(w, layout, events.subList(0, 300));
      java.util.Set<String> first = writerIds(c, layout);
      clock.advance(
          Duration.ofHours(7)); // silent past the 6-hour lease: the id must not be written again
      Map<String, String> before = get(c.async().hgetall(layout.totalsKey()));
      writeInBatches(w, layout, events.subList(300, 600));
      Map<String, String> after = get(c.async().hgetall(layout.totalsKey()));
      first.forEach(
          id ->
              before.forEach(
                  (f, v) -> {
                    if (f.startsWith(id + "|")) {
                      assertThat(after.get(f)).as(f).isEqualTo(v);
                    }
                  }));
      assertThat(writerIds(c, layout)).containsAll(first).hasSizeGreaterThan(first.size());
      clock.advance(
          Duration.ofHours(13)); // the first id's heartbeat is now 20 hours old, the second's 13
      CompactWriter live = PlanWriters.compact(c, layout, InstantSource.system());
      var b = io.usagesink.plan.UsagePlan.builder();
      layout.plan(io.usagesink.layout.UsageTally.of(events.get(0)), b);
      live.write(b.build(), "one").get(10, TimeUnit.SECONDS);
      live.close();
      assertThat(writerIds(c, layout))
          .as("only the live writer's id is left")
          .hasSize(1)
          .doesNotContainAnyElementsOf(first);
      w.close(); // its lease lapsed too: it writes nothing
      assertThat(writerIds(c, layout)).hasSize(1);
    }
    List<UsageEvent> all = new ArrayList<>(events);
    all.add(events.get(0));
    InMemoryRedis expected = new InMemoryRedis();
    all.forEach(e -> expected.apply(UsageLayouts.crs(compact).plan(e), null));
    RedisStates.assertSameState(crsView(compact), expected);
  }

  @Test
  void redisKilledMidRunAndRestartedWithAofIsExact(
      @io.usagesink.testkit.redis.junit.IsolatedRedis(
              persistence = io.usagesink.launcher.Persistence.AOF_ALWAYS)
          RedisServer redis)
      throws Exception {
    SinkConfig compact =
        config(redis.uri(), "compact").commandTimeout(Duration.ofMillis(500)).build();
    List<UsageEvent> events = workload(17, 12_000);
    InMemoryRedis expected = new InMemoryRedis();
    events.forEach(e -> expected.apply(UsageLayouts.crs(compact).plan(e), null));
    BufferedSink a = BufferedSink.builder(compact).build();
    BufferedSink b = BufferedSink.builder(compact).build();
    java.util.concurrent.CompletableFuture<Void> fault =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              pause(400);
              redis.kill(); // SIGKILL: what is not in the AOF is gone, and the writers must resend
              // it
              pause(1_200);
              redis.restart();
            });
    for (int i = 0; i < events.size(); i++) {
      (i % 2 == 0 ? a : b).record(events.get(i));
      if (i % 200 == 199) {
        Thread.sleep(15);
      }
    }
    fault.get(60, TimeUnit.SECONDS);
    a.close();
    b.close();
    assertThat(a.stats().failed() + b.stats().failed()).isZero();
    assertThat(a.stats().stored() + b.stats().stored()).isEqualTo(events.size());
    assertThat(a.stats().retries() + b.stats().retries())
        .as("writes retried while Redis was down")
        .isPositive();
    SinkConfig reader = compact.toBuilder().commandTimeout(Duration.ofSeconds(10)).build();
    RedisStates.assertSameState(crsView(reader), expected);
  }

  @Test
  void theReaderAppliesCrsWindowsWhereTheCompactLayoutKeepsDataLonger(RedisServer redis)
      throws Exception {
    Instant at = Instant.parse("2025-12-30T10:20:30Z");
    UsageEvent e =
        UsageEvent.builder()
            .at(at)
            .keyId("k")
            .accountId("a")
            .model("claude-sonnet-4-20250514")
            .inputTokens(10)
            .outputTokens(5)
            .build();
    SinkConfig compact = config(redis.uri(), "compact").build();
    BufferedSink sink = BufferedSink.builder(compact).build();
    sink.record(e);
    sink.close();
    UsagePeriod hour = UsagePeriod.hourOf(at, ZONE);
    UsagePeriod day = UsagePeriod.dayOf(at, ZONE);
    UsagePeriod month = UsagePeriod.monthOf(at, ZONE);
    Instant minuteEnd = Instant.parse("2025-12-30T10:21:00Z");
    Instant hourEnd = Instant.parse("2025-12-30T11:00:00Z");
    Instant dayEnd = Instant.parse("2025-12-30T16:00:00Z"); // midnight at +08:00
    Instant monthEnd = Instant.parse("2025-12-31T16:00:00Z");
    assertThat(readAt(compact, minuteEnd.plus(Duration.ofMinutes(9)), r -> r.minute(at).requests()))
        .isEqualTo(1);
    assertThat(
            readAt(compact, minuteEnd.plus(Duration.ofMinutes(11)), r -> r.minute(at).requests()))
        .isZero();
    assertThat(
            readAt(
                compact,
                hourEnd.plus(Duration.ofDays(7)).minusSeconds(60),
                r -> r.key("k", hour).requests()))
        .isEqualTo(1);
    assertThat(
            readAt(
                compact,
                hourEnd.plus(Duration.ofDays(7)).plusSeconds(60),
                r -> r.key("k", hour).requests()))
        .as("the hour bucket is still stored, but CRS's hourly key would have expired")
        .isZero();
    assertThat(
            readAt(
                compact,
                dayEnd.plus(Duration.ofDays(32)).minusSeconds(60),
                r -> r.key("k", day).requests()))
        .isEqualTo(1);
    assertThat(
            readAt(
                compact,
                dayEnd.plus(Duration.ofDays(32)).plusSeconds(60),
                r -> r.key("k", day).requests()))
        .isZero();
    assertThat(
            readAt(
                compact,
                monthEnd.plus(Duration.ofDays(365)).minusSeconds(60),
                r -> r.account("a", month).requests()))
        .isEqualTo(1);
    assertThat(
            readAt(
                compact,
                monthEnd.plus(Duration.ofDays(365)).plusSeconds(60),
                r -> r.account("a", month).requests()))
        .isZero();
    assertThat(
            readAt(
                compact,
                monthEnd.plus(Duration.ofDays(3650)),
                r -> r.key("k", UsagePeriod.allTime()).requests()))
        .as("totals never expire")
        .isEqualTo(1);
  }

  private static long readAt(
      SinkConfig config, Instant now, java.util.function.ToLongFunction<UsageReader> query) {
    SinkConfig at = config.toBuilder().clock(InstantSource.fixed(now)).build();
    try (RedisConnection c = RedisConnection.open(at)) {
      return query.applyAsLong(UsageReader.of(c, at));
    }
  }

  // ---- helpers ----

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code events} with {@code w} in plans of 100 events, as a flush worker would. */
  private static void writeInBatches(CompactWriter w, CompactLayout layout, List<UsageEvent> events)
      throws Exception {
    for (int from = 0; from < events.size(); from += 100) {
      var b = io.usagesink.plan.UsagePlan.builder();
      for (UsageEvent e : events.subList(from, Math.min(events.size(), from + 100))) {
        layout.plan(io.usagesink.layout.UsageTally.of(e), b);
      }
      w.write(b.build(), "batch-" + from).get(10, TimeUnit.SECONDS);
    }
  }

  private static <T> T get(java.util.concurrent.Future<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The writer ids with a watermark in the totals hash. */
  private static java.util.Set<String> writerIds(RedisConnection c, CompactLayout layout) {
    java.util.Set<String> ids = new TreeSet<>();
    get(c.async().hkeys(layout.totalsKey()))
        .forEach(
            f -> {
              if (f.endsWith("|@")) {
                ids.add(f.substring(0, f.length() - 2));
              }
            });
    return ids;
  }

  private static void assertSameAnswers(
      Map<String, UsageCounts> actual,
      Map<String, UsageCounts> expected,
      java.util.function.Predicate<String> which) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String q : expected.keySet()) {
      if (which.test(q)) {
        assertThat(actual.get(q)).as(q).isEqualTo(expected.get(q));
      }
    }
  }

  /** The random workload with odd ids (separators, percent signs) mixed in. */
  private static List<UsageEvent> workload(long seed, int n) {
    List<UsageEvent> events = new ArrayList<>();
    for (UsageEvent e : Workloads.random(seed, n, FROM, Duration.ofDays(3))) {
      String key = "k0".equals(e.keyId()) ? "team|%7C:alpha" : e.keyId();
      events.add(
          UsageEvent.builder()
              .at(e.at())
              .keyId(key)
              .accountId(e.accountId())
              .model(e.model())
              .inputTokens(e.inputTokens())
              .outputTokens(e.outputTokens())
              .cacheCreateTokens(e.cacheCreateTokens())
              .cacheReadTokens(e.cacheReadTokens())
              .ephemeral5mTokens(e.ephemeral5mTokens())
              .ephemeral1hTokens(e.ephemeral1hTokens())
              .longContext(e.longContext())
              .build());
    }
    return events;
  }

  private static SortedMap<String, StoredKey> crsView(SinkConfig config) {
    try (RedisConnection c = RedisConnection.open(config)) {
      return States.fromReader(UsageReader.of(c, config).crsView());
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
  private static void assertEquivalent(
      SinkConfig crs, SinkConfig compact, List<UsageEvent> events, Runnable flushAll)
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

  /**
   * Every reader query over the ids, models and periods of {@code events}, by description, read at
   * the time of the last event (the compact reader applies CRS's windows on that clock); the minute
   * queries are the minutes of the last 9 minutes' events, inside CRS's 10-minute window.
   */
  private static Map<String, UsageCounts> answers(SinkConfig config, List<UsageEvent> events) {
    Instant end = events.stream().map(UsageEvent::at).max(Instant::compareTo).orElseThrow();
    config = config.toBuilder().clock(InstantSource.fixed(end)).build();
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
      if (!e.at().isBefore(end.minus(Duration.ofMinutes(9)))) {
        minutes.add(e.at());
      }
      for (UsagePeriod p :
          List.of(
              UsagePeriod.monthOf(e.at(), ZONE),
              UsagePeriod.dayOf(e.at(), ZONE),
              UsagePeriod.hourOf(e.at(), ZONE))) {
        if (seen.add(p.toString())) {
          periods.add(p);
        }
      }
    }
    periods.add(
        UsagePeriod.day(LocalDate.of(2024, 1, 1))); // nothing there (and outside CRS's windows)
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
