package io.usagesink.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.usagesink.cli.compare.Comparison;
import io.usagesink.cli.compare.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --json} document of {@code compare}:
 *
 * <pre>{"redis": {"mode": "embedded|external", "version": "...", "cluster": false},
 *  "results": [{"backend": "...", "label": "buffered (compact, 60s)", "layout": "crs|compact|none",
 *    "workload": "...", "events": N, "clientCommandsPerEvent": x,
 *    "scriptCommandsPerEvent": x, "serverCommandsPerEvent": x, "roundTripsPerEvent": x,
 *    "eventsPerSecond": x, "sustainedEventsPerSecond": x, "recordLatencyMicros": {"p50": x, "p99": x, "max": x},
 *    "stateMatchesPipeline": true, "keys": N,
 *    "projectedPerDay": {"billedCommands": x, "usdPerMonth": x, "fitsFreeTier": true}}],
 *  "scenario": {...}}</pre>
 *
 * {@code projectedPerDay} is present for {@code seed-day} only; {@code settings} (writer, flush
 * interval, frugal options) for backends that have them; {@code layout} is {@code none} for noop;
 * {@code sustainedEventsPerSecond} is {@code null} when the sustained phase did not run. {@code
 * stateMatchesPipeline} says whether the final state equals the expected state computed from the
 * events without any backend (what an exact pipeline run stores; see {@link Comparison}). {@code
 * scenario} carries the projection's assumptions (including the free tier) and the originating
 * note's figures. Each number is rounded as its {@link Column} says: per-event figures to 3
 * decimals, latencies 2, events/s 1, USD 2, commands a day 0.
 */
public final class JsonFormat {
  private JsonFormat() {}

  public static String render(CompareReport report) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> redis = new LinkedHashMap<>();
    redis.put("mode", report.redis().mode());
    redis.put("version", report.redis().version());
    redis.put("cluster", report.redis().cluster());
    root.put("redis", redis);
    List<Object> results = new ArrayList<>();
    for (RunResult r : report.results()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("backend", r.backend().name());
      m.put("label", r.backend().label());
      m.put("layout", r.backend().layoutShown());
      if (!r.backend().settings().isEmpty()) {
        m.put("settings", r.backend().settings());
      }
      m.put("workload", r.workload());
      m.put(Column.EVENTS.jsonName(), r.events());
      for (Column c :
          List.of(
              Column.CLIENT_COMMANDS,
              Column.SCRIPT_COMMANDS,
              Column.BILLED_COMMANDS,
              Column.ROUND_TRIPS,
              Column.EVENTS_PER_SECOND,
              Column.SUSTAINED_EVENTS_PER_SECOND)) {
        m.put(c.jsonName(), c.json(r));
      }
      Map<String, Object> latency = new LinkedHashMap<>();
      for (Column c : List.of(Column.P50_MICROS, Column.P99_MICROS, Column.MAX_MICROS)) {
        latency.put(c.jsonName(), c.json(r));
      }
      m.put("recordLatencyMicros", latency);
      m.put("stateMatchesPipeline", r.stateMatchesPipeline());
      m.put("keys", r.keys());
      if (r.projection() != null) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(Column.BILLED_PER_DAY.jsonName(), Column.BILLED_PER_DAY.json(r));
        p.put(Column.USD_PER_MONTH.jsonName(), Column.USD_PER_MONTH.json(r));
        p.put("fitsFreeTier", r.projection().fitsFreeTier());
        m.put("projectedPerDay", p);
      }
      if (!r.problems().isEmpty()) {
        m.put("problems", r.problems());
      }
      if (!r.stateDifferences().isEmpty()) {
        m.put("stateDifferences", r.stateDifferences());
      }
      results.add(m);
    }
    root.put("results", results);
    Map<String, Object> scenario = new LinkedHashMap<>();
    scenario.put("statistics", report.statistics());
    scenario.put("requestsPerDay", RunResult.SCENARIO_REQUESTS_PER_DAY);
    scenario.put("usdPer100kCommands", RunResult.USD_PER_100K_COMMANDS);
    scenario.put("daysPerMonth", RunResult.DAYS_PER_MONTH);
    scenario.put("freeTierCommandsPerMonth", RunResult.FREE_TIER_COMMANDS_PER_MONTH);
    List<Object> note = new ArrayList<>();
    for (RunResult.NoteFigure f : RunResult.NOTE_FIGURES) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("label", f.label());
      n.put("billedCommandsPerDay", Column.BILLED_PER_DAY.json(f.commandsPerDay()));
      n.put(
          Column.USD_PER_MONTH.jsonName(), Column.USD_PER_MONTH.json(f.projection().usdPerMonth()));
      note.add(n);
    }
    scenario.put("noteFigures", note);
    root.put("scenario", scenario);
    try {
      return Json.PRETTY.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the comparison as JSON", e);
    }
  }
}
