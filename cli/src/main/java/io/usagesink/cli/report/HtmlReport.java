package io.usagesink.cli.report;

import com.google.common.base.Ascii;
import com.google.common.base.CharMatcher;
import com.google.common.html.HtmlEscapers;
import io.usagesink.cli.compare.BackendSpec;
import io.usagesink.cli.compare.RunResult;
import io.usagesink.cli.events.Recorder;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The self-contained HTML report of {@code compare}: no script, no fonts or images from the
 * network; charts are inline SVG drawn here. The page is well-formed XHTML (it parses as XML), fits
 * a 960 px column (charts scale down with the window through their {@code viewBox}) and has one
 * {@code <figure class="chart" data-metric="...">} per metric:
 *
 * <ul>
 *   <li>{@code billed-commands-per-event}: billed commands per request per backend and workload,
 *       log scale, beside the originating note's options;
 *   <li>{@code events-per-second}: throughput per workload and of each backend's sustained phase,
 *       log scale;
 *   <li>{@code record-latency}: {@code record()} p50 / p99 / max in microseconds, one range a run,
 *       log scale;
 *   <li>{@code monthly-cost}: the seed-day projection in USD per month beside the note's figures
 *       (only when seed-day ran).
 * </ul>
 *
 * Then a table of every number, and how they were measured.
 */
public final class HtmlReport {

  /** The metrics, as {@code data-metric} values (one chart each). */
  static final String BILLED = "billed-commands-per-event";

  static final String THROUGHPUT = "events-per-second";
  static final String LATENCY = "record-latency";
  static final String COST = "monthly-cost";

  private static final int WIDTH = 880;
  private static final int LABEL_WIDTH = 250;
  private static final int VALUE_WIDTH = 120;
  private static final int PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  private static final int ROW = 22;
  private static final int BAR = 15;
  private static final int GROUP_HEADER = 26;
  private static final int AXIS = 24;

  private HtmlReport() {}

  /** One bar: its label, value, the text shown beside it, and its colour class. */
  record Bar(String label, double value, String text, String css) {}

  /** A titled group of bars (one workload, or one backend's percentiles). */
  record Group(String title, List<Bar> bars) {}

  public static String render(CompareReport report) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>usagesink compare: what each backend costs</title>\n")
        .append("<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
    h.append("<h1>usagesink compare: what each backend costs</h1>\n");
    CompareReport.RedisInfo redis = report.redis();
    h.append("<p class=\"lead\">Measured ")
        .append(
            esc(
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                    .format(report.startedAt().atOffset(ZoneOffset.UTC))))
        .append(" against Redis ")
        .append(esc(redis.version()))
        .append(redis.cluster() ? " (cluster)" : "")
        .append(", ")
        .append(esc(redis.mode()))
        .append(": ")
        .append(esc(redis.where()))
        .append(". ")
        .append(esc(report.machine().getOrDefault("java", "")))
        .append(", ")
        .append(esc(report.machine().getOrDefault("processors", "?")))
        .append(" processors, ")
        .append(esc(report.machine().getOrDefault("os", "")))
        .append(". Statistics: ")
        .append(esc(report.statistics()))
        .append(".</p>\n");
    h.append("<ul class=\"workloads\">\n");
    report
        .workloads()
        .forEach(
            (name, d) ->
                h.append("<li><b>")
                    .append(esc(name))
                    .append("</b>: ")
                    .append(esc(d))
                    .append("</li>\n"));
    h.append("</ul>\n");
    summary(h, report);

    billedChart(h, report);
    throughputChart(h, report);
    latencyChart(h, report);
    costChart(h, report);
    numbersTable(h, report);
    method(h);
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, CompareReport report) {
    List<RunResult> seed = report.resultsOf("seed-day");
    if (seed.isEmpty()) {
      return;
    }
    RunResult best = null;
    int fitting = 0;
    for (RunResult r : seed) {
      boolean keepsAll = Boolean.TRUE.equals(r.stateMatchesPipeline());
      if (keepsAll
          && (best == null || r.serverCommandsPerEvent() < best.serverCommandsPerEvent())) {
        best = r;
      }
      if (keepsAll && r.projection().fitsFreeTier()) {
        fitting++;
      }
    }
    RunResult.NoteFigure today = RunResult.NOTE_FIGURES.get(0);
    h.append("<p class=\"summary\">");
    if (best != null) {
      h.append(
              "On the seed day, the cheapest option that stores <em>every</em> statistic (its state"
                  + " equals the expected one) is <b>")
          .append(esc(best.backend().label()))
          .append("</b>: ")
          .append(esc(Column.BILLED_COMMANDS.text(best)))
          .append(" billed commands per request, ")
          .append(esc(Column.BILLED_PER_DAY.text(best)))
          .append(" a day, ")
          .append(esc(Column.USD_PER_MONTH.text(best)))
          .append(" USD a month (")
          .append(best.projection().fitsFreeTier() ? "fits" : "does not fit")
          .append(
              String.format(
                  Locale.ROOT,
                  " the free tier of %,d commands a month), against ",
                  RunResult.FREE_TIER_COMMANDS_PER_MONTH))
          .append(esc(Column.BILLED_COMMANDS.text(today.perRequest())))
          .append(" and ")
          .append(esc(Column.USD_PER_MONTH.text(today.projection().usdPerMonth())))
          .append(" USD in the originating note. ")
          .append(fitting)
          .append(fitting == 1 ? " option keeps" : " options keep")
          .append(" every statistic within the free tier.");
    } else {
      h.append(
          "No option reproduced the expected statistics on the seed day; see the table below.");
    }
    h.append("</p>\n");
  }

  private static void billedChart(StringBuilder h, CompareReport report) {
    List<Group> groups =
        perWorkload(
            report,
            " (measured)",
            RunResult::serverCommandsPerEvent,
            r ->
                r.serverCommandsPerEvent() == 0
                    ? "0 (nothing sent)"
                    : Column.BILLED_COMMANDS.text(r));
    List<Bar> note = new ArrayList<>();
    double today = RunResult.NOTE_FIGURES.get(0).perRequest();
    note.add(noteBar("today (full statistics)", today));
    note.add(noteBar("Lua script (claimed -50%)", today * 0.5));
    note.add(noteBar("dimensions cut (claimed)", RunResult.NOTE_FIGURES.get(1).perRequest()));
    note.add(noteBar("async batching (claimed -90%)", today * 0.1));
    note.add(noteBar("statistics off (claimed)", RunResult.NOTE_FIGURES.get(2).perRequest()));
    groups.add(new Group("the originating note's options (3,000 requests/day)", note));
    figure(
        h,
        BILLED,
        "Billed Redis commands per request",
        "Client commands plus commands Redis ran inside scripts, which is how per-command-billed"
            + " Redis services count. Log scale. Grey: the figures of the originating note, per"
            + " request.",
        groups,
        true);
  }

  /**
   * A group per workload (its name and {@code suffix}) with a bar per run: the run's {@code value},
   * labelled with its {@code text}.
   */
  private static List<Group> perWorkload(
      CompareReport report,
      String suffix,
      ToDoubleFunction<RunResult> value,
      Function<RunResult, String> text) {
    List<Group> groups = new ArrayList<>();
    for (String w : report.workloads().keySet()) {
      List<Bar> bars = new ArrayList<>();
      for (RunResult r : report.resultsOf(w)) {
        bars.add(runBar(r, value.applyAsDouble(r), text.apply(r)));
      }
      groups.add(new Group(w + suffix, bars));
    }
    return groups;
  }

  /** A run's bar: its backend's label and colour. */
  private static Bar runBar(RunResult r, double value, String text) {
    return new Bar(r.backend().label(), value, text, css(r));
  }

  /** A grey bar of the originating note's billed commands per request. */
  private static Bar noteBar(String label, double perRequest) {
    return new Bar(label, perRequest, Column.BILLED_COMMANDS.text(perRequest), "note");
  }

  private static void throughputChart(StringBuilder h, CompareReport report) {
    List<Group> groups =
        perWorkload(
            report,
            "",
            RunResult::eventsPerSecond,
            r -> Column.EVENTS_PER_SECOND.textWithUnit(r.eventsPerSecond()));
    List<Bar> sustained = new ArrayList<>();
    String first =
        report.workloads().isEmpty() ? null : report.workloads().keySet().iterator().next();
    for (RunResult r : first == null ? List.<RunResult>of() : report.resultsOf(first)) {
      if (r.sustainedEventsPerSecond() != null) {
        sustained.add(
            runBar(
                r,
                r.sustainedEventsPerSecond(),
                Column.SUSTAINED_EVENTS_PER_SECOND.textWithUnit(r.sustainedEventsPerSecond())));
      }
    }
    if (!sustained.isEmpty()) {
      groups.add(
          new Group("sustained (each backend alone for a fixed time, system clock)", sustained));
    }
    figure(
        h,
        THROUGHPUT,
        "Events per second",
        "Events recorded from one thread (at most "
            + Recorder.DEFAULT_MAX_IN_FLIGHT
            + " unconfirmed at a time), divided by the time until close() returned, pending data"
            + " stored. Sustained: a time-bounded run per backend after the workloads, events"
            + " stamped with the current time, so a short workload's burst does not flatter a"
            + " buffering backend. Log scale.",
        groups,
        true);
  }

  private static void latencyChart(StringBuilder h, CompareReport report) {
    // one row per run: value = p50, the range p99 / max is drawn by rangeFigure
    List<Group> groups =
        perWorkload(
            report,
            "",
            RunResult::p50Micros,
            r ->
                Column.P50_MICROS.text(r)
                    + " / "
                    + Column.P99_MICROS.text(r)
                    + " / "
                    + Column.MAX_MICROS.textWithUnit(r.maxMicros()));
    List<double[]> ranges = new ArrayList<>();
    for (String w : report.workloads().keySet()) {
      for (RunResult r : report.resultsOf(w)) {
        ranges.add(new double[] {r.p50Micros(), r.p99Micros(), r.maxMicros()});
      }
    }
    rangeFigure(
        h,
        LATENCY,
        "record() latency, microseconds",
        "How long the record() call itself took (HdrHistogram): a dot at the median (p50), a"
            + " diamond at the 99th percentile, a bar up to the maximum; the numbers are p50 / p99"
            + " / max. Log scale.",
        groups,
        ranges);
  }

  private static void costChart(StringBuilder h, CompareReport report) {
    List<RunResult> seed = report.resultsOf("seed-day");
    if (seed.isEmpty()) {
      return;
    }
    List<Bar> bars = new ArrayList<>();
    for (RunResult r : seed) {
      bars.add(
          runBar(
              r,
              r.projection().usdPerMonth(),
              Column.USD_PER_MONTH.textWithUnit(r.projection().usdPerMonth())));
    }
    List<Bar> note = new ArrayList<>();
    for (RunResult.NoteFigure f : RunResult.NOTE_FIGURES) {
      note.add(
          new Bar(
              f.label().replace("note: ", ""),
              f.projection().usdPerMonth(),
              Column.USD_PER_MONTH.textWithUnit(f.projection().usdPerMonth()),
              "note"));
    }
    figure(
        h,
        COST,
        "Seed-day projection: USD per month",
        String.format(
            Locale.ROOT,
            "%,d requests a day, %.2f USD per 100,000 billed commands, %d-day month. Grey: the"
                + " originating note's figures (its \"today\" includes %,d other commands a day).",
            RunResult.SCENARIO_REQUESTS_PER_DAY,
            RunResult.USD_PER_100K_COMMANDS,
            RunResult.DAYS_PER_MONTH,
            23_640),
        List.of(new Group("seed-day (measured)", bars), new Group("the originating note", note)),
        false);
  }

  private static void numbersTable(StringBuilder h, CompareReport report) {
    h.append(
        "<h2>Every number</h2>\n<div class=\"table\"><table>\n"
            + "<thead><tr><th>workload</th><th>backend</th>");
    Column.MEASURED.forEach(c -> h.append("<th>").append(esc(c.header())).append("</th>"));
    h.append("<th>state = expected</th><th>")
        .append(esc(Column.USD_PER_MONTH.header()))
        .append("</th><th>fits free tier</th></tr></thead>\n<tbody>\n");
    for (RunResult r : report.results()) {
      h.append("<tr><td>")
          .append(esc(r.workload()))
          .append("</td><td>")
          .append(esc(r.backend().label()));
      Column.MEASURED.forEach(c -> h.append("</td><td>").append(esc(c.text(r))));
      h.append("</td><td>")
          .append(
              r.stateMatchesPipeline() == null ? "n/a" : r.stateMatchesPipeline() ? "yes" : "no")
          .append("</td><td>")
          .append(esc(Column.USD_PER_MONTH.text(r)))
          .append("</td><td>")
          .append(
              r.projection() == null
                  ? Column.MISSING
                  : r.projection().fitsFreeTier() ? "yes" : "no")
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table></div>\n");
    List<String> notes = report.problems(" · ");
    if (!notes.isEmpty()) {
      h.append("<ul class=\"problems\">\n");
      notes.forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
      h.append("</ul>\n");
    }
  }

  private static void method(StringBuilder h) {
    h.append("<h2>How it was measured</h2>\n<ul class=\"method\">\n")
        .append(
            "<li>Every backend records the same events against the same Redis; the database is"
                + " flushed before each run. Each backend first records unmeasured warm-up"
                + " events.</li>\n")
        .append(
            "<li>Commands come from the server's <code>INFO commandstats</code> before and after"
                + " each run. Redis counts the commands a script runs like any other, so script"
                + " calls (EVALSHA, ...) and script management are client commands, and the other"
                + " commands of a run in which scripts ran are counted as run inside scripts."
                + " Connection set-up (HELLO, CLIENT, PING, ...) and the tool's own INFO are left"
                + " out.</li>\n")
        .append(
            "<li>Round trips are the sink's own count. record() latency is the call itself;"
                + " events/s runs from the first record() until close() returned, so it includes"
                + " storing what was pending.</li>\n")
        .append(
            "<li>\"state = expected\": the statistics keys, fields, values and set members equal"
                + " the state computed from the events without Redis and without any backend (each"
                + " event planned by the CRS layout and applied to an in-memory model): what an"
                + " exact run of the pipeline backend stores. Every row is checked, the pipeline's"
                + " included. Compact rows are checked in their CRS view; frugal rows without the"
                + " fields holding 0 (they skip zero increments; readers treat an absent field as"
                + " 0). TTLs equal, or lower by at most the run's duration plus 30 s (a TTL counts"
                + " down from the key's last EXPIRE). noop stores nothing, by design.</li>\n")
        .append(
            "<li>Frugal rows keep CRS's own keys but skip zero increments (usagesink.crs.skip-zero)"
                + " and do not resend an EXPIRE sent for the same key within the memo"
                + " (usagesink.crs.expire-memo): a key may expire up to the memo earlier than under"
                + " CRS.</li>\n")
        .append(
            "<li>Sustained events/s: after the workloads, each backend alone records for a fixed"
                + " time on the system clock (events stamped with the current time), then closes;"
                + " events divided by the time until close() returned.</li>\n")
        .append(
            "<li>The workloads run on a clock that follows the events, so the buffered backend's"
                + " flush interval passes in simulated time: seed-day's requests are minutes apart,"
                + " busy's one millisecond (1,000 requests a second), however fast this machine"
                + " records them.</li>\n")
        .append("</ul>\n");
  }

  /** Draws one horizontal bar chart as a figure. */
  private static void figure(
      StringBuilder h,
      String metric,
      String title,
      String caption,
      List<Group> groups,
      boolean log) {
    int height = height(groups);
    double max = 0;
    double minPositive = Double.MAX_VALUE;
    for (Group g : groups) {
      for (Bar b : g.bars()) {
        max = Math.max(max, b.value());
        if (b.value() > 0) {
          minPositive = Math.min(minPositive, b.value());
        }
      }
    }
    Scale scale =
        log
            ? Scale.log(minPositive == Double.MAX_VALUE ? 1 : minPositive, Math.max(max, 1e-9))
            : Scale.linear(max);
    figureStart(h, metric, title, height, scale, LABEL_WIDTH, PLOT_WIDTH);
    int y = AXIS;
    for (Group g : groups) {
      groupTitle(h, y, g.title());
      y += GROUP_HEADER;
      for (Bar b : g.bars()) {
        double w = b.value() > 0 ? Math.max(1.5, scale.x(b.value()) * PLOT_WIDTH) : 0;
        int top = y + (ROW - BAR) / 2;
        h.append("<g class=\"bar ").append(esc(b.css())).append("\">");
        h.append(
            String.format(
                Locale.ROOT,
                "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                LABEL_WIDTH - 8,
                top + BAR - 3,
                esc(Ascii.truncate(b.label(), 34, "…"))));
        if (w > 0) {
          h.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\">"
                      + "<title>%s: %s</title></rect>",
                  LABEL_WIDTH,
                  top,
                  w,
                  BAR,
                  esc(b.label()),
                  esc(b.text())));
        }
        h.append(
            String.format(
                Locale.ROOT,
                "<text class=\"value\" x=\"%.1f\" y=\"%d\">%s</text>",
                LABEL_WIDTH + w + 6,
                top + BAR - 3,
                esc(b.text())));
        h.append("</g>\n");
        y += ROW;
      }
    }
    figureEnd(h, caption);
  }

  /** Draws one row per run with p50, p99 and max on a log scale (a range plot), as a figure. */
  private static void rangeFigure(
      StringBuilder h,
      String metric,
      String title,
      String caption,
      List<Group> groups,
      List<double[]> ranges) {
    int labelWidth = 220;
    int valueWidth = 230;
    int plotWidth = WIDTH - labelWidth - valueWidth;
    int height = height(groups);
    double min = Double.MAX_VALUE;
    double max = 0;
    for (double[] r : ranges) {
      for (double v : r) {
        if (v > 0) {
          min = Math.min(min, v);
        }
        max = Math.max(max, v);
      }
    }
    Scale scale = Scale.log(min == Double.MAX_VALUE ? 1 : min, Math.max(max, 1e-9));
    figureStart(h, metric, title, height, scale, labelWidth, plotWidth);
    int y = AXIS;
    int i = 0;
    for (Group g : groups) {
      groupTitle(h, y, g.title());
      y += GROUP_HEADER;
      for (Bar b : g.bars()) {
        double[] r = ranges.get(i++);
        double mid = y + ROW / 2.0;
        double x50 = labelWidth + scale.x(r[0]) * plotWidth;
        double x99 = labelWidth + scale.x(r[1]) * plotWidth;
        double xMax = labelWidth + scale.x(r[2]) * plotWidth;
        h.append("<g class=\"range ").append(esc(b.css())).append("\">");
        h.append(
            String.format(
                Locale.ROOT,
                "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                labelWidth - 8,
                mid + 4,
                esc(Ascii.truncate(b.label(), 32, "…"))));
        h.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" rx=\"3\"/>",
                x50,
                mid - 3,
                Math.max(1, xMax - x50)));
        h.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"p50\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"><title>p50"
                    + " %s</title></circle>",
                x50,
                mid,
                esc(Column.P50_MICROS.textWithUnit(r[0]))));
        h.append(
            String.format(
                Locale.ROOT,
                "<path class=\"p99\" d=\"M %.1f %.1f l 6 6 l -6 6 l -6 -6 z\"><title>p99"
                    + " %s</title></path>",
                x99,
                mid - 6,
                esc(Column.P99_MICROS.textWithUnit(r[1]))));
        h.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"pmax\" x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"14\"><title>max"
                    + " %s</title></rect>",
                xMax - 1.5,
                mid - 7,
                esc(Column.MAX_MICROS.textWithUnit(r[2]))));
        h.append(
            String.format(
                Locale.ROOT,
                "<text class=\"value\" x=\"%d\" y=\"%.1f\">%s</text>",
                labelWidth + plotWidth + 12,
                mid + 4,
                esc(b.text())));
        h.append("</g>\n");
        y += ROW;
      }
    }
    figureEnd(h, caption);
  }

  /** The height of a chart: an axis above and below, a header per group and a row per bar. */
  private static int height(List<Group> groups) {
    int rows = 0;
    for (Group g : groups) {
      rows += g.bars().size();
    }
    return AXIS + groups.size() * GROUP_HEADER + rows * ROW + AXIS;
  }

  /**
   * Opens a chart: the figure with its heading, the SVG element with its title, a grid line per
   * tick of {@code scale} and the tick's label above and below the plot (which starts at {@code
   * plotLeft} and is {@code plotWidth} wide).
   */
  private static void figureStart(
      StringBuilder h,
      String metric,
      String title,
      int height,
      Scale scale,
      int plotLeft,
      int plotWidth) {
    h.append("<figure class=\"chart\" id=\"")
        .append(metric)
        .append("\" data-metric=\"")
        .append(metric)
        .append("\">\n")
        .append("<h2>")
        .append(esc(title))
        .append("</h2>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" width=\"100%\" aria-label=\"")
        .append(esc(title))
        .append("\">\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n");
    for (double t : scale.ticks()) {
      double x = plotLeft + scale.x(t) * plotWidth;
      h.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>%n",
              x,
              AXIS - 4,
              x,
              height - AXIS + 4));
      for (int labelY : new int[] {AXIS - 8, height - 6}) {
        h.append(
            String.format(
                Locale.ROOT,
                "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x,
                labelY,
                esc(tick(t))));
      }
    }
  }

  /** A group's heading in a chart, in the group header that starts at {@code y}. */
  private static void groupTitle(StringBuilder h, int y, String title) {
    h.append(
        String.format(
            Locale.ROOT, "<text class=\"group\" x=\"4\" y=\"%d\">%s</text>%n", y + 18, esc(title)));
  }

  /** Closes a chart: the SVG element, the caption and the figure. */
  private static void figureEnd(StringBuilder h, String caption) {
    h.append("</svg>\n<figcaption>").append(esc(caption)).append("</figcaption>\n</figure>\n");
  }

  /** Maps values to [0, 1] of the plot width. */
  private interface Scale {
    double x(double v);

    List<Double> ticks();

    static Scale log(double minPositive, double max) {
      double lo = Math.floor(Math.log10(minPositive));
      double hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
      return new Scale() {
        @Override
        public double x(double v) {
          return v <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(v) - lo) / (hi - lo)));
        }

        @Override
        public List<Double> ticks() {
          List<Double> t = new ArrayList<>();
          for (double e = lo; e <= hi + 1e-9; e++) {
            t.add(Math.pow(10, e));
          }
          return t;
        }
      };
    }

    static Scale linear(double max) {
      double top = niceCeiling(max <= 0 ? 1 : max);
      return new Scale() {
        @Override
        public double x(double v) {
          return Math.max(0, Math.min(1, v / top));
        }

        @Override
        public List<Double> ticks() {
          List<Double> t = new ArrayList<>();
          for (int i = 0; i <= 5; i++) {
            t.add(top * i / 5);
          }
          return t;
        }
      };
    }

    private static double niceCeiling(double v) {
      double p = Math.pow(10, Math.floor(Math.log10(v)));
      for (double m : new double[] {1, 2, 2.5, 5, 10}) {
        if (m * p >= v) {
          return m * p;
        }
      }
      return 10 * p;
    }
  }

  private static String css(RunResult r) {
    switch (r.backend().name()) {
      case BackendSpec.PIPELINE:
        return "pipeline";
      case BackendSpec.LUA:
        return "lua";
      case BackendSpec.BUFFERED:
        return r.backend().compactLayout() ? "compact" : "buffered";
      case BackendSpec.NOOP:
        return "noop";
      default:
        return "other";
    }
  }

  /** How the report shows a figure to a person: {@link Column#number(double)}. */
  public static String num(double v) {
    return Column.number(v);
  }

  /** USD as the report shows it: {@link Column#USD_PER_MONTH}. */
  static String usd(double v) {
    return Column.USD_PER_MONTH.text(v);
  }

  private static String tick(double v) {
    if (v >= 1_000_000) {
      return String.format(Locale.ROOT, "%.0fM", v / 1_000_000);
    }
    if (v >= 1_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1_000);
    }
    if (v >= 1) {
      return v == Math.rint(v)
          ? String.format(Locale.ROOT, "%.0f", v)
          : String.format(Locale.ROOT, "%.1f", v);
    }
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(2))
        .stripTrailingZeros()
        .toPlainString();
  }

  /** Control characters XML 1.0 does not allow (tab and newline it does; CR is folded too). */
  private static final CharMatcher NOT_XHTML =
      CharMatcher.inRange('\u0000', '\u001f').and(CharMatcher.noneOf("\n\t"));

  /** Escapes text for XHTML content and attributes; control characters become spaces. */
  static String esc(String s) {
    return s == null ? "" : HtmlEscapers.htmlEscaper().escape(NOT_XHTML.replaceFrom(s, ' '));
  }

  private static final String CSS =
      String.join(
          "\n",
          ":root { color-scheme: light; }",
          "body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.5 system-ui,"
              + " -apple-system, 'Segoe UI', Roboto, sans-serif; }",
          "main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px; }",
          "h1 { font-size: 26px; margin: 8px 0 4px; }",
          "h2 { font-size: 18px; margin: 28px 0 8px; }",
          "figure h2 { margin: 0 0 6px; }",
          ".lead { color: #4a5568; margin-top: 0; }",
          ".summary { background: #e8f4f1; border-left: 4px solid #00798c; padding: 10px 14px;"
              + " border-radius: 4px; }",
          "ul.workloads, ul.method { padding-left: 20px; }",
          "figure.chart { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin:"
              + " 20px 0; padding: 14px 16px 10px; }",
          "figure.chart svg { display: block; max-width: 100%; height: auto; font-family: inherit;"
              + " }",
          "figcaption { color: #4a5568; font-size: 13px; margin-top: 6px; }",
          "svg .grid { stroke: #e3e6eb; stroke-width: 1; }",
          "svg .tick { fill: #718096; font-size: 11px; }",
          "svg .group { fill: #1d2330; font-size: 13px; font-weight: 600; }",
          "svg .label { fill: #2d3748; font-size: 12px; }",
          "svg .value { fill: #2d3748; font-size: 12px; font-variant-numeric: tabular-nums; }",
          "svg .pipeline rect { fill: #d1495b; }",
          "svg .lua rect { fill: #edae49; }",
          "svg .buffered rect { fill: #00798c; }",
          "svg .compact rect { fill: #2e8b57; }",
          "svg .noop rect { fill: #8d99ae; }",
          "svg .other rect { fill: #6a4c93; }",
          "svg .note rect { fill: #d5d9e0; stroke: #8d99ae; stroke-dasharray: 3 2; }",
          "svg .note .label { fill: #718096; font-style: italic; }",
          "svg .range .span { fill: #dde1e7; }",
          "svg .range .p50 { fill: #30638e; }",
          "svg .range .p99 { fill: #edae49; stroke: #9c6b12; stroke-width: 0.8; }",
          "svg .range .pmax { fill: #d1495b; }",
          "div.table { overflow-x: auto; }",
          "table { border-collapse: collapse; width: 100%; font-size: 12px; background: #fff; }",
          "th, td { padding: 4px 5px; border-bottom: 1px solid #e3e6eb; text-align: right; }",
          "td { white-space: nowrap; font-variant-numeric: tabular-nums; }",
          "th { vertical-align: bottom; }",
          "th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }",
          "th { background: #eef0f4; font-weight: 600; }",
          "ul.problems li { color: #9b2c2c; }",
          "code { background: #eef0f4; padding: 0 3px; border-radius: 3px; }",
          "");

  /** The metrics, in the order of the charts ({@link #COST} only when seed-day ran). */
  static List<String> metrics() {
    return List.of(BILLED, THROUGHPUT, LATENCY, COST);
  }
}
