package io.usagesink.cli.report;

import io.usagesink.cli.compare.BackendSpec;
import io.usagesink.cli.compare.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The aligned text table {@code compare} prints on stdout: one row per backend per workload, then
 * the seed-day projection beside the originating note's figures, then a legend.
 */
public final class TableFormat {
  private TableFormat() {}

  public static String render(CompareReport report) {
    StringBuilder sb = new StringBuilder();
    CompareReport.RedisInfo redis = report.redis();
    sb.append("Redis ")
        .append(redis.version())
        .append(redis.cluster() ? " cluster" : "")
        .append(" (")
        .append(redis.mode())
        .append(": ")
        .append(redis.where())
        .append("); statistics: ")
        .append(report.statistics())
        .append('\n');
    report
        .workloads()
        .forEach(
            (name, description) -> sb.append(name).append(": ").append(description).append('\n'));
    sb.append('\n');

    List<String[]> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("workload", "backend"));
    Column.MEASURED.forEach(c -> header.add(c.header()));
    header.add("state = expected");
    rows.add(header.toArray(String[]::new));
    for (RunResult r : report.results()) {
      List<String> row = new ArrayList<>(List.of(r.workload(), r.backend().label()));
      Column.MEASURED.forEach(c -> row.add(c.text(r)));
      row.add(state(r));
      rows.add(row.toArray(String[]::new));
    }
    boolean[] left = new boolean[header.size()];
    left[0] = true;
    left[1] = true;
    left[left.length - 1] = true;
    table(sb, rows, left);

    List<RunResult> seedDay = report.resultsOf("seed-day");
    if (!seedDay.isEmpty()) {
      sb.append('\n')
          .append(
              String.format(
                  Locale.ROOT,
                  "Seed-day projection: %,d requests/day, %.2f USD per 100,000 billed commands,"
                      + " %d-day month, free tier %,d commands/month%n",
                  RunResult.SCENARIO_REQUESTS_PER_DAY,
                  RunResult.USD_PER_100K_COMMANDS,
                  RunResult.DAYS_PER_MONTH,
                  RunResult.FREE_TIER_COMMANDS_PER_MONTH));
      List<String[]> p = new ArrayList<>();
      p.add(
          new String[] {
            "",
            "layout",
            Column.BILLED_PER_DAY.header(),
            Column.USD_PER_MONTH.header(),
            "fits free tier",
            "every statistic"
          });
      for (RunResult r : seedDay) {
        p.add(
            new String[] {
              r.backend().label(),
              r.backend().layoutShown(),
              Column.BILLED_PER_DAY.text(r),
              Column.USD_PER_MONTH.text(r),
              r.projection().fitsFreeTier() ? "yes" : "no",
              state(r)
            });
      }
      for (RunResult.NoteFigure f : RunResult.NOTE_FIGURES) {
        p.add(
            new String[] {
              f.label(),
              "",
              Column.BILLED_PER_DAY.text(f.commandsPerDay()),
              Column.USD_PER_MONTH.text(f.projection().usdPerMonth()),
              f.projection().fitsFreeTier() ? "yes" : "no",
              ""
            });
      }
      table(sb, p, new boolean[] {true, true, false, false, false, true});
    }

    List<String> notes = report.problems(" / ");
    if (!notes.isEmpty()) {
      sb.append('\n');
      notes.forEach(n -> sb.append("! ").append(n).append('\n'));
    }
    sb.append('\n')
        .append(
            "client cmd: commands the client sent; in scripts: commands Redis ran inside Lua"
                + " scripts;\n")
        .append(
            "billed = client + in scripts (how per-command-billed Redis services count); from INFO"
                + " commandstats.\n")
        .append(
            "round trips from the sink's own stats; latency is the record() call itself; "
                + "events/s includes close().\n")
        .append(
            "sustained ev/s: each backend alone for a fixed time on the system clock, until close()"
                + " returned.\n")
        .append(
            "state = expected: the final state equals the CRS state computed from the events"
                + " without any backend\n")
        .append(
            "(compact: its CRS view; frugal: without the zero fields it skips; TTLs within the run"
                + " + 30 s).\n");
    return sb.toString();
  }

  private static String state(RunResult r) {
    if (r.stateMatchesPipeline() == null) {
      return "n/a";
    }
    if (r.backend().name().equals(BackendSpec.NOOP) && !r.stateMatchesPipeline()) {
      return "no (stores nothing)";
    }
    return r.stateMatchesPipeline() ? "yes" : "NO";
  }

  /** Appends rows, each column left-aligned where {@code left} says so, else right-aligned. */
  private static void table(StringBuilder sb, List<String[]> rows, boolean[] left) {
    int cols = rows.get(0).length;
    int[] w = new int[cols];
    for (String[] row : rows) {
      for (int i = 0; i < cols; i++) {
        w[i] = Math.max(w[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        if (i > 0) {
          line.append("  ");
        }
        String cell = row[i];
        String pad = " ".repeat(w[i] - cell.length());
        line.append(left[i] ? cell + pad : pad + cell);
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
