package io.usagesink.cli.compare;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.cli.events.EventClock;
import io.usagesink.cli.events.Progress;
import io.usagesink.cli.events.Recorder;
import io.usagesink.cli.events.Workload;
import io.usagesink.cli.events.Workloads;
import io.usagesink.launcher.CommandCounts;
import io.usagesink.launcher.CommandStats;
import io.usagesink.layout.UsageLayouts;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Runs workloads through backends against one Redis and measures each run (see {@link RunResult}).
 *
 * <p>For each workload, each backend in turn: {@code FLUSHDB}; {@code INFO commandstats}; open the
 * sink (on the event clock for event-clock workloads); record every event from this thread (at most
 * {@value Recorder#DEFAULT_MAX_IN_FLIGHT} in flight); close the sink (storing what is pending);
 * {@code INFO commandstats} again; dump the statistics keys (for the compact layout: its CRS view).
 * The first backend of a time-boxed workload records for the time box and fixes the number of
 * events; every later backend records exactly the same events.
 *
 * <p><b>State check.</b> Every row, the pipeline's included, is compared with the workload's {@link
 * ExpectedState}: the CRS state computed from the events without Redis and without any backend. A
 * row's {@code stateMatchesPipeline} is true when it left the same keys, fields, values and members
 * (frugal rows: the same without fields holding 0, which they skip), and TTLs that are both -1 or
 * within the run's duration plus {@value #TTL_SLACK_SECONDS} s of the expected TTL (a real TTL
 * counts down from the key's last EXPIRE; the CRS view of the compact layout shows the TTL itself).
 *
 * <p><b>Sustained phase.</b> {@link #sustain} then runs each backend for a fixed time on the system
 * clock, with events stamped with the current time, and reports the events per second until {@code
 * close()} returned: a throughput that a short shared workload cannot show (a buffered backend that
 * is done in 0.1 s).
 *
 * <p>Before measuring, every backend records {@link #warmupEvents} unmeasured events (then the
 * database is flushed), so the JIT compiler warms up for all of them alike.
 *
 * <p>Not thread-safe; blocks while it runs.
 */
public final class Comparison {

  /** Seconds a TTL may be below the expected one beyond the run's duration. */
  static final long TTL_SLACK_SECONDS = 30;

  private final SinkConfig base;
  private final RedisAdmin admin;
  private final List<BackendSpec> backends;
  private final int warmupEvents;
  private final ProgressFactory progress;

  /** Makes a progress display for one run. */
  public interface ProgressFactory {
    /**
     * Progress of {@code label}, whose run has {@code events} events (0 if unknown) or a time box.
     */
    Progress start(String label, long events, Duration timeBox);

    /** No progress display. */
    ProgressFactory NONE = (label, events, timeBox) -> Progress.NONE;

    /** A bar on {@code err}. */
    static ProgressFactory bars(PrintWriter err) {
      return (label, events, timeBox) -> Progress.bar(err, label, events, timeBox);
    }
  }

  public Comparison(
      SinkConfig base,
      RedisAdmin admin,
      List<BackendSpec> backends,
      int warmupEvents,
      ProgressFactory progress) {
    this.base = Objects.requireNonNull(base, "base");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.backends = List.copyOf(backends);
    this.warmupEvents = warmupEvents;
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Records {@link #warmupEvents} events through each backend, unmeasured, then flushes the
   * database.
   */
  public void warmUp() {
    if (warmupEvents <= 0) {
      return;
    }
    for (BackendSpec spec : backends) {
      Workload w = Workloads.busy(Duration.ofSeconds(5), warmupEvents);
      UsageSink sink = UsageSinks.open(config(spec, InstantSource.system()));
      Progress p = progress.start("warm-up · " + spec.label(), warmupEvents, null);
      try {
        new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT)
            .maxEvents(warmupEvents)
            .progress(p)
            .run(sink, w.iterator());
      } finally {
        p.finish();
      }
    }
    admin.flushDb();
  }

  /**
   * Runs {@code workload} through every backend, in order, and checks each state against the
   * expected one.
   */
  public List<RunResult> run(Workload workload) {
    List<RunResult> results = new ArrayList<>();
    RedisState expected = null;
    for (BackendSpec spec : backends) {
      Measured m = measure(workload, spec);
      if (expected == null) { // the first run fixed the events of a time-boxed workload
        expected = ExpectedState.of(workload.iterator(), UsageLayouts.crs(base));
      }
      RedisState want = spec.frugal() ? expected.withoutZeroFields() : expected;
      long tolerance = (long) Math.ceil(m.seconds) + TTL_SLACK_SECONDS;
      List<String> differences = want.differences(m.state, tolerance, 5);
      boolean matches = differences.isEmpty();
      if (spec.name().equals(BackendSpec.NOOP)) {
        differences = List.of(); // stores nothing by design; listing what it lacks says nothing
      }
      results.add(m.toResult(workload, spec, matches, differences));
    }
    admin.flushDb();
    return results;
  }

  /**
   * What one backend did in the sustained phase.
   *
   * @param events events recorded
   * @param eventsPerSecond events over the time from the first record until close returned
   * @param problems what went wrong (failed, dropped, ... events), if anything
   */
  public record Sustained(long events, double eventsPerSecond, List<String> problems) {}

  /**
   * The sustained phase: each backend records for {@code duration} (then closes, storing what is
   * pending) on the system clock, events stamped with the current time ({@link
   * Workloads#sustained()}); the database is flushed before and after each. Returns one entry per
   * backend, in order.
   */
  public Map<BackendSpec, Sustained> sustain(Duration duration) {
    Map<BackendSpec, Sustained> out = new LinkedHashMap<>();
    for (BackendSpec spec : backends) {
      admin.flushDb();
      System.gc();
      Progress p = progress.start("sustained · " + spec.label(), 0, duration);
      Recorder.Outcome o;
      try {
        UsageSink sink = UsageSinks.open(config(spec, InstantSource.system()));
        o =
            new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT)
                .timeBox(duration)
                .progress(p)
                .run(sink, Workloads.sustained());
      } finally {
        p.finish();
      }
      List<String> problems = new ArrayList<>();
      o.problems(spec.name()).forEach(x -> problems.add("sustained phase: " + x));
      out.put(spec, new Sustained(o.offered(), o.eventsPerSecond(), List.copyOf(problems)));
    }
    admin.flushDb();
    return out;
  }

  /** The raw measurements of one run. */
  private static final class Measured {
    Recorder.Outcome outcome;
    CommandCounts counts;
    CommandStats delta;
    RedisState state;
    long keys;
    double seconds;

    RunResult toResult(Workload w, BackendSpec spec, Boolean matches, List<String> differences) {
      long n = outcome.offered();
      Histogram h = outcome.latencyNanos();
      double perEvent = n == 0 ? 0 : 1.0 / n;
      RunResult.Projection projection =
          w.name().equals("seed-day")
              ? RunResult.Projection.ofPerEvent(counts.billed() * perEvent)
              : null;
      Map<String, Long> commands = new LinkedHashMap<>(delta.asMap());
      commands.keySet().removeIf(CommandCounts::isOverhead);
      return new RunResult(
          w.name(),
          spec,
          n,
          counts.client() * perEvent,
          counts.insideScripts() * perEvent,
          counts.billed() * perEvent,
          outcome.stats().roundTrips() * perEvent,
          outcome.eventsPerSecond(),
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0,
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0,
          h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
          matches,
          projection,
          keys,
          seconds,
          differences,
          outcome.problems(spec.name()),
          commands,
          null);
    }
  }

  private Measured measure(Workload workload, BackendSpec spec) {
    admin.flushDb();
    System.gc();
    EventClock clock = workload.eventClock() ? new EventClock(workload.start()) : null;
    SinkConfig config = config(spec, clock == null ? InstantSource.system() : clock);
    Recorder recorder = new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT).eventClock(clock);
    if (!workload.sizeKnown()) {
      recorder.timeBox(workload.timeBox()).maxEvents(workload.size());
    }
    Progress p =
        progress.start(
            workload.name() + " · " + spec.label(),
            workload.sizeKnown() ? workload.size() : 0,
            workload.timeBox());
    recorder.progress(p);
    CommandStats before = admin.commandStats();
    Measured m = new Measured();
    try {
      UsageSink sink = UsageSinks.open(config);
      m.outcome = recorder.run(sink, workload.iterator());
    } finally {
      p.finish();
    }
    CommandStats after = admin.commandStats();
    workload.fixSize(m.outcome.offered());
    m.delta = after.minus(before);
    m.counts = CommandCounts.of(m.delta, m.outcome.stats().commands());
    if (spec.compactLayout()) {
      m.state = admin.dumpCrsView(config);
      m.keys = admin.dumpCompact(config).size();
    } else {
      m.state = admin.dump();
      m.keys = m.state.size();
    }
    m.seconds = m.outcome.total().toNanos() / 1e9;
    return m;
  }

  private SinkConfig config(BackendSpec spec, InstantSource clock) {
    return spec.configure(base.toBuilder()).clock(clock).shutdownHook(false).build();
  }
}
