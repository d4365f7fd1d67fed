package io.usagesink.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.usagesink.SinkStats;
import io.usagesink.UsageSink;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Binds the counters of a {@link UsageSink}'s {@link UsageSink#stats()} to a {@link MeterRegistry}.
 * Every meter is tagged {@code backend} (the name given here) plus the extra tags:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>{@value #EVENTS}</td><td>function counter, tag {@code outcome} = {@code recorded},
 *       {@code stored}, {@code failed}, {@code dropped}, {@code deferred}, {@code rejected}</td>
 *       <td>the {@link SinkStats} counter of that name</td></tr>
 *   <tr><td>{@value #PENDING}</td><td>gauge</td><td>{@link SinkStats#pending()}: events, or distinct
 *       counters for an aggregating backend</td></tr>
 *   <tr><td>{@value #COMMANDS}</td><td>function counter</td><td>{@link SinkStats#commands()}</td></tr>
 *   <tr><td>{@value #ROUND_TRIPS}</td><td>function counter</td><td>{@link SinkStats#roundTrips()}</td></tr>
 *   <tr><td>{@value #FLUSHES}</td><td>function counter</td><td>{@link SinkStats#flushes()}</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>function counter</td><td>{@link SinkStats#retries()}</td></tr>
 *   <tr><td>{@code usagesink.<name>}, e.g. {@value #JOURNAL_BYTES}</td><td>gauge</td><td>each of the
 *       sink's {@link UsageSink#gauges()} (the buffered backend's journal: {@code journal.bytes}, base unit
 *       bytes, and {@code journal.segments}), read when sampled</td></tr>
 * </table>
 *
 * <p>No thread and no polling: each meter reads {@code stats()} when the registry samples it (on
 * scrape or publish); {@code stats()} is cheap and never blocks. Like Micrometer's own binders, the
 * meters hold the sink weakly: once it is garbage collected they report {@code NaN}. Binding the
 * same sink twice to one registry with the same tags reuses the meters (Micrometer's rule).
 * Immutable and thread-safe; {@link #bindTo(MeterRegistry)} may be called for several registries.
 */
public final class UsageSinkMetrics implements MeterBinder {

  /** Events by {@code outcome}. */
  public static final String EVENTS = "usagesink.events";

  /** Units accepted but not yet stored. */
  public static final String PENDING = "usagesink.pending";

  /** Redis commands the client sent. */
  public static final String COMMANDS = "usagesink.redis.commands";

  /** Network round trips to Redis. */
  public static final String ROUND_TRIPS = "usagesink.redis.round.trips";

  /** Completed flushes. */
  public static final String FLUSHES = "usagesink.flushes";

  /** Writes retried after a failure. */
  public static final String RETRIES = "usagesink.retries";

  /** Disk used by the buffered backend's journal (from {@link UsageSink#gauges()}). */
  public static final String JOURNAL_BYTES = "usagesink.journal.bytes";

  /** The tag naming the backend. */
  public static final String BACKEND_TAG = "backend";

  /** The tag of {@value #EVENTS} naming the outcome. */
  public static final String OUTCOME_TAG = "outcome";

  private static final List<Outcome> OUTCOMES =
      List.of(
          new Outcome("recorded", SinkStats::recorded, "Events accepted by record"),
          new Outcome("stored", SinkStats::stored, "Recorded events confirmed stored"),
          new Outcome(
              "failed",
              SinkStats::failed,
              "Recorded events that could not be stored and were given up"),
          new Outcome(
              "dropped",
              SinkStats::dropped,
              "Recorded events discarded by design or by an overflow policy"),
          new Outcome(
              "deferred",
              SinkStats::deferred,
              "Recorded events not stored by close but kept (in the buffered backend's journal) for"
                  + " the next sink, which stores them"),
          new Outcome(
              "rejected", SinkStats::rejected, "Events refused by record (closed, over capacity)"));

  private final UsageSink sink;
  private final Tags tags;

  /**
   * Meters for {@code sink}, tagged {@code backend=backend}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code backend} is blank
   */
  public UsageSinkMetrics(UsageSink sink, String backend) {
    this(sink, backend, Tags.empty());
  }

  /**
   * Meters for {@code sink}, tagged {@code backend=backend} and with {@code tags}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code backend} is blank, or {@code tags} has a {@code
   *     backend} or {@code outcome} tag (those are this binder's)
   */
  public UsageSinkMetrics(UsageSink sink, String backend, Iterable<Tag> tags) {
    this.sink = Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(tags, "tags");
    if (backend.isBlank()) {
      throw new IllegalArgumentException(
          "backend must be a non-blank name like redis-lua but was \"" + backend + "\"");
    }
    for (Tag t : tags) {
      if (t.getKey().equals(BACKEND_TAG) || t.getKey().equals(OUTCOME_TAG)) {
        throw new IllegalArgumentException(
            "tags must not contain the tag "
                + t.getKey()
                + " (set by UsageSinkMetrics) but had "
                + t.getKey()
                + "="
                + t.getValue());
      }
    }
    this.tags = Tags.of(tags).and(BACKEND_TAG, backend.strip());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    for (Outcome o : OUTCOMES) {
      counter(registry, EVENTS, o.counter, o.description, "events", tags.and(OUTCOME_TAG, o.name));
    }
    Gauge.builder(PENDING, sink, s -> s.stats().pending())
        .tags(tags)
        .description(
            "Units accepted but not yet stored: events, or distinct counters for an aggregating"
                + " backend")
        .register(registry);
    counter(
        registry,
        COMMANDS,
        SinkStats::commands,
        "Redis commands sent by the client (an EVALSHA counts one)",
        "commands",
        tags);
    counter(
        registry,
        ROUND_TRIPS,
        SinkStats::roundTrips,
        "Network round trips to Redis (a pipelined batch counts one)",
        null,
        tags);
    counter(
        registry, FLUSHES, SinkStats::flushes, "Completed flushes (batches written)", null, tags);
    counter(registry, RETRIES, SinkStats::retries, "Writes retried after a failure", null, tags);
    for (String name : sink.gauges().keySet()) {
      Gauge.builder(
              "usagesink." + name,
              sink,
              s -> {
                Long v = s.gauges().get(name);
                return v == null ? Double.NaN : v;
              })
          .tags(tags)
          .description("The sink's own measure " + name)
          .baseUnit(name.endsWith(".bytes") ? "bytes" : null)
          .register(registry);
    }
  }

  /**
   * A function counter over one stats counter; {@code unit} only where it is the name's last word
   * (Prometheus).
   */
  private void counter(
      MeterRegistry registry,
      String name,
      ToLongFunction<SinkStats> counter,
      String description,
      String unit,
      Tags meterTags) {
    FunctionCounter.builder(name, sink, s -> counter.applyAsLong(s.stats()))
        .tags(meterTags)
        .description(description)
        .baseUnit(unit)
        .register(registry);
  }

  @Override
  public String toString() {
    return "UsageSinkMetrics" + tags;
  }

  /** One value of the {@code outcome} tag. */
  private record Outcome(String name, ToLongFunction<SinkStats> counter, String description) {}
}
