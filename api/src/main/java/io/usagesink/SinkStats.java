package io.usagesink;

/**
 * Counters of a sink since it was created: an immutable snapshot. Counters only grow, except {@code
 * pending}. A snapshot taken while other threads record or flush is not atomic across counters;
 * each counter on its own is exact.
 *
 * <p><b>The accounting invariant</b>, which every backend keeps and the testkit contract checks:
 * every event offered to {@code record} is counted exactly once as either {@code recorded} or
 * {@code rejected}, and every recorded event ends as {@code stored}, {@code failed}, {@code
 * dropped} or {@code deferred}. So at quiescence (no {@code record}, {@code flush} or {@code close}
 * in progress), after {@code close()} returned, or after a {@code flush()} whose stage completed
 * normally:
 *
 * <pre>{@code pending == 0  &&  recorded == stored + failed + dropped + deferred}</pre>
 *
 * All five counts are in events. After close nothing is pending: what could not be stored by the
 * deadline is counted {@code failed} when it is given up, or {@code deferred} when the backend
 * keeps it durably for the next sink opened on the same storage (the buffered backend with a
 * journal: the next sink opened on that journal directory stores it, and counts it there as
 * recorded and stored). {@code deferred} is 0 for every backend without such a store. Before close,
 * per-event backends also keep {@code recorded == stored + failed + dropped + deferred + pending}
 * at quiescence; aggregating backends count {@code pending} in distinct counters rather than
 * events, so for them only the form above holds.
 *
 * @param recorded events accepted by {@code record} (a null event is neither recorded nor rejected)
 * @param rejected events refused by {@code record} (after close, over a capacity limit, ...); a
 *     rejected event is not counted in {@code recorded}
 * @param stored events confirmed stored (for aggregating backends: the events whose counters a
 *     confirmed flush carried)
 * @param pending units accepted but not yet confirmed stored: events for per-event backends,
 *     distinct counters for aggregating ones
 * @param failed recorded events whose data could not be stored and was given up (e.g. at the close
 *     deadline, when nothing keeps it)
 * @param dropped recorded events the backend discards by design or by its overflow policy (noop
 *     drops every event)
 * @param commands Redis commands sent by the client (an EVALSHA counts one)
 * @param roundTrips network round trips (a pipelined batch counts one)
 * @param flushes completed flushes (batches written)
 * @param retries writes retried after a failure
 * @param deferred recorded events not stored by this sink but kept durably for the next one opened
 *     on the same storage, which stores them (the buffered backend's journal at the close
 *     deadline); neither stored nor lost
 *     <p>Build one by name with {@link #builder()} (a custom sink's {@code stats()} usually does:
 *     {@code SinkStats.builder().recorded(r).stored(s).pending(p).build()}); the constructor that
 *     takes the first ten counters by position stays for existing code ({@code deferred} 0).
 */
public record SinkStats(
    long recorded,
    long rejected,
    long stored,
    long pending,
    long failed,
    long dropped,
    long commands,
    long roundTrips,
    long flushes,
    long retries,
    long deferred) {

  /** All counters zero. */
  public static final SinkStats EMPTY = new SinkStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /**
   * The counters before {@code deferred} existed, by position; {@code deferred} is 0. Kept for code
   * written against the ten-counter record; new code builds by name with {@link #builder()}.
   */
  public SinkStats(
      long recorded,
      long rejected,
      long stored,
      long pending,
      long failed,
      long dropped,
      long commands,
      long roundTrips,
      long flushes,
      long retries) {
    this(
        recorded,
        rejected,
        stored,
        pending,
        failed,
        dropped,
        commands,
        roundTrips,
        flushes,
        retries,
        0);
  }

  /** A builder with every counter zero. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this snapshot's counters, e.g. to change one: {@code
   * stats.toBuilder().failed(3).build()}.
   */
  public Builder toBuilder() {
    return new Builder()
        .recorded(recorded)
        .rejected(rejected)
        .stored(stored)
        .pending(pending)
        .failed(failed)
        .dropped(dropped)
        .commands(commands)
        .roundTrips(roundTrips)
        .flushes(flushes)
        .retries(retries)
        .deferred(deferred);
  }

  /**
   * Builds a {@link SinkStats} by counter name; a counter not set is zero. Each setter throws
   * {@link IllegalArgumentException} for a negative value, naming the counter. Not thread-safe;
   * {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private long recorded;
    private long rejected;
    private long stored;
    private long pending;
    private long failed;
    private long dropped;
    private long commands;
    private long roundTrips;
    private long flushes;
    private long retries;
    private long deferred;

    private Builder() {}

    /** See {@link SinkStats#recorded()}. */
    public Builder recorded(long value) {
      recorded = count("recorded", value);
      return this;
    }

    /** See {@link SinkStats#rejected()}. */
    public Builder rejected(long value) {
      rejected = count("rejected", value);
      return this;
    }

    /** See {@link SinkStats#stored()}. */
    public Builder stored(long value) {
      stored = count("stored", value);
      return this;
    }

    /** See {@link SinkStats#pending()}. */
    public Builder pending(long value) {
      pending = count("pending", value);
      return this;
    }

    /** See {@link SinkStats#failed()}. */
    public Builder failed(long value) {
      failed = count("failed", value);
      return this;
    }

    /** See {@link SinkStats#dropped()}. */
    public Builder dropped(long value) {
      dropped = count("dropped", value);
      return this;
    }

    /** See {@link SinkStats#commands()}. */
    public Builder commands(long value) {
      commands = count("commands", value);
      return this;
    }

    /** See {@link SinkStats#roundTrips()}. */
    public Builder roundTrips(long value) {
      roundTrips = count("roundTrips", value);
      return this;
    }

    /** See {@link SinkStats#flushes()}. */
    public Builder flushes(long value) {
      flushes = count("flushes", value);
      return this;
    }

    /** See {@link SinkStats#retries()}. */
    public Builder retries(long value) {
      retries = count("retries", value);
      return this;
    }

    /** See {@link SinkStats#deferred()}. */
    public Builder deferred(long value) {
      deferred = count("deferred", value);
      return this;
    }

    /** The snapshot of the counters set so far. */
    public SinkStats build() {
      return new SinkStats(
          recorded,
          rejected,
          stored,
          pending,
          failed,
          dropped,
          commands,
          roundTrips,
          flushes,
          retries,
          deferred);
    }

    private static long count(String name, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
      }
      return value;
    }
  }
}
