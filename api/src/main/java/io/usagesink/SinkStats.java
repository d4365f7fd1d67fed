package io.usagesink;

/**
 * Counters of a sink since it was created. An immutable snapshot.
 *
 * @param recorded events accepted by {@code record}
 * @param rejected events refused by {@code record} (after close, over a capacity limit, ...)
 * @param stored events (or, for aggregating backends, events' worth of counters) confirmed stored
 * @param pending units accepted but not yet confirmed stored: events for per-event backends,
 *     distinct counters for aggregating ones
 * @param failed events whose data could not be stored and was given up (e.g. at close deadline)
 * @param dropped events the backend discards by design or by its overflow policy (noop drops all)
 * @param commands Redis commands sent by the client (an EVALSHA counts one)
 * @param roundTrips network round trips (a pipelined batch counts one)
 * @param flushes completed flushes (batches written)
 * @param retries writes retried after a failure
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
    long retries) {

  /** All counters zero. */
  public static final SinkStats EMPTY = new SinkStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
