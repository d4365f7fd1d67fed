package io.usagesink.cli;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: validates a whole JSON-lines file of usage events, then records every event
 * through one backend, closes the sink (which stores what is pending) and prints what happened.
 * A bad line exits 2 before anything is recorded; data that could not be stored exits 1.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Record every event of a JSON-lines file through one backend, close it and print the counts.",
        "The whole input is validated first: any bad line exits 2 and nothing is recorded.",
        "Event line: {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\",\"model\":\"...\","
            + "\"inputTokens\":1200,\"outputTokens\":350,...}",
        "Exit codes: 0 all stored; 1 some data could not be stored; 2 bad options or input."
    })
final class ReplayCommand implements Callable<Integer>, Main.SecretAware {

  /** How the sink's clock moves. */
  enum ClockMode {
    /** The system clock. */
    wall,
    /** The events' timestamps: each event advances the clock to its time. */
    events
  }

  @ParentCommand
  private Main main;

  @Spec
  private CommandSpec spec;

  @Option(names = "--backend", required = true, paramLabel = "NAME",
      description = "The backend: redis-pipeline, redis-lua, buffered, noop (or any on the class path).")
  private String backend;

  @Option(names = "--redis", paramLabel = "URI", converter = Converters.RedisUri.class,
      description = "Redis URI (redis://, rediss://, user:password@); default: REDIS_URL / usagesink.redis.uri.")
  private String redis;

  @Option(names = "--layout", paramLabel = "crs|compact",
      description = "Statistics layout (usagesink.layout); compact needs --backend buffered; default: crs.")
  private String layout;

  @Option(names = "--input", required = true, paramLabel = "FILE|-",
      description = "JSON-lines events; - reads standard input.")
  private String input;

  @Option(names = "--zone", paramLabel = "ZONE", converter = Converters.Zone.class,
      description = "Zone of the day/hour/month buckets (e.g. UTC, +08:00); default: usagesink.zone or UTC.")
  private ZoneId zone;

  @Option(names = "--rate", paramLabel = "EVENTS_PER_S", converter = Converters.Rate.class,
      description = "Pace recording at this many events per second of real time; default: as fast as possible.")
  private Double rate;

  @Option(names = "--clock", paramLabel = "wall|events", defaultValue = "wall",
      description = "The sink's time source: wall (system clock, default) or events (follows the events' "
          + "timestamps, so a simulated day replays in seconds).")
  private ClockMode clock;

  @Option(names = "--flush-interval", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
      description = "Flush interval of the buffered backend (e.g. 1s, 60s).")
  private Duration flushInterval;

  @Option(names = "--close-timeout", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
      defaultValue = "30s", description = "How long closing (storing what is pending) may take; default: ${DEFAULT-VALUE}.")
  private Duration closeTimeout;

  private Secrets secrets = Secrets.of();

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Integer call() {
    CliContext ctx = main.context();
    secrets = Secrets.of(redis, ctx.env("REDIS_URL"), ctx.properties().getProperty("usagesink.redis.uri"));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    EventLines.Parsed parsed = read(ctx);
    if (!parsed.ok()) {
      for (EventLines.LineError e : parsed.errors()) {
        err.println(e.message());
      }
      if (parsed.errorCount() > parsed.errors().size()) {
        err.println("... and " + (parsed.errorCount() - parsed.errors().size()) + " more bad lines");
      }
      err.println("replay: " + parsed.errorCount() + " bad line" + (parsed.errorCount() == 1 ? "" : "s")
          + " in " + inputName() + "; nothing was recorded");
      err.flush();
      return Main.USAGE;
    }
    List<UsageEvent> events = parsed.events();

    SinkConfig.Builder b = Configs.fromEnvironment(ctx).toBuilder()
        .backend(backend)
        .closeTimeout(closeTimeout)
        .shutdownHook(false);
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
    EventClock eventClock = null;
    if (clock == ClockMode.events) {
      eventClock = new EventClock(events.isEmpty() ? Instant.now() : events.get(0).at());
      b.clock(eventClock);
    }
    SinkConfig config = b.build();

    Recorder recorder = new Recorder(Recorder.DEFAULT_MAX_IN_FLIGHT).eventClock(eventClock)
        .rate(rate == null ? 0 : rate);
    Progress progress = ctx.interactive()
        ? Progress.bar(err, "replay " + backend, events.size(), null) : Progress.NONE;
    recorder.progress(progress);
    UsageSink sink = UsageSinks.open(config);
    Recorder.Outcome o;
    try {
      o = recorder.run(sink, events.iterator());
    } finally {
      progress.finish();
    }
    SinkStats s = o.stats();
    String target = config.redisUri().map(Secrets::maskUri).orElse("(no Redis)");
    out.println("replayed " + inputName() + " through " + backend + " into " + target
        + " (clock: " + clock + (rate == null ? "" : ", rate: " + fmt(rate) + " events/s") + ")");
    row(out, "events read", events.size());
    row(out, "recorded", s.recorded());
    row(out, "stored", s.stored());
    row(out, "failed", s.failed());
    row(out, "dropped", s.dropped());
    row(out, "rejected", s.rejected());
    row(out, "pending", s.pending());
    row(out, "commands", s.commands());
    row(out, "round trips", s.roundTrips());
    row(out, "flushes", s.flushes());
    out.printf(Locale.ROOT, "%-12s %.3f s%n", "elapsed", o.total().toNanos() / 1e9);
    out.printf(Locale.ROOT, "%-12s %.1f%n", "events/s", o.eventsPerSecond());
    out.flush();

    List<String> problems = problems(o, backend);
    if (!problems.isEmpty()) {
      err.println("replay: not all data was stored: " + String.join("; ", problems));
      err.flush();
      return Main.FAILED;
    }
    return Main.OK;
  }

  /**
   * Why the data cannot be taken as stored, or nothing. The noop backend drops every event by
   * design (the user chose "statistics off"), so its {@code dropped} count is not a failure.
   */
  static List<String> problems(Recorder.Outcome o, String backend) {
    SinkStats s = o.stats();
    List<String> p = new java.util.ArrayList<>();
    if (s.failed() > 0) {
      p.add(s.failed() + " failed");
    }
    if (s.rejected() > 0) {
      p.add(s.rejected() + " rejected");
    }
    if (s.dropped() > 0 && !"noop".equals(backend)) {
      p.add(s.dropped() + " dropped");
    }
    if (s.pending() > 0) {
      p.add(s.pending() + " still pending after close (close timeout reached)");
    }
    if (o.failed() > 0) {
      p.add(o.failed() + " record() stages completed exceptionally (first: " + o.firstFailure() + ")");
    }
    if (o.unconfirmed() > 0) {
      p.add(o.unconfirmed() + " record() stages not complete after close");
    }
    return p;
  }

  private EventLines.Parsed read(CliContext ctx) {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      if ("-".equals(input)) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(ctx.stdin(), decoder))) {
          return EventLines.readAll(r);
        }
      }
      Path path = Path.of(input);
      if (Files.isDirectory(path)) {
        throw new Main.UsageException("--input " + input + " is a directory; give a JSON-lines file or - for stdin");
      }
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder))) {
        return EventLines.readAll(r);
      }
    } catch (NoSuchFileException e) {
      throw new Main.UsageException("--input " + input + ": no such file");
    } catch (CharacterCodingException e) {
      throw new Main.UsageException("--input " + inputName() + " is not valid UTF-8 text");
    } catch (IOException e) {
      throw new Main.UsageException("--input " + inputName() + " cannot be read: " + e.getMessage());
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
}
