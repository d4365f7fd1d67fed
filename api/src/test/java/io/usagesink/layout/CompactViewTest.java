package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.CompactView.CrsHashes;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The CRS view of compact hashes equals what the CRS layout books for the same events, whether a
 * writer's cells are still open in its watermark bucket, folded into month and totals hashes, or
 * folded for good. The compact hashes are built here by a small model of a writer (absolute vectors
 * per cell, folding every bucket before the watermark); the expectation is the CRS layout's plans.
 */
class CompactViewTest {

  static final ZoneOffset ZONE = ZoneOffset.ofHours(8);
  static final String M = "claude-sonnet-4-20250514";

  static SinkConfig config(StatsPolicy policy) {
    return SinkConfig.builder()
        .zone(ZONE)
        .metricsWindow(Duration.ofMinutes(5))
        .properties(policy.switches())
        .build();
  }

  static UsageEvent event(String at, String keyId, String accountId, long in, boolean longContext) {
    return UsageEvent.builder()
        .at(Instant.parse(at))
        .keyId(keyId)
        .accountId(accountId)
        .model(M)
        .inputTokens(in)
        .outputTokens(in / 10)
        .cacheCreateTokens(in * 3)
        .cacheReadTokens(in * 4)
        .ephemeral5mTokens(in * 2)
        .ephemeral1hTokens(in)
        .longContext(longContext)
        .build();
  }

  /** Events over two months and several hours (at +08:00), with odd ids and both subjects. */
  static final List<UsageEvent> EVENTS =
      List.of(
          event("2025-07-31T15:20:00Z", "k1", "a1", 100, false), // 2025-07-31:23
          event("2025-07-31T16:05:00Z", "k1", null, 200, true), // 2025-08-01:00
          event("2025-08-01T02:00:00Z", "k|2%", "a1", 300, false), // 2025-08-01:10
          event("2025-08-01T02:30:00Z", null, "a|2", 400, true), // 2025-08-01:10
          event("2025-08-15T03:10:00Z", "k1", "a1", 500, false), // 2025-08-15:11
          event("2025-08-15T03:59:59Z", "k1", "a|2", 600, true)); // 2025-08-15:11

  /**
   * A model of one compact writer: its cells, folded before its watermark (or all of them once
   * closed).
   */
  static Map<String, Map<String, String>> write(
      CompactLayout layout, String id, List<UsageEvent> events, boolean closed) {
    TreeMap<String, Map<String, long[]>> buckets = new TreeMap<>();
    for (UsageEvent e : events) {
      for (CounterDelta c : layout.plan(e).counters()) {
        int hash = c.field().lastIndexOf('#');
        buckets.computeIfAbsent(layout.label(c.key()), k -> new TreeMap<>())
                .computeIfAbsent(
                    c.field().substring(0, hash), k -> new long[CompactLayout.MEASURES])[
                Integer.parseInt(c.field().substring(hash + 1))] +=
            c.delta();
      }
    }
    Map<String, Map<String, long[]>> vectors = new TreeMap<>();
    String watermark = buckets.lastKey();
    TreeSet<String> months = new TreeSet<>(List.of(CompactLayout.monthOf(watermark)));
    buckets.forEach(
        (label, cells) ->
            cells.forEach(
                (cell, v) -> {
                  vectors
                      .computeIfAbsent(layout.bucketKey(label), k -> new TreeMap<>())
                      .put(id + "|" + cell, v);
                  if ((closed || label.compareTo(watermark) < 0) && !cell.startsWith("m|")) {
                    String month = CompactLayout.monthOf(label);
                    months.add(month);
                    add(
                        vectors,
                        layout.monthKey(month),
                        id + "|" + cell + "|" + CompactLayout.dayOfMonth(label),
                        v);
                    add(
                        vectors,
                        layout.totalsKey(),
                        id + "|" + cell.substring(0, cell.indexOf('|', 2)),
                        v);
                  }
                }));
    Map<String, Map<String, String>> raw = new HashMap<>();
    vectors.forEach(
        (key, cells) ->
            cells.forEach(
                (cell, v) ->
                    raw.computeIfAbsent(key, k -> new HashMap<>())
                        .put(cell, CompactLayout.encode(v))));
    String mark = (closed ? CompactLayout.FINAL : watermark) + " 1755227400";
    raw.computeIfAbsent(layout.totalsKey(), k -> new HashMap<>()).put(id + "|@", mark);
    months.forEach(
        m -> raw.computeIfAbsent(layout.monthKey(m), k -> new HashMap<>()).put(id + "|@", mark));
    return raw;
  }

  private static void add(
      Map<String, Map<String, long[]>> into, String key, String cell, long[] v) {
    long[] sum =
        into.computeIfAbsent(key, k -> new TreeMap<>())
            .computeIfAbsent(cell, k -> new long[v.length]);
    CompactLayout.addInto(sum, v);
  }

  static Map<String, Map<String, String>> merge(List<Map<String, Map<String, String>>> writers) {
    Map<String, Map<String, String>> raw = new HashMap<>();
    writers.forEach(
        w ->
            w.forEach(
                (key, fields) -> raw.computeIfAbsent(key, k -> new HashMap<>()).putAll(fields)));
    return raw;
  }

  /** What the CRS layout holds after {@code events}: hashes, and TTLs (-1 for keys without). */
  static CrsHashes crs(StatsPolicy policy, List<UsageEvent> events) {
    UsageLayout crs = UsageLayouts.crs(config(policy));
    UsagePlan.Builder b = UsagePlan.builder();
    events.forEach(e -> b.addAll(crs.plan(e)));
    UsagePlan plan = b.build();
    SortedMap<String, SortedMap<String, Long>> hashes = new TreeMap<>();
    Map<String, Long> ttls = new HashMap<>();
    for (CounterDelta c : plan.counters()) {
      hashes.computeIfAbsent(c.key(), k -> new TreeMap<>()).put(c.field(), c.delta());
      ttls.putIfAbsent(c.key(), -1L);
    }
    for (Expiry e : plan.expiries()) {
      ttls.put(e.key(), e.ttlSeconds());
    }
    return new CrsHashes(hashes, ttls);
  }

  static void assertSameView(CrsHashes actual, CrsHashes expected) {
    assertThat(actual.hashes()).isEqualTo(expected.hashes());
    assertThat(actual.ttls()).isEqualTo(expected.ttls());
  }

  @Test
  void openAndFoldedCellsOfOneWriterShowEveryCrsKey() {
    CompactLayout layout = UsageLayouts.compact(config(StatsPolicy.ALL));
    Map<String, Map<String, String>> raw = write(layout, "w1", EVENTS, false);
    assertThat(raw.get(layout.monthKey("2025-07")))
        .containsEntry("w1|@", "2025-08-15:11 1755227400");
    assertSameView(new CompactView(layout).crs(raw), crs(StatsPolicy.ALL, EVENTS));
  }

  @Test
  void aClosedWriterAndWritersSharingHashesAddUp() {
    CompactLayout layout = UsageLayouts.compact(config(StatsPolicy.ALL));
    Map<String, Map<String, String>> raw =
        merge(
            List.of(
                write(layout, "w1", EVENTS.subList(0, 3), true),
                write(layout, "w2", EVENTS.subList(3, 5), false),
                write(layout, "w3", EVENTS.subList(5, 6), false)));
    assertSameView(new CompactView(layout).crs(raw), crs(StatsPolicy.ALL, EVENTS));
  }

  @Test
  void eachPolicyGivesThatPolicysCrsKeys() {
    for (StatsPolicy policy :
        List.of(
            StatsPolicy.CORE,
            StatsPolicy.ALL.withDetailedCache(false),
            StatsPolicy.ALL.withModel(false),
            StatsPolicy.ALL.withHourly(false),
            StatsPolicy.ALL.withMinute(false))) {
      CompactLayout layout = UsageLayouts.compact(config(policy));
      Map<String, Map<String, String>> raw =
          merge(
              List.of(
                  write(layout, "w1", EVENTS.subList(0, 4), false),
                  write(layout, "w2", EVENTS.subList(4, 6), true)));
      assertSameView(new CompactView(layout).crs(raw), crs(policy, EVENTS));
    }
  }

  @Test
  void theSubjectFilterKeepsOnlyThatSubjectsKeys() {
    StatsPolicy policy = StatsPolicy.ALL.withMinute(false);
    CompactLayout layout = UsageLayouts.compact(config(policy));
    Map<String, Map<String, String>> raw = write(layout, "w1", EVENTS, false);
    List<UsageEvent> ofA2 = new ArrayList<>();
    for (UsageEvent e : EVENTS) {
      if ("a|2".equals(e.accountId())) {
        ofA2.add(e.toBuilder().keyId(null).build());
      }
    }
    assertSameView(new CompactView(layout).crs(raw, s -> s.equals("a|a|2")), crs(policy, ofA2));
  }

  @Test
  void anOpenBucketThatWasNotReadIsLeftOutAndOtherKeysAreIgnored() {
    StatsPolicy policy = StatsPolicy.ALL.withMinute(false).withHourly(false);
    CompactLayout layout = UsageLayouts.compact(config(policy));
    Map<String, Map<String, String>> raw = write(layout, "w1", EVENTS, false);
    raw.remove(layout.bucketKey("2025-08-15"));
    raw.put("usagesink:c:x", Map.of("w1|k|k1|m", "not a vector"));
    raw.put("usage:k1", Map.of("totalTokens", "5"));
    assertSameView(new CompactView(layout).crs(raw), crs(policy, EVENTS.subList(0, 4)));
  }

  @Test
  void fieldsThatAreNoCellAreSkipped() {
    CompactLayout layout = UsageLayouts.compact(config(StatsPolicy.ALL));
    Map<String, Map<String, String>> raw = write(layout, "w1", EVENTS, true);
    raw.get(layout.bucketKey("2025-08-15:11")).put("w1|x|y|z", "1");
    raw.get(layout.bucketKey("2025-08-15:11")).put("w1", "1");
    raw.get(layout.monthKey("2025-08")).put("w1|m|29253790|15", "1");
    raw.get(layout.monthKey("2025-08")).put("w1|k|k1|" + M, "1");
    raw.get(layout.totalsKey()).put("w1|m|29253790", "1");
    assertSameView(new CompactView(layout).crs(raw), crs(StatsPolicy.ALL, EVENTS));
  }

  @Test
  void aMalformedCellValueIsRejectedShowingIt() {
    CompactLayout layout = UsageLayouts.compact(config(StatsPolicy.ALL));
    Map<String, Map<String, String>> raw = Map.of(layout.totalsKey(), Map.of("w1|k|k1", "1,x"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CompactView(layout).crs(raw))
        .withMessage("not a compact cell value: \"1,x\"");
  }

  @Test
  void theViewIsUnmodifiable() {
    CompactLayout layout = UsageLayouts.compact(config(StatsPolicy.ALL));
    CrsHashes view = new CompactView(layout).crs(write(layout, "w1", EVENTS.subList(0, 1), false));
    assertThat(view.hashes()).containsKey("usage:k1");
    assertThatThrownBy(() -> view.hashes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> view.ttls().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
