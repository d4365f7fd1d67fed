package io.usagesink.layout;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import io.usagesink.layout.CompactLayout.Cell;
import io.usagesink.layout.CompactLayout.KeyKind;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The CRS view of compact-layout hashes: exactly the keys, fields and values the CRS layout ({@link
 * UsageLayouts#crs}) holds for the same events, computed by planning the stored cells with the CRS
 * tables themselves, one granularity at a time (hour keys from bucket cells, day and month keys
 * from folded day cells plus open buckets, totals from folded totals plus open buckets, minute keys
 * from minute cells). Immutable and thread-safe; pure computation.
 *
 * <p>TTLs in the view are the TTL the CRS layout gives a key when it writes it (for example 2764800
 * for a daily key, -1 for totals): the view does not simulate expiry; it shows every bucket the
 * compact layout still stores.
 */
public final class CompactView {

  private final CompactLayout layout;
  private final TableLayout hours;
  private final TableLayout daysAndMonths;
  private final TableLayout totals;
  private final TableLayout minutes;

  /**
   * The view of {@code layout}'s data; the CRS tables are planned with its zone, window and policy.
   */
  public CompactView(CompactLayout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    ZoneBuckets zb = new ZoneBuckets(layout.zone());
    StatsPolicy p = layout.policy();
    LayoutTable crs = CrsTables.REFERENCE_2025;
    this.hours =
        new TableLayout(
            crs.filter("hours", t -> t.uses(Placeholder.HOUR)), zb, layout.metricsWindow(), p);
    this.daysAndMonths =
        new TableLayout(
            crs.filter(
                "days",
                t ->
                    !t.uses(Placeholder.HOUR)
                        && !t.uses(Placeholder.MINUTE)
                        && (t.uses(Placeholder.DAY) || t.uses(Placeholder.MONTH))),
            zb,
            layout.metricsWindow(),
            p);
    this.totals =
        new TableLayout(
            crs.filter(
                "totals",
                t ->
                    !t.uses(Placeholder.HOUR)
                        && !t.uses(Placeholder.MINUTE)
                        && !t.uses(Placeholder.DAY)
                        && !t.uses(Placeholder.MONTH)),
            zb,
            layout.metricsWindow(),
            p);
    this.minutes =
        new TableLayout(
            crs.filter("minutes", t -> t.uses(Placeholder.MINUTE)), zb, layout.metricsWindow(), p);
  }

  /**
   * The CRS hashes: for each CRS key its fields, and its TTL ({@code -1}: none).
   *
   * @param hashes hash fields by CRS key name
   * @param ttls TTL by CRS key name (-1 when the key never expires)
   */
  public record CrsHashes(
      SortedMap<String, SortedMap<String, Long>> hashes, Map<String, Long> ttls) {
    /** Makes unmodifiable copies. */
    public CrsHashes {
      hashes = Collections.unmodifiableSortedMap(new TreeMap<>(hashes));
      ttls = Map.copyOf(ttls);
    }
  }

  /**
   * Computes the CRS view of {@code raw}: every compact hash read from Redis (key to fields); keys
   * that are not the layout's are ignored. Give every hash that matters for the keys you want: a
   * bucket hash for its hour and minute keys; a month hash and the buckets of its open writers for
   * its days and month; the totals hash and the buckets of its open writers for the totals.
   *
   * @param subject keeps only cells whose subject passes ({@code k|<keyId>} / {@code a|<accountId>}
   *     before escaping is undone, i.e. {@code kind + "|" + id}; minute cells always pass)
   * @throws IllegalArgumentException when a field of a compact hash is malformed
   */
  public CrsHashes crs(Map<String, Map<String, String>> raw, Predicate<String> subject) {
    Map<String, Map<String, String>> buckets = new HashMap<>();
    Map<String, Map<String, String>> months = new HashMap<>();
    Map<String, String> totalsHash = null;
    for (Map.Entry<String, Map<String, String>> e : raw.entrySet()) {
      KeyKind kind = layout.kind(e.getKey());
      if (kind == KeyKind.BUCKET) {
        buckets.put(layout.label(e.getKey()), e.getValue());
      } else if (kind == KeyKind.MONTH) {
        months.put(layout.label(e.getKey()), e.getValue());
      } else if (kind == KeyKind.TOTALS) {
        totalsHash = e.getValue();
      }
    }
    UsagePlan.Builder plan = UsagePlan.builder(256);
    for (Map.Entry<String, Map<String, String>> b : buckets.entrySet()) {
      Instant at = layout.labelStart(b.getKey());
      for (Map.Entry<String, String> f : b.getValue().entrySet()) {
        String[] parts = f.getKey().split("\\|", -1);
        Cell c = Cell.parse(parts, 1);
        if (c == null) {
          continue;
        }
        long[] v = CompactLayout.decode(f.getValue());
        if (c.kind() == 'm') {
          minutes.plan(
              tally(Instant.ofEpochSecond(c.minute() * 60), new Cell('k', "-", "", 0), v), plan);
        } else if (subject.test(c.kind() + "|" + c.subject())) {
          hours.plan(tally(at, c, v), plan);
        }
      }
    }
    for (Map.Entry<String, Map<String, String>> m : months.entrySet()) {
      String month = m.getKey();
      for (Map.Entry<String, String> f : m.getValue().entrySet()) {
        String[] parts = f.getKey().split("\\|", -1);
        if (parts.length == 2 && parts[1].equals("@")) {
          String w = CompactLayout.watermarkBucket(f.getValue());
          if (!w.equals(CompactLayout.FINAL) && CompactLayout.monthOf(w).equals(month)) {
            addOpen(buckets.get(w), parts[0], w, daysAndMonths, plan, subject);
          }
          continue;
        }
        Cell c = Cell.parse(parts, 1);
        if (c == null
            || c.kind() == 'm'
            || parts.length < 5
            || !subject.test(c.kind() + "|" + c.subject())) {
          continue;
        }
        Instant at = layout.labelStart(month + "-" + parts[4]);
        daysAndMonths.plan(tally(at, c, CompactLayout.decode(f.getValue())), plan);
      }
    }
    if (totalsHash != null) {
      for (Map.Entry<String, String> f : totalsHash.entrySet()) {
        String[] parts = f.getKey().split("\\|", -1);
        if (parts.length == 2 && parts[1].equals("@")) {
          String w = CompactLayout.watermarkBucket(f.getValue());
          if (!w.equals(CompactLayout.FINAL)) {
            addOpen(buckets.get(w), parts[0], w, totals, plan, subject);
          }
          continue;
        }
        Cell c = Cell.parse(parts, 1);
        if (c == null || c.kind() == 'm' || !subject.test(c.kind() + "|" + c.subject())) {
          continue;
        }
        totals.plan(tally(Instant.EPOCH, c, CompactLayout.decode(f.getValue())), plan);
      }
    }
    UsagePlan p = plan.build();
    TreeMap<String, SortedMap<String, Long>> hashes = new TreeMap<>();
    for (CounterDelta d : p.counters()) {
      hashes.computeIfAbsent(d.key(), k -> new TreeMap<>()).put(d.field(), d.delta());
    }
    Map<String, Long> ttls = new LinkedHashMap<>();
    hashes.keySet().forEach(k -> ttls.put(k, -1L));
    for (Expiry e : p.expiries()) {
      ttls.put(e.key(), e.ttlSeconds());
    }
    return new CrsHashes(hashes, ttls);
  }

  /** The CRS view of every cell of {@code raw}. */
  public CrsHashes crs(Map<String, Map<String, String>> raw) {
    return crs(raw, s -> true);
  }

  /** Plans writer {@code id}'s cells of the open bucket {@code label} with {@code table}. */
  private void addOpen(
      Map<String, String> bucket,
      String id,
      String label,
      TableLayout table,
      UsagePlan.Builder plan,
      Predicate<String> subject) {
    if (bucket == null) {
      return; // not read (or expired): the caller did not ask for it
    }
    Instant at = layout.labelStart(label);
    String idPrefix = id + "|";
    for (Map.Entry<String, String> f : bucket.entrySet()) {
      if (!f.getKey().startsWith(idPrefix)) {
        continue;
      }
      Cell c = Cell.parse(f.getKey().split("\\|", -1), 1);
      if (c != null && c.kind() != 'm' && subject.test(c.kind() + "|" + c.subject())) {
        table.plan(tally(at, c, CompactLayout.decode(f.getValue())), plan);
      }
    }
  }

  private static UsageTally tally(Instant at, Cell c, long[] v) {
    String model = c.model() == null || c.model().isEmpty() ? UsageEvent.UNKNOWN_MODEL : c.model();
    long[] cells = new long[Measure.TALLIED];
    for (int i = 0; i < CompactLayout.MEASURES; i++) {
      cells[CompactLayout.VECTOR.get(i).ordinal()] = v[i];
    }
    return UsageTally.of(
        at,
        c.kind() == 'k' ? c.subject() : null,
        c.kind() == 'a' ? c.subject() : null,
        model,
        cells);
  }
}
