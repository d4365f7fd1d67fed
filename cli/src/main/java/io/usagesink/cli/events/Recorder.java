package io.usagesink.cli.events;

import com.google.common.util.concurrent.RateLimiter;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * Feeds events into one sink from the calling thread and measures what happened: how long each
 * {@code record()} call took (the call itself, in nanoseconds, into an HdrHistogram), how many of
 * the returned stages completed normally or exceptionally, and how long recording plus {@code
 * close()} took.
 *
 * <p>At most {@link #maxInFlight} events are in flight (recorded, stage not yet complete), like a
 * gateway with bounded concurrency, so a backend whose {@code record()} returns before the write
 * cannot pile up unbounded memory. Waiting for a free slot is not part of the measured latency.
 *
 * <p>Not thread-safe: one instance per run, used by one thread.
 */
public final class Recorder {

  /** Default bound on events in flight. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

  /** Extra time given to stage callbacks after {@code close()} returned. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** How long a wait (for the rate, for a slot) goes before looking at the stop condition again. */
  private static final Duration WAIT_SLICE = Duration.ofMillis(50);

  private final int maxInFlight;
  private EventClock clock;
  private double ratePerSecond;
  private long deadlineNanos = Long.MAX_VALUE;
  private long maxEvents = Long.MAX_VALUE;
  private Progress progress = Progress.NONE;
  private BooleanSupplier stop = () -> false;

  public Recorder(int maxInFlight) {
    if (maxInFlight <= 0) {
      throw new IllegalArgumentException("maxInFlight must be > 0 but was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
  }

  /** Advance this clock to each event's time before recording it ({@code --clock events}). */
  public Recorder eventClock(EventClock clock) {
    this.clock = clock;
    return this;
  }

  /**
   * Pace recording at this many events per real second (Guava's {@link RateLimiter}: a run that
   * fell behind catches up by at most one second's worth of events); 0 means as fast as possible.
   */
  public Recorder rate(double eventsPerSecond) {
    this.ratePerSecond = eventsPerSecond;
    return this;
  }

  /** Stop taking events after this much time (the busy workload's time box). */
  public Recorder timeBox(Duration d) {
    this.deadlineNanos = d.toNanos();
    return this;
  }

  /** Record at most this many events. */
  public Recorder maxEvents(long n) {
    this.maxEvents = n;
    return this;
  }

  /**
   * Stop taking events as soon as this says so (checked before every event and while waiting for
   * the rate or for a free slot); the sink is then closed as after the last event.
   */
  public Recorder stopWhen(BooleanSupplier stop) {
    this.stop = Objects.requireNonNull(stop, "stop");
    return this;
  }

  /** Where to report progress. */
  public Recorder progress(Progress p) {
    this.progress = Objects.requireNonNull(p, "progress");
    return this;
  }

  /**
   * What one run did.
   *
   * @param offered events passed to {@code record()}
   * @param completed stages that completed normally
   * @param failed stages that completed exceptionally (or {@code record()} threw)
   * @param unconfirmed stages still incomplete after {@code close()} returned
   * @param latencyNanos duration of each {@code record()} call
   * @param recording time from the first record to the last
   * @param total time from the first record until {@code close()} returned
   * @param stats the sink's statistics after close
   * @param firstFailure message of the first failure, or {@code null}
   */
  public record Outcome(
      long offered,
      long completed,
      long failed,
      long unconfirmed,
      Histogram latencyNanos,
      Duration recording,
      Duration total,
      SinkStats stats,
      String firstFailure) {

    /** This outcome with a later snapshot of the sink's statistics. */
    public Outcome withStats(SinkStats later) {
      return new Outcome(
          offered,
          completed,
          failed,
          unconfirmed,
          latencyNanos,
          recording,
          total,
          later,
          firstFailure);
    }

    /** Events per second over {@link #total()} (recording plus close). */
    public double eventsPerSecond() {
      double s = total.toNanos() / 1e9;
      return s <= 0 ? 0 : offered / s;
    }

    /**
     * Why the data cannot be taken as stored, or nothing. The noop backend drops every event by
     * design (the user chose "statistics off"), so its {@code dropped} count is not a failure.
     */
    public List<String> problems(String backend) {
      SinkStats s = stats;
      List<String> p = new ArrayList<>();
      if (s.failed() > 0) {
        p.add(s.failed() + " failed");
      }
      if (s.rejected() > 0) {
        p.add(s.rejected() + " rejected");
      }
      if (s.dropped() > 0 && !"noop".equals(backend)) {
        p.add(s.dropped() + " dropped");
      }
      if (s.deferred() > 0) {
        p.add(
            s.deferred()
                + " deferred (not stored by the close deadline but kept in the journal: the next"
                + " sink opened on it stores them)");
      }
      if (s.pending() > 0) {
        p.add(s.pending() + " still pending after close (close timeout reached)");
      }
      if (failed > 0) {
        p.add(failed + " record() stages completed exceptionally (first: " + firstFailure + ")");
      }
      if (unconfirmed > 0) {
        p.add(unconfirmed + " record() stages not complete after close");
      }
      boolean noop = "noop".equals(backend);
      long accounted = s.stored() + (noop ? s.dropped() : 0);
      if (p.isEmpty() && accounted != s.recorded()) {
        p.add(
            "only "
                + s.stored()
                + " of "
                + s.recorded()
                + " recorded events were confirmed stored");
      }
      if (s.recorded() + s.rejected() < offered) {
        p.add(
            (offered - s.recorded() - s.rejected())
                + " events offered but neither recorded nor rejected");
      }
      return p;
    }
  }

  /**
   * Records every event of {@code events} (within the limits set), then closes the sink (which
   * flushes, waiting up to its close timeout). The sink is closed even when this throws.
   */
  public Outcome run(UsageSink sink, Iterator<UsageEvent> events) {
    Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
    Semaphore slots = new Semaphore(maxInFlight);
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    RateLimiter limiter = ratePerSecond > 0 ? RateLimiter.create(ratePerSecond) : null;
    long offered = 0;
    long start = System.nanoTime();
    long recordingEnd;
    try {
      events:
      while (offered < maxEvents && !stop.getAsBoolean() && events.hasNext()) {
        long now = System.nanoTime();
        if (now - start >= deadlineNanos) {
          break;
        }
        // a permit due within the slice is waited for; a later one after another look at stop
        while (limiter != null && !limiter.tryAcquire(WAIT_SLICE)) {
          if (stop.getAsBoolean()) {
            break events;
          }
          LockSupport.parkNanos(WAIT_SLICE.toNanos());
        }
        while (!tryAcquire(slots)) {
          if (stop.getAsBoolean()) {
            break events;
          }
        }
        UsageEvent e = events.next();
        if (clock != null) {
          clock.advanceTo(e.at());
        }
        long t0 = System.nanoTime();
        CompletionStage<Void> stage;
        try {
          stage = sink.record(e);
        } catch (RuntimeException ex) {
          latency.recordValue(Math.max(0, System.nanoTime() - t0));
          slots.release();
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, describe(ex));
          offered++;
          continue;
        }
        latency.recordValue(Math.max(0, System.nanoTime() - t0));
        offered++;
        stage.whenComplete(
            (ok, ex) -> {
              if (ex == null) {
                completed.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, describe(ex));
              }
              slots.release();
            });
        progress.advance(offered, now - start);
      }
      recordingEnd = System.nanoTime();
    } finally {
      sink.close();
    }
    long end = System.nanoTime();
    // callbacks of the last stages may still be running on the client's threads
    long settleUntil = System.nanoTime() + SETTLE_NANOS;
    while (slots.availablePermits() < maxInFlight && System.nanoTime() < settleUntil) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    long done = completed.get();
    long bad = failed.get();
    return new Outcome(
        offered,
        done,
        bad,
        Math.max(0, offered - done - bad),
        latency,
        Duration.ofNanos(recordingEnd - start),
        Duration.ofNanos(end - start),
        sink.stats(),
        firstFailure.get());
  }

  /** Takes a slot, waiting at most one slice; keeps the interrupt flag. */
  private static boolean tryAcquire(Semaphore slots) {
    try {
      return slots.tryAcquire(WAIT_SLICE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return slots.tryAcquire();
    }
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while ((root instanceof java.util.concurrent.CompletionException
            || root instanceof java.util.concurrent.ExecutionException)
        && root.getCause() != null) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
