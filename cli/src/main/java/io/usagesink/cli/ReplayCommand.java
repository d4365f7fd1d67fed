package io.usagesink.cli;

import com.google.common.base.Ascii;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.cli.events.EventClock;
import io.usagesink.cli.events.EventLines;
import io.usagesink.cli.events.Progress;
import io.usagesink.cli.events.Recorder;
import io.usagesink.redis.RedisOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: validates a whole JSON-lines file of usage events, then records every event
 * through one backend, closes the sink (which stores what is pending) and prints what happened. A
 * bad line exits 2 before anything is recorded; data that could not be stored exits 1, naming the
 * reasons the sink gives ({@link UsageSink#failureReasons()}).
 *
 * <p>Memory is bounded whatever the input's size: the input is read twice, once to validate every
 * line and once to record, one line at a time ({@link EventLines#validate}, {@link
 * EventLines.Events}); standard input is first copied to a temporary file (deleted on exit).
 *
 * <p>SIGTERM or SIGINT during a replay stops reading, closes the sink (storing what is pending,
 * within the close timeout), prints the counts and ends the JVM with 143 or 130: a JVM shutdown
 * hook registered for the run asks the replay to stop and waits for it. The sink keeps its own
 * shutdown hook (the library default).
 *
 * <p>One instance per invocation, run by one thread.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Record every event of a JSON-lines file through one backend, close it and print the counts.",
      "The whole input is validated first: any bad line exits 2 and nothing is recorded. The input"
          + " is read twice, a line at a time (bounded memory); standard input is first copied to a"
          + " temporary file, deleted on exit.",
      "Event line:"
          + " {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\",\"model\":\"...\","
          + "\"inputTokens\":1200,\"outputTokens\":350,...}",
      "Limits: a line at most "
          + EventLines.MAX_LINE_BYTES
          + " bytes of UTF-8; numbers integers from 0 to "
          + Long.MAX_VALUE
          + " (at most "
          + EventLines.MAX_NUMBER_CHARS
          + " characters as written); field names at most "
          + EventLines.MAX_NAME_CHARS
          + " characters; nesting at most "
          + EventLines.MAX_NESTING
          + " levels.",
      "SIGTERM / SIGINT: stops reading, closes the sink (storing what is pending, up to"
          + " --close-timeout), prints the counts.",
      "Exit codes: 0 every recorded event stored (noop: dropped, by design); 1 something was not"
          + " stored (failed, rejected, dropped, still pending, or deferred: kept in the --journal"
          + " directory for the next run on it; the reasons are printed) or the"
          + " work could not be done (e.g. Redis unreachable); 2 bad options or input, nothing"
          + " recorded; 130 stopped by SIGINT; 143 stopped by SIGTERM."
    })
final class ReplayCommand implements Callable<Integer>, Main.SecretAware {

  /**
   * Exit code when a shutdown signal stopped the replay (SIGTERM's; the JVM exits 130 for SIGINT).
   */
  static final int STOPPED = 143;

  /** At most this many failure reasons are printed. */
  static final int MAX_REASONS = 10;

  /** How much longer than the close timeout the shutdown hook waits for the replay to finish. */
  private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

  /** How the sink's clock moves. */
  enum ClockMode {
    /** The system clock. */
    wall,
    /** The events' timestamps: each event advances the clock to its time. */
    events
  }

  @ParentCommand private Main main;

  @Spec private CommandSpec spec;

  @Option(
      names = "--backend",
      required = true,
      paramLabel = "NAME",
      description =
          "The backend: redis-pipeline, redis-lua, buffered, noop (or any on the class path).")
  private String backend;

  @Option(
      names = "--redis",
      paramLabel = "URI",
      converter = Converters.RedisUri.class,
      description =
          "Redis URI (redis://, rediss://, user:password@); default: REDIS_URL /"
              + " usagesink.redis.uri.")
  private String redis;

  @Option(
      names = "--layout",
      paramLabel = "crs|compact",
      description =
          "Statistics layout (usagesink.layout); compact needs --backend buffered; default: crs.")
  private String layout;

  @Option(
      names = "--journal",
      paramLabel = "DIR",
      description =
          "Journal directory of the buffered backend (usagesink.buffered.journal-dir): what an"
              + " earlier process journaled there and did not store is stored first, then the input"
              + " is recorded through the journal. --journal DIR --input /dev/null only recovers"
              + " (exit 0 when everything was stored).")
  private Path journal;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE|-",
      description = "JSON-lines events; - reads standard input.")
  private String input;

  @Option(
      names = "--zone",
      paramLabel = "ZONE",
      converter = Converters.Zone.class,
      description =
          "Zone of the day/hour/month buckets (e.g. UTC, +08:00); default: usagesink.zone or UTC.")
  private ZoneId zone;

  @Option(
      names = "--rate",
      paramLabel = "EVENTS_PER_S",
      converter = Converters.Rate.class,
      description =
          "Pace recording at this many events per second of real time; default: as fast as"
              + " possible.")
  private Double rate;

  @Option(
      names = "--clock",
      paramLabel = "wall|events",
      defaultValue = "wall",
      description =
          "The sink's time source: wall (system clock, default) or events (follows the events' "
              + "timestamps, so a simulated day replays in seconds).")
  private ClockMode clock;

  @Option(
      names = "--flush-interval",
      paramLabel = "DURATION",
      converter = Converters.PositiveDuration.class,
      description = "Flush interval of the buffered backend (e.g. 1s, 60s).")
  private Duration flushInterval;

  @Option(
      names = "--close-timeout",
      paramLabel = "DURATION",
      converter = Converters.PositiveDuration.class,
      defaultValue = "30s",
      description =
          "How long closing (storing what is pending) may take; default: ${DEFAULT-VALUE}.")
  private Duration closeTimeout;

  @Option(
      names = "--progress",
      description =
          "Print a progress line (events recorded so far) on stderr every second, also when stderr"
              + " is not a terminal (on a terminal a progress bar is drawn anyway).")
  private boolean progressLines;

  private Secrets secrets = Secrets.of();

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Integer call() {
    CliContext ctx = main.context();
    secrets =
        Secrets.of(
            redis, ctx.env("REDIS_URL"), ctx.properties().getProperty("usagesink.redis.uri"));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StopSignal stop = new StopSignal(closeTimeout.plus(STOP_MARGIN));
    Thread hook = new Thread(stop::awaitReplay, "usagesink-replay-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    Path spool = null;
    try {
      Path file;
      if ("-".equals(input)) {
        spool = spool(ctx, stop);
        file = spool;
      } else {
        file = Path.of(input);
        if (Files.isDirectory(file)) {
          throw new Main.UsageException(
              "--input " + input + " is a directory; give a JSON-lines file or - for stdin");
        }
      }
      return replay(ctx, file, stop, out, err);
    } catch (RuntimeException e) {
      if (!stop.requested()) {
        throw e;
      }
      // the JVM ends as soon as this run says it is done: report here, not after returning
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      err.println("usagesink replay: " + secrets.scrub(m));
      return STOPPED;
    } finally {
      out.flush();
      err.flush();
      stop.replayDone();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running (or ran); it was released above
      }
      if (spool != null) {
        try {
          Files.deleteIfExists(spool);
        } catch (IOException e) {
          err.println(
              "replay: could not delete the temporary copy of standard input "
                  + spool
                  + ": "
                  + e.getMessage());
        }
      }
    }
  }

  private int replay(CliContext ctx, Path file, StopSignal stop, PrintWriter out, PrintWriter err) {
    if (stop.requested()) {
      return stoppedBeforeRecording(err, 0);
    }
    EventLines.Validation v;
    try (InputStream in = open(file)) {
      v = EventLines.validate(in, stop::requested, e -> {});
    } catch (IOException e) {
      throw new Main.UsageException(
          "--input " + inputName() + " cannot be read: " + e.getMessage());
    }
    if (v.stopped()) {
      return stoppedBeforeRecording(err, v.lines());
    }
    if (!v.ok()) {
      for (EventLines.LineError e : v.errors()) {
        err.println(e.message());
      }
      if (v.errorCount() > v.errors().size()) {
        err.println("... and " + (v.errorCount() - v.errors().size()) + " more bad lines");
      }
      err.println(
          "replay: "
              + v.errorCount()
              + " bad line"
              + (v.errorCount() == 1 ? "" : "s")
              + " in "
              + inputName()
              + "; nothing was recorded");
      err.flush();
      return ExitCode.USAGE;
    }

    // the library's defaults, including its shutdown hook (which closes the sink if the JVM ends)
    SinkConfig.Builder b =
        Configs.fromEnvironment(ctx).toBuilder().backend(backend).closeTimeout(closeTimeout);
    if (redis != null) {
      b.redisUri(redis);
    }
    if (zone != null) {
      b.zone(zone);
    }
    if (layout != null) { // validated by the backend at open(), message naming the property
      b.property(io.usagesink.layout.UsageLayouts.LAYOUT_PROPERTY, layout);
    }
    if (flushInterval != null) {
      b.flushInterval(flushInterval);
    }
    if (journal != null) {
      if (!"buffered".equals(backend)) {
        throw new Main.UsageException(
            "--journal needs --backend buffered (the journal belongs to the buffered"
                + " backend) but the backend is "
                + backend);
      }
      b.property(io.usagesink.buffered.journal.JournalSettings.DIR, journal.toString());
    }
    EventClock eventClock = null;
    if (clock == ClockMode.events) {
      eventClock = new EventClock(v.firstAt() == null ? Instant.now() : v.firstAt());
      b.clock(eventClock);
    }
    SinkConfig config = b.build();

    Recorder recorder =
        new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT)
            .eventClock(eventClock)
            .rate(rate == null ? 0 : rate)
            .stopWhen(stop::requested);
    Progress progress =
        ctx.interactive()
            ? Progress.bar(err, "replay " + backend, v.events(), null)
            : progressLines ? Progress.lines(err, "replay") : Progress.NONE;
    recorder.progress(progress);
    Recorder.Outcome o;
    String inputProblem;
    long read;
    UsageSink sink = UsageSinks.open(config);
    try (EventLines.Events events = new EventLines.Events(open(file))) {
      try {
        o = recorder.run(sink, events);
      } finally {
        progress.finish();
      }
      inputProblem = events.problem();
      read = events.read();
    } catch (IOException e) {
      throw new Main.UsageException(
          "--input " + inputName() + " cannot be read: " + e.getMessage());
    } finally {
      sink.close();
    }
    boolean stopped = stop.requested();
    SinkStats s = stopped ? settled(sink, config.closeTimeout().plusSeconds(2)) : sink.stats();
    String target = RedisOptions.from(config).uri().map(Secrets::maskUri).orElse("(no Redis)");
    out.println(
        "replayed "
            + inputName()
            + " through "
            + backend
            + " into "
            + target
            + " (clock: "
            + clock
            + (rate == null ? "" : ", rate: " + fmt(rate) + " events/s")
            + ")");
    row(out, "events read", read);
    row(out, "recorded", s.recorded());
    row(out, "stored", s.stored());
    row(out, "failed", s.failed());
    row(out, "dropped", s.dropped());
    row(out, "deferred", s.deferred());
    row(out, "rejected", s.rejected());
    row(out, "pending", s.pending());
    row(out, "commands", s.commands());
    row(out, "round trips", s.roundTrips());
    row(out, "flushes", s.flushes());
    // the journal directory: --journal, or usagesink.buffered.journal-dir from the environment
    Path journalDir =
        io.usagesink.buffered.journal.JournalSettings.from(config)
            .map(j -> j.dir().toAbsolutePath())
            .orElse(null);
    if (sink instanceof io.usagesink.buffered.BufferedSink bs) {
      bs.journalStats()
          .ifPresent(
              j ->
                  out.printf(
                      Locale.ROOT,
                      "%-12s %s (%d segments, %d bytes on disk)%n",
                      "journal",
                      journalDir,
                      j.segments(),
                      j.diskBytes()));
    }
    out.printf(Locale.ROOT, "%-12s %.3f s%n", "elapsed", o.total().toNanos() / 1e9);
    out.printf(Locale.ROOT, "%-12s %.1f%n", "events/s", o.eventsPerSecond());
    out.flush();

    List<String> problems = new ArrayList<>(o.withStats(s).problems(backend));
    if (inputProblem != null) {
      problems.add(0, secrets.scrub(inputProblem));
    }
    if (!problems.isEmpty()) {
      err.println("replay: not all data was stored: " + String.join("; ", problems));
      for (String line : reasonLines(sink.failureReasons(), MAX_REASONS)) {
        err.println(secrets.scrub(line));
      }
    }
    if (s.deferred() > 0) {
      err.println(
          "replay: "
              + s.deferred()
              + " events were not stored by the close deadline and stay in the journal "
              + journalDir
              + "; they are not lost: the next sink opened on that directory stores them (e.g."
              + " replay --backend buffered --journal "
              + journalDir
              + " --input /dev/null)");
    }
    if (stopped) {
      err.println(
          "replay: stopped by a shutdown signal after reading "
              + read
              + " of "
              + v.events()
              + " events; the sink was closed and the counts above are final");
    }
    err.flush();
    if (stopped) {
      return STOPPED;
    }
    return problems.isEmpty() ? ExitCode.OK : ExitCode.SOFTWARE;
  }

  /**
   * The sink's counters once it is quiescent: when the sink's own shutdown hook closed it first,
   * our {@code close()} returned at once while that close may still be storing; wait for it (at
   * most {@code max}).
   */
  private static SinkStats settled(UsageSink sink, Duration max) {
    long until = System.nanoTime() + max.toNanos();
    SinkStats s = sink.stats();
    while ((s.pending() > 0 || s.stored() + s.failed() + s.dropped() + s.deferred() < s.recorded())
        && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      s = sink.stats();
    }
    return s;
  }

  private int stoppedBeforeRecording(PrintWriter err, long lines) {
    err.println(
        "replay: stopped by a shutdown signal while validating "
            + inputName()
            + " (after "
            + lines
            + " lines); nothing was recorded");
    err.flush();
    return STOPPED;
  }

  /**
   * Lines naming why events failed, most frequent first: at most {@code max} lines, the last one
   * saying how many more reasons there are when they do not all fit.
   */
  static List<String> reasonLines(Map<String, Long> reasons, int max) {
    List<String> lines = new ArrayList<>();
    if (reasons.isEmpty()) {
      return lines;
    }
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(reasons.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    int shown = sorted.size() <= max ? sorted.size() : max - 1;
    for (int i = 0; i < shown; i++) {
      Map.Entry<String, Long> e = sorted.get(i);
      lines.add(
          String.format(
              Locale.ROOT,
              "  %,d event%s: %s",
              e.getValue(),
              e.getValue() == 1 ? "" : "s",
              oneLine(e.getKey())));
    }
    if (shown < sorted.size()) {
      long more = 0;
      for (int i = shown; i < sorted.size(); i++) {
        more += sorted.get(i).getValue();
      }
      lines.add(
          String.format(
              Locale.ROOT, "  ... and %d more reasons (%,d events)", sorted.size() - shown, more));
    }
    return lines;
  }

  private static String oneLine(String reason) {
    String r = reason.replaceAll("\\s+", " ").strip();
    return Ascii.truncate(r, 300, "...");
  }

  /**
   * Copies standard input to a temporary file (deleted on exit), so it can be read twice in bounded
   * memory; stops early when a shutdown signal arrives.
   */
  private Path spool(CliContext ctx, StopSignal stop) {
    Path tmp;
    try {
      tmp = Files.createTempFile("usagesink-replay-", ".jsonl");
    } catch (IOException e) {
      throw new Main.UsageException(
          "cannot create a temporary file for standard input: "
              + e.getMessage()
              + " (set -Djava.io.tmpdir, or give the events as a file)");
    }
    tmp.toFile().deleteOnExit();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = ctx.stdin();
        OutputStream copy = Files.newOutputStream(tmp)) {
      for (int n = in.read(buf); n >= 0 && !stop.requested(); n = in.read(buf)) {
        copy.write(buf, 0, n);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // deleted on exit
      }
      throw new Main.UsageException(
          "standard input could not be copied to " + tmp + ": " + e.getMessage());
    }
    return tmp;
  }

  private InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new Main.UsageException("--input " + input + ": no such file");
    } catch (IOException e) {
      throw new Main.UsageException(
          "--input " + inputName() + " cannot be read: " + e.getMessage());
    }
  }

  private String inputName() {
    return "-".equals(input) ? "standard input" : input;
  }

  private static void row(PrintWriter out, String name, long value) {
    out.printf(Locale.ROOT, "%-12s %d%n", name, value);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /**
   * The stop request of one run, set by the JVM shutdown hook (SIGTERM, SIGINT), which then waits
   * (at most a bound) until the replay has closed the sink and printed its counts. Thread-safe.
   */
  static final class StopSignal {
    private final Duration maxWait;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean requested;

    StopSignal(Duration maxWait) {
      this.maxWait = maxWait;
    }

    /** Whether a stop was requested. */
    boolean requested() {
      return requested;
    }

    /** The hook's body: ask the replay to stop, and wait until it says it is done (bounded). */
    void awaitReplay() {
      requested = true;
      try {
        done.await(maxWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** The replay has finished (printed everything); the hook may return. */
    void replayDone() {
      done.countDown();
    }
  }
}
