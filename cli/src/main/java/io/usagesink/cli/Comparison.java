package io.usagesink.cli;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.CommandStats;
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
 * {@code INFO commandstats} again; dump the statistics keys. The first backend of a time-boxed
 * workload records for the time box and fixes the number of events; every later backend records
 * exactly the same events, so final states can be compared. The pipeline backend's state is the
 * reference: another backend's {@code stateMatchesPipeline} is true when it left the same keys,
 * fields, values and members, and TTLs that are both -1 or differ by no more than the two runs'
 * durations plus 2 seconds (a TTL counts down from the key's last write, which happens at different
 * moments in different runs).
 *
 * <p>Before measuring, every backend records {@link #warmupEvents} unmeasured events (then the
 * database is flushed), so the JIT compiler warms up for all of them alike.
 *
 * <p>Not thread-safe; blocks while it runs.
 */
final class Comparison {

  private final SinkConfig base;
  private final RedisAdmin admin;
  private final List<BackendSpec> backends;
  private final int warmupEvents;
  private final ProgressFactory progress;

  /** Makes a progress display for one run. */
  interface ProgressFactory {
    /** Progress of {@code label}, whose run has {@code events} events (0 if unknown) or a time box. */
    Progress start(String label, long events, Duration timeBox);

    /** No progress display. */
    ProgressFactory NONE = (label, events, timeBox) -> Progress.NONE;

    /** A bar on {@code err}. */
    static ProgressFactory bars(PrintWriter err) {
      return (label, events, timeBox) -> Progress.bar(err, label, events, timeBox);
    }
  }

  Comparison(SinkConfig base, RedisAdmin admin, List<BackendSpec> backends, int warmupEvents,
      ProgressFactory progress) {
    this.base = Objects.requireNonNull(base, "base");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.backends = List.copyOf(backends);
    this.warmupEvents = warmupEvents;
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** Records {@link #warmupEvents} events through each backend, unmeasured, then flushes the database. */
  void warmUp() {
    if (warmupEvents <= 0) {
      return;
    }
    for (BackendSpec spec : backends) {
      Workload w = Workloads.busy(Duration.ofSeconds(5), warmupEvents);
      UsageSink sink = UsageSinks.open(config(spec, InstantSource.system()));
      Progress p = progress.start("warm-up · " + spec.label(), warmupEvents, null);
      try {
        new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT).maxEvents(warmupEvents).progress(p).run(sink, w.iterator());
      } finally {
        p.finish();
      }
    }
    admin.flushDb();
  }

  /** Runs {@code workload} through every backend, in order. */
  List<RunResult> run(Workload workload) {
    List<RunResult> results = new ArrayList<>();
    RedisState reference = null;
    double referenceSeconds = 0;
    for (BackendSpec spec : backends) {
      Measured m = measure(workload, spec);
      boolean isReference = spec.name().equals(BackendSpec.PIPELINE) && reference == null;
      if (isReference) {
        reference = m.state;
        referenceSeconds = m.seconds;
      }
      Boolean matches = null;
      List<String> differences = List.of();
      if (isReference) {
        matches = true;
      } else if (reference != null) {
        long tolerance = (long) Math.ceil(referenceSeconds + m.seconds) + 2;
        differences = reference.differences(m.state, tolerance, 5);
        matches = differences.isEmpty();
        if (spec.name().equals(BackendSpec.NOOP)) {
          differences = List.of(); // stores nothing by design; listing what it lacks says nothing
        }
      }
      results.add(m.toResult(workload, spec, matches, differences));
    }
    admin.flushDb();
    return results;
  }

  /** The raw measurements of one run. */
  private static final class Measured {
    Recorder.Outcome outcome;
    CommandAttribution.Counts counts;
    CommandStats delta;
    RedisState state;
    double seconds;

    RunResult toResult(Workload w, BackendSpec spec, Boolean matches, List<String> differences) {
      long n = outcome.offered();
      Histogram h = outcome.latencyNanos();
      double perEvent = n == 0 ? 0 : 1.0 / n;
      RunResult.Projection projection = w.name().equals("seed-day")
          ? RunResult.Projection.ofPerEvent(counts.billed() * perEvent) : null;
      Map<String, Long> commands = new LinkedHashMap<>(delta.asMap());
      commands.keySet().removeIf(CommandAttribution::ignored);
      return new RunResult(w.name(), spec, n,
          counts.client() * perEvent,
          counts.insideScripts() * perEvent,
          counts.billed() * perEvent,
          outcome.stats().roundTrips() * perEvent,
          outcome.eventsPerSecond(),
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0,
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0,
          h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
          matches, projection, state.size(), seconds, differences,
          ReplayCommand.problems(outcome, spec.name()), commands);
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
    Progress p = progress.start(workload.name() + " · " + spec.label(),
        workload.sizeKnown() ? workload.size() : 0, workload.timeBox());
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
    m.counts = CommandAttribution.attribute(m.delta, m.outcome.stats().commands());
    m.state = admin.dump();
    m.seconds = m.outcome.total().toNanos() / 1e9;
    return m;
  }

  private SinkConfig config(BackendSpec spec, InstantSource clock) {
    return spec.configure(base.toBuilder()).clock(clock).shutdownHook(false).build();
  }
}
