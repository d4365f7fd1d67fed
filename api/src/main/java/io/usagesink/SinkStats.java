package io.usagesink;

/**
 * Counters of a sink since it was created: an immutable snapshot. Counters only grow, except
 * {@code pending}. A snapshot taken while other threads record or flush is not atomic across
 * counters; each counter on its own is exact.
 *
 * <p><b>The accounting invariant</b>, which every backend keeps and the testkit contract checks:
 * every event offered to {@code record} is counted exactly once as either {@code recorded} or
 * {@code rejected}, and every recorded event ends as {@code stored}, {@code failed} or {@code
 * dropped}. So at quiescence (no {@code record}, {@code flush} or {@code close} in progress), after
 * {@code close()} returned, or after a {@code flush()} whose stage completed normally:
 * <pre>{@code pending == 0  &&  recorded == stored + failed + dropped}</pre>
 * (After close nothing is pending: what could not be stored by the deadline is counted {@code
 * failed}.)
 * Before that, per-event backends also keep {@code recorded == stored + failed + dropped + pending}
 * at quiescence; aggregating backends count {@code pending} in distinct counters rather than
 * events, so for them only the form above holds. {@code stored} is in events for every backend.
 *
 * @param recorded events accepted by {@code record} (a null event is neither recorded nor rejected)
 * @param rejected events refused by {@code record} (after close, over a capacity limit, ...); a
 *     rejected event is not counted in {@code recorded}
 * @param stored events confirmed stored (for aggregating backends: the events whose counters a
 *     confirmed flush carried)
 * @param pending units accepted but not yet confirmed stored: events for per-event backends,
 *     distinct counters for aggregating ones
 * @param failed recorded events whose data could not be stored and was given up (e.g. at the close
 *     deadline)
 * @param dropped recorded events the backend discards by design or by its overflow policy (noop
 *     drops every event)
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
