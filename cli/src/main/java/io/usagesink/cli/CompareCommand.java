package io.usagesink.cli;

import io.usagesink.ConfigProperties;
import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSinks;
import io.usagesink.buffered.BufferedOptions;
import io.usagesink.cli.compare.BackendSpec;
import io.usagesink.cli.compare.Comparison;
import io.usagesink.cli.compare.RedisAdmin;
import io.usagesink.cli.compare.RunResult;
import io.usagesink.cli.events.Durations;
import io.usagesink.cli.events.EventLines;
import io.usagesink.cli.events.Workload;
import io.usagesink.cli.events.Workloads;
import io.usagesink.cli.report.CompareReport;
import io.usagesink.cli.report.HtmlReport;
import io.usagesink.cli.report.JsonFormat;
import io.usagesink.cli.report.TableFormat;
import io.usagesink.layout.LayoutSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code compare}: runs the workloads through every backend on the class path against one Redis
 * (the buffered backend once per flush interval and layout, plus frugal CRS rows) and prints what
 * each costs: client and inside-script commands per event, billed commands per event, round trips,
 * events/s, {@code record()} latency, whether the final state equals the workload's expected state
 * (computed independently; see {@link Comparison}), the sustained events/s of a time-bounded phase,
 * and for {@code seed-day} the originating note's projection and whether it fits the free tier.
 * Writes an HTML report with charts.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the same workload through every backend (redis-pipeline, redis-lua, buffered, noop)"
          + " against one Redis",
      "and compare commands per event (client, inside scripts, billed), round trips, events/s,"
          + " record() latency,",
      "final state, sustained events/s, and the originating note's cost projection (does it fit a"
          + " free tier of",
      "500,000 commands a month?). Writes an HTML report with charts.",
      "The buffered backend runs once per flush interval on each layout (crs, compact); redis-lua"
          + " and buffered",
      "also run with frugal CRS writes (usagesink.crs.skip-zero=true,"
          + " usagesink.crs.expire-memo=--frugal).",
      "Every final state is checked against the state computed from the events without any backend",
      "(the CRS view for the compact layout; frugal rows without the zero fields they skip).",
      "Redis: --redis, else REDIS_URL, else a redis-server started on a free port (or a Docker"
          + " redis:7).",
      "The database is flushed between runs; an external one must start empty (or pass"
          + " --allow-flush)."
    })
final class CompareCommand implements Callable<Integer>, Main.SecretAware {

  /** The built-in workload names. */
  static final List<String> BUILT_IN = List.of("seed-day", "busy");

  @ParentCommand private Main main;

  @Spec private CommandSpec spec;

  @Option(
      names = "--redis",
      paramLabel = "URI",
      converter = Converters.RedisUri.class,
      description =
          "Redis to measure against (single server or cluster); default: REDIS_URL, else one it"
              + " starts itself.")
  private String redis;

  @Option(
      names = "--workload",
      paramLabel = "seed-day|busy|FILE.jsonl",
      split = ",",
      converter = WorkloadName.class,
      description = "Workloads to run, repeatable or comma-separated; default: seed-day,busy.")
  private List<String> workloads;

  @Option(names = "--json", description = "Print one JSON document instead of the table.")
  private boolean json;

  @Option(
      names = "--report",
      paramLabel = "FILE.html",
      defaultValue = "usagesink-report.html",
      description = "Where to write the HTML report; default: ${DEFAULT-VALUE}.")
  private Path report;

  @Option(names = "--no-report", description = "Write no HTML report.")
  private boolean noReport;

  @Option(
      names = "--busy-seconds",
      paramLabel = "N",
      defaultValue = "10",
      converter = Converters.PositiveLong.class,
      description =
          "How long the busy workload's first backend records; default: ${DEFAULT-VALUE}.")
  private long busySeconds;

  @Option(
      names = "--events",
      paramLabel = "N",
      converter = Converters.PositiveLong.class,
      description = "Events of seed-day (default 3000) and at most this many for busy and files.")
  private Long events;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      split = ",",
      description =
          "Only these backends (repeatable or comma-separated); default: every backend on the class"
              + " path.")
  private List<String> onlyBackends;

  @Option(
      names = "--flush-interval",
      paramLabel = "DURATION",
      split = ",",
      defaultValue = "1s,60s",
      converter = Converters.PositiveDuration.class,
      description =
          "Flush intervals the buffered backend runs with, one run each; default: ${DEFAULT-VALUE} "
              + "(the library default and the originating note's).")
  private List<Duration> flushIntervals;

  @Option(
      names = "--buffered-writer",
      paramLabel = "lua|pipeline",
      converter = WriterName.class,
      description = "Writer of the buffered backend; default: usagesink.buffered.writer or lua.")
  private String bufferedWriter;

  @Option(
      names = "--layout",
      paramLabel = "crs|compact",
      split = ",",
      defaultValue = "crs,compact",
      converter = LayoutName.class,
      description =
          "Layouts the buffered backend runs with, one run per flush interval each; "
              + "default: ${DEFAULT-VALUE}.")
  private List<String> layouts;

  @Option(
      names = "--frugal",
      paramLabel = "DURATION|off",
      defaultValue = "1h",
      converter = MemoOrOff.class,
      description =
          "EXPIRE memo of the frugal CRS rows (redis-lua (frugal) and buffered (..., crs frugal,"
              + " longest flush interval), which also skip zero increments); off: no frugal rows;"
              + " default: ${DEFAULT-VALUE}.")
  private Duration frugalMemo;

  @Option(
      names = "--sustain",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DurationOrOff.class,
      description =
          "Length of each backend's sustained phase (system clock, events stamped now) after the "
              + "workloads; 0 or off: none; default: ${DEFAULT-VALUE}.")
  private Duration sustain;

  @Option(
      names = "--warmup-events",
      paramLabel = "N",
      defaultValue = "1000",
      converter = NonNegativeInt.class,
      description =
          "Unmeasured events each backend records first, to warm up the JIT; default:"
              + " ${DEFAULT-VALUE}.")
  private int warmupEvents;

  @Option(
      names = "--allow-flush",
      description = "Allow flushing an external database that is not empty.")
  private boolean allowFlush;

  private Secrets secrets = Secrets.of();

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Integer call() throws IOException {
    CliContext ctx = main.context();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String external = redis != null ? redis : ctx.env("REDIS_URL");
    secrets = Secrets.of(external, ctx.properties().getProperty("usagesink.redis.uri"));

    List<Workload> chosen = workloads(err);
    if (chosen == null) {
      return ExitCode.USAGE;
    }
    SinkConfig env = Configs.fromEnvironment(ctx);
    List<BackendSpec> backends = backends(env);
    Instant started = Instant.now();

    try (RedisTarget target =
        external != null ? RedisTarget.external(external) : RedisTarget.embedded()) {
      SinkConfig base = env.toBuilder().redisUri(target.uri()).build();
      List<RunResult> results = new ArrayList<>();
      CompareReport.RedisInfo info;
      try (RedisAdmin admin = RedisAdmin.open(base)) {
        info =
            new CompareReport.RedisInfo(
                target.mode(),
                admin.version(),
                admin.isCluster(),
                target.description(admin.maskedUri()));
        if (target.isExternal() && !allowFlush) {
          long keys = admin.dbSize();
          if (keys > 0) {
            throw new Main.UsageException(
                "compare flushes the database between runs, but "
                    + admin.maskedUri()
                    + " holds "
                    + keys
                    + " keys; use an empty database (e.g. /15 at the end of the URI) "
                    + "or pass --allow-flush to flush it");
          }
        }
        if (!json) {
          err.println(
              "compare: "
                  + backends.stream().map(BackendSpec::label).toList()
                  + " on "
                  + chosen.stream().map(Workload::name).toList()
                  + " against Redis "
                  + info.version()
                  + " ("
                  + info.mode()
                  + ": "
                  + info.where()
                  + ")");
          err.flush();
        }
        Comparison.ProgressFactory progress =
            ctx.interactive() && !json
                ? Comparison.ProgressFactory.bars(err)
                : Comparison.ProgressFactory.NONE;
        Comparison comparison = new Comparison(base, admin, backends, warmupEvents, progress);
        comparison.warmUp();
        for (Workload w : chosen) {
          results.addAll(comparison.run(w));
        }
        if (!sustain.isZero()) {
          results = withSustained(results, comparison.sustain(sustain));
        }
      }
      Map<String, String> descriptions = new LinkedHashMap<>();
      chosen.forEach(w -> descriptions.put(w.name(), w.description()));
      CompareReport result =
          new CompareReport(
              info,
              CompareReport.describe(LayoutSettings.from(base).statsPolicy()),
              descriptions,
              results,
              started,
              CompareReport.thisMachine());

      if (json) {
        out.println(JsonFormat.render(result));
      } else {
        out.print(TableFormat.render(result));
      }
      if (!noReport) {
        Path file = report.toAbsolutePath();
        Files.writeString(file, HtmlReport.render(result), StandardCharsets.UTF_8);
        (json ? err : out).println("Report: " + file);
      }
      out.flush();
      err.flush();
      return failed(results) ? ExitCode.SOFTWARE : ExitCode.OK;
    }
  }

  /** Whether any run lost data, or a Redis backend's state differs from the expected state. */
  static boolean failed(List<RunResult> results) {
    for (RunResult r : results) {
      if (!r.problems().isEmpty()) {
        return true;
      }
      if (Boolean.FALSE.equals(r.stateMatchesPipeline())
          && !r.backend().name().equals(BackendSpec.NOOP)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The results with each backend's sustained figure; its problems go to the backend's first row
   * only.
   */
  static List<RunResult> withSustained(
      List<RunResult> results, Map<BackendSpec, Comparison.Sustained> sustained) {
    List<RunResult> out = new ArrayList<>();
    Set<BackendSpec> problemsShown = new HashSet<>();
    for (RunResult r : results) {
      Comparison.Sustained s = sustained.get(r.backend());
      if (s == null) {
        out.add(r);
      } else {
        out.add(
            r.withSustained(
                s.eventsPerSecond(), problemsShown.add(r.backend()) ? s.problems() : List.of()));
      }
    }
    return out;
  }

  /**
   * The backends to run: every one on the class path (or the chosen ones); buffered once per flush
   * interval and layout; redis-lua and buffered (longest interval) once more with frugal CRS
   * writes.
   */
  private List<BackendSpec> backends(SinkConfig env) {
    List<String> available = UsageSinks.availableBackends();
    List<String> names = new ArrayList<>();
    if (onlyBackends == null || onlyBackends.isEmpty()) {
      names.addAll(available);
    } else {
      for (String n : onlyBackends) {
        if (!available.contains(n)) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              "Invalid value for option '--backend': '"
                  + n
                  + "' is not on the class path; available: "
                  + String.join(", ", available));
        }
        if (!names.contains(n)) {
          names.add(n);
        }
      }
    }
    names.sort(
        (a, b) ->
            Integer.compare(rank(a), rank(b)) != 0
                ? Integer.compare(rank(a), rank(b))
                : a.compareTo(b));
    String writer =
        bufferedWriter != null
            ? bufferedWriter
            : ConfigProperties.text(BufferedOptions.from(env).writer());
    List<BackendSpec> specs = new ArrayList<>();
    boolean crs = layouts.contains(io.usagesink.layout.UsageLayouts.CRS);
    boolean compact = layouts.contains(io.usagesink.layout.UsageLayouts.COMPACT);
    for (String n : names) {
      if (n.equals(BackendSpec.BUFFERED)) {
        if (crs) {
          for (Duration d : flushIntervals) {
            specs.add(new BackendSpec(n, writer, d));
          }
          if (frugalMemo != null) {
            specs.add(
                new BackendSpec(n, writer, Collections.max(flushIntervals)).frugal(frugalMemo));
          }
        }
        if (compact) {
          for (Duration d : flushIntervals) {
            specs.add(BackendSpec.compact(d));
          }
        }
      } else {
        specs.add(BackendSpec.plain(n));
        if (n.equals(BackendSpec.LUA) && frugalMemo != null) {
          specs.add(BackendSpec.plain(n).frugal(frugalMemo));
        }
      }
    }
    return specs;
  }

  /** Pipeline first (the reference), then Lua, buffered, the others by name, noop last. */
  private static int rank(String name) {
    switch (name) {
      case BackendSpec.PIPELINE:
        return 0;
      case BackendSpec.LUA:
        return 1;
      case BackendSpec.BUFFERED:
        return 2;
      case BackendSpec.NOOP:
        return 4;
      default:
        return 3;
    }
  }

  /** The chosen workloads, or null after printing why a file is bad. */
  private List<Workload> workloads(PrintWriter err) {
    List<String> names = workloads == null || workloads.isEmpty() ? BUILT_IN : workloads;
    List<Workload> list = new ArrayList<>();
    long max = events == null ? Long.MAX_VALUE : events;
    for (String n : new LinkedHashSet<>(names)) {
      switch (n) {
        case "seed-day":
          list.add(
              Workloads.seedDay(
                  (int) Math.min(events == null ? Workloads.SEED_DAY_EVENTS : events, 10_000_000)));
          break;
        case "busy":
          list.add(Workloads.busy(Duration.ofSeconds(busySeconds), max));
          break;
        default:
          Workload w = fileWorkload(Path.of(n), max, err);
          if (w == null) {
            return null;
          }
          list.add(w);
      }
    }
    return list;
  }

  private static Workload fileWorkload(Path path, long max, PrintWriter err) {
    EventLines.Parsed parsed;
    try (InputStream in = Files.newInputStream(path)) {
      parsed = EventLines.readAll(in);
    } catch (IOException e) {
      throw new Main.UsageException("--workload " + path + " cannot be read: " + e.getMessage());
    }
    if (!parsed.ok()) {
      for (EventLines.LineError e : parsed.errors()) {
        err.println(path + ": " + e.message());
      }
      if (parsed.errorCount() > parsed.errors().size()) {
        err.println(
            "... and " + (parsed.errorCount() - parsed.errors().size()) + " more bad lines");
      }
      err.println(
          "compare: " + parsed.errorCount() + " bad line(s) in " + path + "; nothing was run");
      err.flush();
      return null;
    }
    List<UsageEvent> list = parsed.events();
    if (list.isEmpty()) {
      throw new Main.UsageException("--workload " + path + " holds no events");
    }
    if (list.size() > max) {
      list = list.subList(0, (int) max);
    }
    return Workload.ofEvents(
        path.getFileName().toString(),
        String.format(Locale.ROOT, "%,d events from %s; event clock", list.size(), path),
        list,
        true);
  }

  /** seed-day, busy, or an existing file. */
  static final class WorkloadName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String v = value.trim();
      if (BUILT_IN.contains(v)) {
        return v;
      }
      Path p = Path.of(v);
      if (Files.isRegularFile(p) && Files.isReadable(p)) {
        return v;
      }
      throw new TypeConversionException(
          "'" + value + "' is neither seed-day, busy nor a readable JSON-lines file");
    }
  }

  /** crs or compact. */
  static final class LayoutName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.equals("crs") || v.equals("compact")) {
        return v;
      }
      throw new TypeConversionException("'" + value + "' is not a layout; use crs or compact");
    }
  }

  /** A positive duration, or off (null). */
  static final class MemoOrOff implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      if (value.trim().equalsIgnoreCase("off")) {
        return null;
      }
      try {
        return Durations.parsePositive(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage() + ", or off");
      }
    }
  }

  /** A duration >= 0, where 0 and off mean none. */
  static final class DurationOrOff implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      if (v.equalsIgnoreCase("off") || v.equals("0")) {
        return Duration.ZERO;
      }
      try {
        Duration d = Durations.parse(v);
        if (!d.isNegative()) {
          return d;
        }
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage() + ", or 0 / off");
      }
      throw new TypeConversionException(
          "'" + value + "' must not be negative; use 0 or off for none");
    }
  }

  /** lua or pipeline. */
  static final class WriterName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.equals("lua") || v.equals("pipeline")) {
        return v;
      }
      throw new TypeConversionException("'" + value + "' is not a writer; use lua or pipeline");
    }
  }

  /** 0 or more. */
  static final class NonNegativeInt implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new TypeConversionException("'" + value + "' must be a whole number >= 0");
    }
  }
}
