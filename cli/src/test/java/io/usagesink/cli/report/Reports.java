package io.usagesink.cli.report;

import io.usagesink.cli.compare.BackendSpec;
import io.usagesink.cli.compare.RunResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A synthetic comparison for report tests: realistic numbers, no Redis. */
final class Reports {
  private Reports() {}

  static final List<BackendSpec> BACKENDS =
      List.of(
          BackendSpec.plain("redis-pipeline"),
          BackendSpec.plain("redis-lua"),
          BackendSpec.plain("redis-lua").frugal(Duration.ofHours(1)),
          new BackendSpec("buffered", "lua", Duration.ofSeconds(1)),
          new BackendSpec("buffered", "lua", Duration.ofSeconds(60)),
          new BackendSpec("buffered", "lua", Duration.ofSeconds(60)).frugal(Duration.ofHours(1)),
          BackendSpec.compact(Duration.ofSeconds(1)),
          BackendSpec.compact(Duration.ofSeconds(60)),
          BackendSpec.plain("noop"));

  static final int NOOP = 8;

  static CompareReport sample() {
    List<RunResult> results = new ArrayList<>();
    double[][] seed = {
      // client, scripts, round trips, events/s, p50, p99, max
      {148, 0, 1, 4_321.5, 3.21, 48.7, 1_234.5},
      {1.0003, 149.0, 1, 9_876.4, 2.5, 31.25, 987.0},
      {1.0003, 61.0, 1, 9_912.4, 2.5, 31.5, 990.0},
      {0.98, 140.5, 0.98, 51_234.0, 0.41, 2.9, 310.0},
      {0.51, 96.25, 0.51, 61_234.0, 0.38, 2.7, 290.0},
      {0.51, 38.5, 0.51, 61_734.0, 0.38, 2.7, 295.0},
      {1.25, 0, 0.98, 71_234.0, 0.39, 2.8, 301.0},
      {0.37, 0, 0.36, 72_345.0, 0.37, 2.6, 281.0},
      {0, 0, 0, 21_000_000, 0.04, 0.09, 12.0}
    };
    for (int i = 0; i < BACKENDS.size(); i++) {
      results.add(
          result(
              "seed-day",
              BACKENDS.get(i),
              3000,
              seed[i],
              i == NOOP ? Boolean.FALSE : Boolean.TRUE,
              true));
    }
    for (int i = 0; i < BACKENDS.size(); i++) {
      double[] b = seed[i].clone();
      b[3] = b[3] * 3;
      results.add(
          result(
              "busy", BACKENDS.get(i), 40_000, b, i == NOOP ? Boolean.FALSE : Boolean.TRUE, false));
    }
    Map<String, String> workloads = new LinkedHashMap<>();
    workloads.put("seed-day", "3,000 requests over one simulated day <& \"quoted\">");
    workloads.put("busy", "as many as possible in 10s");
    return new CompareReport(
        new CompareReport.RedisInfo(
            "embedded",
            "7.0.15",
            false,
            "redis-server started on a free port, redis://127.0.0.1:40001"),
        CompareReport.describe(io.usagesink.layout.StatsPolicy.ALL),
        workloads,
        results,
        Instant.parse("2025-08-15T10:00:00Z"),
        CompareReport.thisMachine());
  }

  private static RunResult result(
      String workload,
      BackendSpec spec,
      long events,
      double[] v,
      Boolean matches,
      boolean projection) {
    double billed = v[0] + v[1];
    return new RunResult(
        workload,
        spec,
        events,
        v[0],
        v[1],
        billed,
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        matches,
        projection ? RunResult.Projection.ofPerEvent(billed) : null,
        120,
        1.5,
        List.of(),
        List.of(),
        Map.of(),
        v[3] * 7 + 0.25); // the sustained phase's events/s
  }
}
