package io.usagesink.redis.internal;

import io.usagesink.SinkStats;
import io.usagesink.redis.KeyFailure;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * The counters and failure bookkeeping every Redis write engine keeps (the per-event sink and the
 * buffered flush worker), so that {@link SinkStats}, {@code failureReasons()} and the failure log
 * mean the same for every backend.
 *
 * <p><b>Failure reasons.</b> Failed events are counted per distinct reason; a poisoned key's reason
 * is {@code "<key>: <Redis error>"}. At most {@value #MAX_REASONS} distinct reasons are kept (later
 * new ones count under {@value #OTHER}). <b>Logging</b>: the first occurrence of a reason is logged
 * at once, later ones at most once per {@value #LOG_INTERVAL_SECONDS} s per reason with the count
 * since (never one line per event or per retry).
 *
 * <p>Thread-safe; the hot counters are {@link LongAdder}s.
 */
public final class SinkCounters {

  /** Distinct failure reasons kept: {@value}. */
  public static final int MAX_REASONS = 100;

  /** The reason under which failures beyond {@link #MAX_REASONS} distinct ones are counted. */
  public static final String OTHER = "(other reasons)";

  /** Seconds between two log lines of the same reason: {@value}. */
  public static final long LOG_INTERVAL_SECONDS = 60;

  public final LongAdder recorded = new LongAdder();
  public final LongAdder rejected = new LongAdder();
  public final LongAdder dropped = new LongAdder();
  public final LongAdder stored = new LongAdder();
  public final LongAdder failed = new LongAdder();
  public final LongAdder commands = new LongAdder();
  public final LongAdder roundTrips = new LongAdder();
  public final LongAdder flushes = new LongAdder();
  public final LongAdder retries = new LongAdder();

  /**
   * Events kept durably for the next sink on the same storage (the buffered backend's journal at
   * the close deadline): see {@link SinkStats#deferred()}.
   */
  public final LongAdder deferred = new LongAdder();

  private final Logger log;
  private final String sinkName;
  private final Map<String, Reason> reasons = new ConcurrentHashMap<>();

  /** A reason's event count and its log throttle. */
  private static final class Reason {
    final LongAdder events = new LongAdder();
    final AtomicLong unlogged = new AtomicLong();
    final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
  }

  /**
   * @param log where failures are logged
   * @param sinkName the name messages start with, e.g. {@code usagesink redis-lua}
   */
  public SinkCounters(Logger log, String sinkName) {
    this.log = log;
    this.sinkName = sinkName;
  }

  /** The reason of a poisoned key: {@code "<key>: <reason>"}. */
  public static String reasonOf(KeyFailure f) {
    return f.key() + ": " + f.reason();
  }

  /** Counts {@code events} failed for {@code reason} and logs it (throttled per reason). */
  public void fail(long events, String reason) {
    fail(events, reason, true);
  }

  /**
   * Counts {@code events} failed for {@code reason}; logs it (throttled per reason) only when
   * {@code log}: callers that log their own line per batch pass {@code false}.
   */
  public void fail(long events, String reason, boolean log) {
    if (events <= 0) {
      return;
    }
    failed.add(events);
    countReason(events, reason, log);
  }

  /**
   * Counts {@code events} failed because of the poisoned {@code keys}; the events count once, under
   * the first key's reason; every key's reason is kept (and logged when {@code log}).
   */
  public void failKeys(long events, Collection<KeyFailure> keys, boolean log) {
    if (events <= 0) {
      return;
    }
    failed.add(events);
    boolean first = true;
    for (KeyFailure k : keys) {
      countReason(first ? events : 0, reasonOf(k), log);
      first = false;
    }
  }

  private void countReason(long events, String reason, boolean logIt) {
    Reason r = reasons.get(reason);
    if (r == null) {
      if (reasons.size() >= MAX_REASONS) {
        reason = OTHER;
      }
      r = reasons.computeIfAbsent(reason, x -> new Reason());
    }
    r.events.add(events);
    if (!logIt) {
      return;
    }
    r.unlogged.addAndGet(events);
    long now = System.nanoTime();
    long next = r.nextLogNanos.get();
    if (now - next >= 0
        && r.nextLogNanos.compareAndSet(
            next, now + TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS))) {
      long n = r.unlogged.getAndSet(0);
      String why = reason;
      log.warn(
          "{}: {} event(s) not stored: {} (logged at most once a minute per reason; see"
              + " failureReasons())",
          sinkName,
          n,
          why);
    }
  }

  /** Failed events per reason, most frequent first, at most 20. */
  public Map<String, Long> failureReasons() {
    Map<String, Long> out = new LinkedHashMap<>();
    reasons.entrySet().stream()
        .filter(e -> e.getValue().events.sum() > 0)
        .sorted(
            Comparator.comparingLong((Map.Entry<String, Reason> e) -> e.getValue().events.sum())
                .reversed())
        .limit(20)
        .forEach(e -> out.put(e.getKey(), e.getValue().events.sum()));
    return out;
  }

  /**
   * The reasons of {@link #failureReasons()} as one line: {@code "3 x reason; 1 x reason"}, at most
   * 5.
   */
  public String reasonsSummary() {
    StringBuilder b = new StringBuilder();
    failureReasons().entrySet().stream()
        .limit(5)
        .forEach(
            e -> {
              if (b.length() > 0) {
                b.append("; ");
              }
              b.append(e.getValue()).append(" x ").append(e.getKey());
            });
    return b.toString();
  }

  /** A snapshot with {@code pending} as given (the engines count pending in their own unit). */
  public SinkStats snapshot(long pending) {
    return new SinkStats(
        recorded.sum(),
        rejected.sum(),
        stored.sum(),
        pending,
        failed.sum(),
        dropped.sum(),
        commands.sum(),
        roundTrips.sum(),
        flushes.sum(),
        retries.sum(),
        deferred.sum());
  }
}
