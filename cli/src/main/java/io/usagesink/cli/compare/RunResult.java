package io.usagesink.cli.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The measurements of one backend on one workload. Immutable.
 *
 * @param workload the workload's name
 * @param backend the backend configuration
 * @param events events recorded
 * @param clientCommandsPerEvent commands the client sent, per event (server-side count; see {@link
 *     io.usagesink.launcher.CommandCounts})
 * @param scriptCommandsPerEvent commands Redis ran inside scripts, per event
 * @param serverCommandsPerEvent billed commands per event: client + inside scripts
 * @param roundTripsPerEvent network round trips per event (the sink's own count)
 * @param eventsPerSecond events over the time from the first record until close returned
 * @param p50Micros median duration of a {@code record()} call, microseconds
 * @param p99Micros 99th percentile, microseconds
 * @param maxMicros maximum, microseconds
 * @param stateMatchesPipeline whether the final Redis state equals the workload's expected state:
 *     what an exact run of the pipeline backend stores, computed independently of every backend
 *     ({@link ExpectedState}); for compact rows their CRS view, for frugal rows without zero fields
 *     (the name is kept for scripts that read it)
 * @param projection the seed-day projection, or {@code null} for other workloads
 * @param keys statistics keys in Redis after the run
 * @param seconds duration of the run (record + close)
 * @param stateDifferences the first differences to the pipeline's state, if any
 * @param problems what went wrong (failed, dropped, unconfirmed events), if anything
 * @param commands the server-side command counts of the run (name -> calls)
 * @param sustainedEventsPerSecond events per second of the backend's time-bounded sustained phase
 *     (the same figure on each workload's row), or {@code null} when it did not run
 */
public record RunResult(
    String workload,
    BackendSpec backend,
    long events,
    double clientCommandsPerEvent,
    double scriptCommandsPerEvent,
    double serverCommandsPerEvent,
    double roundTripsPerEvent,
    double eventsPerSecond,
    double p50Micros,
    double p99Micros,
    double maxMicros,
    Boolean stateMatchesPipeline,
    Projection projection,
    long keys,
    double seconds,
    List<String> stateDifferences,
    List<String> problems,
    Map<String, Long> commands,
    Double sustainedEventsPerSecond) {

  /** Requests per day of the originating scenario. */
  public static final int SCENARIO_REQUESTS_PER_DAY = 3_000;

  /** Per-command price of the originating scenario: 0.20 USD per 100,000 commands. */
  public static final double USD_PER_100K_COMMANDS = 0.20;

  /** Days per month in the projection. */
  public static final int DAYS_PER_MONTH = 30;

  /** Commands a month of the originating service's free tier. */
  public static final int FREE_TIER_COMMANDS_PER_MONTH = 500_000;

  /** This result with the sustained phase's figure and its problems (if any) added. */
  public RunResult withSustained(Double sustained, List<String> sustainProblems) {
    List<String> all = new ArrayList<>(problems);
    all.addAll(sustainProblems);
    return new RunResult(
        workload,
        backend,
        events,
        clientCommandsPerEvent,
        scriptCommandsPerEvent,
        serverCommandsPerEvent,
        roundTripsPerEvent,
        eventsPerSecond,
        p50Micros,
        p99Micros,
        maxMicros,
        stateMatchesPipeline,
        projection,
        keys,
        seconds,
        stateDifferences,
        List.copyOf(all),
        commands,
        sustained);
  }

  /**
   * The originating note's question: billed commands per day for 3,000 requests a day, and what a
   * month of that costs at 0.20 USD per 100,000 commands (30-day month).
   *
   * @param billedCommands billed commands per day
   * @param usdPerMonth USD per 30-day month
   */
  public record Projection(double billedCommands, double usdPerMonth) {
    public static Projection ofPerEvent(double billedPerEvent) {
      return ofPerDay(billedPerEvent * SCENARIO_REQUESTS_PER_DAY);
    }

    static Projection ofPerDay(double billedPerDay) {
      return new Projection(
          billedPerDay, billedPerDay * DAYS_PER_MONTH * USD_PER_100K_COMMANDS / 100_000);
    }

    /**
     * Whether a 30-day month of it fits the free tier ({@value
     * RunResult#FREE_TIER_COMMANDS_PER_MONTH} commands).
     */
    public boolean fitsFreeTier() {
      return billedCommands * DAYS_PER_MONTH <= FREE_TIER_COMMANDS_PER_MONTH;
    }
  }

  /** A figure from the originating note, for comparison. */
  public record NoteFigure(String label, double commandsPerDay) {
    public double perRequest() {
      return commandsPerDay / SCENARIO_REQUESTS_PER_DAY;
    }

    public Projection projection() {
      return Projection.ofPerDay(commandsPerDay);
    }
  }

  /** The note's own figures for 3,000 requests a day. */
  public static final List<NoteFigure> NOTE_FIGURES =
      List.of(
          new NoteFigure("note: today (full statistics)", 482_640),
          new NoteFigure("note: dimensions cut", 144_000),
          new NoteFigure("note: statistics off", 15_000));
}
