package io.usagesink.testkit.redis;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.CommandCounts;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs one workload through several sinks, one after the other, on a fixture Redis, and reports for
 * each sink its stats, the commands the server ran (client, inside scripts, billed) and the state
 * it left:
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class StrategiesIT {
 *   @Test
 *   void bufferedLeavesTheStateOfLuaWithFewerCommands(RedisServer redis) {
 *     SinkComparison.Result r = SinkComparison.on(redis)
 *         .workload(Workloads.random(42, 5_000))
 *         .sink("lua", config -> UsageSinks.open(config.toBuilder().backend("redis-lua").build()))
 *         .sink("buffered", config -> UsageSinks.open(config.toBuilder().backend("buffered").build()))
 *         .run();
 *     r.assertSameState(Duration.ofSeconds(90));
 *     assertThat(r.get("buffered").commands().billed()).isLessThan(r.get("lua").commands().billed());
 *   }
 * }
 * }</pre>
 *
 * <p>For each sink, in the order added: the server is emptied ({@code FLUSHALL}), its command stats
 * taken, a sink made from the base config with the fixture's URI, every event recorded (at most
 * {@value #WINDOW} stages outstanding), the sink closed (which flushes), the command stats taken
 * again and the state read with {@link StateDump#read}, without the sinks' bookkeeping keys (those
 * starting with the config's {@code keyPrefix()}, {@code usagesink:} by default: journals, guards)
 * unless {@link Builder#keys} says otherwise. The runs block the calling thread; a builder is not
 * thread-safe. A failed record stage, or a run exceeding the timeout (default 5 minutes), fails
 * {@link Builder#run()} with an {@link AssertionError} naming the sink.
 */
public final class SinkComparison {
  /**
   * Record stages a run keeps outstanding, so a loaded machine does not run into command timeouts.
   */
  public static final int WINDOW = 512;

  private SinkComparison() {}

  /** A comparison on one fixture server. */
  public static Builder on(RedisServer redis) {
    Objects.requireNonNull(redis, "redis");
    return new Builder(
        redis.authenticatedUri(),
        redis::flushAll,
        redis::commandStats,
        () -> StateDump.read(redis));
  }

  /**
   * A comparison on a fixture cluster (the sinks get its cluster URI; the state is read from every
   * node).
   */
  public static Builder on(RedisClusterHandle cluster) {
    Objects.requireNonNull(cluster, "cluster");
    return new Builder(
        cluster.uri(), cluster::flushAll, cluster::commandStats, () -> StateDump.read(cluster));
  }

  /** What to compare: the workload, the sinks, the base config. */
  public static final class Builder {
    private final String uri;
    private final Runnable flushAll;
    private final Supplier<CommandStats> commandStats;
    private final Supplier<StateDump> dump;
    private final Map<String, Function<SinkConfig, UsageSink>> sinks = new LinkedHashMap<>();
    private List<UsageEvent> workload = List.of();
    private SinkConfig config = SinkConfig.builder().build();
    private BiConsumer<String, SinkConfig> afterEach = (name, config) -> {};
    private Duration timeout = Duration.ofMinutes(5);
    private Predicate<String> keys;

    private Builder(
        String uri,
        Runnable flushAll,
        Supplier<CommandStats> commandStats,
        Supplier<StateDump> dump) {
      this.uri = uri;
      this.flushAll = flushAll;
      this.commandStats = commandStats;
      this.dump = dump;
    }

    /** The events every sink records, in this order (e.g. {@code Workloads.random(seed, n)}). */
    public Builder workload(List<UsageEvent> events) {
      workload = List.copyOf(events);
      return this;
    }

    /**
     * The config each sink factory gets, with its Redis URI replaced by the fixture's (default:
     * {@code SinkConfig.builder().build()}); set the zone, layout or flush interval here.
     */
    public Builder config(SinkConfig base) {
      config = Objects.requireNonNull(base, "base");
      return this;
    }

    /** A sink to run, made by {@code factory} from the config; names must be unique. */
    public Builder sink(String name, Function<SinkConfig, UsageSink> factory) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(factory, "factory");
      if (sinks.putIfAbsent(name, factory) != null) {
        throw new IllegalArgumentException("a sink named " + name + " was already added");
      }
      return this;
    }

    /**
     * Called after each run with the sink's name and config while its state is still on the server
     * (e.g. to query it with a reader); default: nothing.
     */
    public Builder afterEach(BiConsumer<String, SinkConfig> action) {
      afterEach = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Which keys of a run's state to keep and compare; default: those not starting with the
     * config's key prefix.
     */
    public Builder keys(Predicate<String> filter) {
      keys = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** The longest one run may take (recording and close); default 5 minutes. */
    public Builder timeout(Duration runTimeout) {
      timeout = Objects.requireNonNull(runTimeout, "runTimeout");
      return this;
    }

    /**
     * Runs every sink in turn and returns what each did.
     *
     * @throws IllegalStateException when no sink was added
     * @throws AssertionError when a record stage fails or a run exceeds the timeout
     */
    public Result run() {
      if (sinks.isEmpty()) {
        throw new IllegalStateException("add at least one sink to compare");
      }
      SinkConfig runConfig = config.toBuilder().redisUri(uri).build();
      String bookkeeping = LayoutSettings.from(runConfig).keyPrefix();
      Predicate<String> kept =
          keys != null ? keys : k -> bookkeeping.isEmpty() || !k.startsWith(bookkeeping);
      Map<String, SinkRun> runs = new LinkedHashMap<>();
      sinks.forEach(
          (name, factory) -> {
            runs.put(name, runOne(name, factory, runConfig, kept));
            afterEach.accept(name, runConfig);
          });
      return new Result(workload.size(), runs);
    }

    private SinkRun runOne(
        String name,
        Function<SinkConfig, UsageSink> factory,
        SinkConfig runConfig,
        Predicate<String> kept) {
      flushAll.run();
      CommandStats before = commandStats.get();
      long start = System.nanoTime();
      UsageSink sink = factory.apply(runConfig);
      try {
        Semaphore window = new Semaphore(WINDOW);
        List<CompletableFuture<Void>> stages = new ArrayList<>(workload.size());
        for (UsageEvent e : workload) {
          window.acquire();
          CompletableFuture<Void> stage = sink.record(e).toCompletableFuture();
          stage.whenComplete((r, x) -> window.release());
          stages.add(stage);
        }
        CompletableFuture.allOf(stages.toArray(CompletableFuture<?>[]::new))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError(name + ": a record stage failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new AssertionError(
            name + ": recording " + workload.size() + " events took over " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(name + ": interrupted", e);
      } finally {
        sink.close(); // flushes
      }
      SinkStats stats = sink.stats();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      CommandStats delta = commandStats.get().minus(before);
      return new SinkRun(
          name,
          stats,
          delta,
          CommandCounts.of(delta, stats.commands()),
          dump.get().filter(kept),
          took);
    }
  }

  /**
   * What one sink did with the workload.
   *
   * @param name the sink's name in the comparison
   * @param stats the sink's stats after close
   * @param commandStats every command the server ran during the run (the fixture's own {@code INFO}
   *     included)
   * @param commands {@code commandStats} split into client, inside-script and billed commands
   * @param state every key the run left, read after close
   * @param took from the first record to the end of close
   */
  public record SinkRun(
      String name,
      SinkStats stats,
      CommandStats commandStats,
      CommandCounts commands,
      StateDump state,
      Duration took) {

    /** Billed commands per event of a workload of {@code events}. */
    public double billedPerEvent(int events) {
      return events == 0 ? 0 : (double) commands.billed() / events;
    }
  }

  /**
   * The runs of a comparison, in the order the sinks were added. Immutable.
   *
   * @param events how many events each sink recorded
   * @param runs sink name to its run
   */
  public record Result(int events, Map<String, SinkRun> runs) {

    /** Copies the runs, keeping their order. */
    public Result {
      runs = Collections.unmodifiableMap(new LinkedHashMap<>(runs));
    }

    /**
     * The run of the sink named {@code name}.
     *
     * @throws IllegalArgumentException naming the sinks there are when there is none of that name
     */
    public SinkRun get(String name) {
      SinkRun run = runs.get(name);
      if (run == null) {
        throw new IllegalArgumentException(
            "no sink named " + name + "; the comparison ran " + runs.keySet());
      }
      return run;
    }

    /**
     * How the state of {@code name} differs from that of {@code reference} (TTLs within {@code
     * ttlTolerance}).
     */
    public StateDiff diff(String name, String reference, Duration ttlTolerance) {
      return get(name).state().diff(get(reference).state(), ttlTolerance);
    }

    /**
     * Asserts that every sink left the state of the first one, TTLs within {@code ttlTolerance}
     * (runs one after the other drift by the difference of their durations: allow a minute or more
     * on a loaded machine). The failure lists the differences of each sink that differs, one per
     * line.
     */
    public void assertSameState(Duration ttlTolerance) {
      String first = runs.keySet().iterator().next();
      StringBuilder failures = new StringBuilder();
      for (String name : runs.keySet()) {
        StateDiff d = diff(name, first, ttlTolerance);
        if (!d.isEmpty()) {
          failures.append('\n').append(name).append(" vs ").append(first).append(": ").append(d);
        }
      }
      if (failures.length() > 0) {
        throw new AssertionError(
            "the sinks left different states (TTLs within "
                + ttlTolerance.toSeconds()
                + " s):"
                + failures);
      }
    }

    /**
     * One line per sink: events, client / inside-script / billed commands per event, time; for a
     * test's output.
     */
    public String table() {
      StringBuilder sb =
          new StringBuilder(
              String.format(
                  "%-24s %8s %10s %10s %10s %8s%n",
                  "sink", "events", "client/ev", "script/ev", "billed/ev", "seconds"));
      runs.values()
          .forEach(
              r ->
                  sb.append(
                      String.format(
                          "%-24s %8d %10.2f %10.2f %10.2f %8.1f%n",
                          r.name(),
                          events,
                          per(r.commands().client()),
                          per(r.commands().insideScripts()),
                          per(r.commands().billed()),
                          r.took().toMillis() / 1000.0)));
      return sb.toString();
    }

    private double per(long n) {
      return events == 0 ? 0 : (double) n / events;
    }
  }
}
