package io.usagesink.redis.internal;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.PoisonedKeysException;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.internal.failure.FailurePolicy;
import io.usagesink.redis.write.PlanWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that plans each event with a {@link UsageLayout} and writes the plan at once with a {@link
 * PlanWriter}; the engine of the {@code redis-pipeline} and {@code redis-lua} backends.
 *
 * <p>{@code record} only validates, counts and queues the event (no planning, no I/O, no lock); one
 * writer thread per sink drains the queue, plans the events and hands the writes of everything it
 * drained to the connection in one batch ({@link PlanWriter#writeAll}: one flush for many events).
 * The stage of an event completes when Redis confirmed its write.
 *
 * <p><b>Failures</b> follow {@link FailurePolicy}. A transient failure (connection lost, timeout,
 * {@code OOM}, {@code LOADING}, not connected yet, ...) is retried in the background with backoff;
 * only the part of the event's plan whose outcome is unknown or not applied is sent again ({@link
 * IncompleteWriteException#remaining()}). With {@link Options#exactlyOnce} every event is written
 * under a guard id (the event's id, or one generated per event), so a retry never counts twice, and
 * retries stop at the retry window (the guard TTL minus a margin); without it (the pipeline writer)
 * a resent command whose first reply was lost may count twice (at-least-once). Retries also stop at
 * {@link #close()}'s deadline. A poisoned key (WRONGTYPE, overflow) fails the event at once with
 * {@link PoisonedKeysException} naming the key: every other update of the event is stored. A fatal
 * error (NOAUTH, NOPERM) fails the event with that error. An event that is not stored is counted
 * {@code failed} with its reason ({@link #failureReasons()}), logged at most once a minute per
 * reason.
 *
 * <p><b>Frugal CRS writes.</b> {@link Options#filter()} ({@link CrsPlanFilter}, from {@code
 * usagesink.crs.skip-zero} and {@code usagesink.crs.expire-memo}; off by default) filters each
 * event's plan once, before its first attempt; a given-up event forgets the expiries it carried.
 *
 * <p><b>Connecting.</b> The writer may arrive later (the sink was opened while Redis was
 * unreachable): events wait in the bounded queue until it does, and fail with the reason if it
 * never can (a fatal refusal found in the background).
 *
 * <p>Thread-safe.
 */
public final class PerEventSink implements UsageSink {

  private static final Logger LOG = LoggerFactory.getLogger(PerEventSink.class);
  private static final int MAX_BATCH = 256;

  /** The writer's first nap when it finds nothing to do; naps double up to 16x this. */
  private static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

  /** Naps (about 4 ms in all) before the writer sleeps until {@code record} or a reply wakes it. */
  private static final int NAPS_BEFORE_SLEEP = 8;

  /**
   * How the engine behaves.
   *
   * @param name the backend name for messages, e.g. {@code redis-lua}
   * @param exactlyOnce write every event under a guard id (retries never count twice, within the
   *     retry window); without it, resending a command whose reply was lost may count twice
   * @param closeTimeout how long {@link #close()} waits for pending events
   * @param retryWindow how long after its first attempt an event may still be retried
   * @param maxPending events pending at once beyond which {@code record} rejects new events
   * @param maxInFlight events whose writes are handed to the connection and not yet answered, at
   *     most; more wait in the sink's queue (so the command timeout only runs for writes Redis can
   *     get to, and a burst does not time out behind itself)
   * @param filter applied to each event's plan before it is written (frugal CRS writes; {@link
   *     CrsPlanFilter#none()} by default)
   */
  public record Options(
      String name,
      boolean exactlyOnce,
      Duration closeTimeout,
      Duration retryWindow,
      int maxPending,
      int maxInFlight,
      CrsPlanFilter filter) {
    /** Validates. */
    public Options {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(filter, "filter");
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      Objects.requireNonNull(retryWindow, "retryWindow");
      if (maxPending <= 0) {
        throw new IllegalArgumentException("maxPending must be > 0 but was " + maxPending);
      }
      if (maxInFlight <= 0) {
        throw new IllegalArgumentException("maxInFlight must be > 0 but was " + maxInFlight);
      }
    }

    /** Options without a plan filter. */
    public Options(
        String name,
        boolean exactlyOnce,
        Duration closeTimeout,
        Duration retryWindow,
        int maxPending,
        int maxInFlight) {
      this(
          name,
          exactlyOnce,
          closeTimeout,
          retryWindow,
          maxPending,
          maxInFlight,
          CrsPlanFilter.none());
    }
  }

  private final Options options;
  private final UsageLayout layout;
  private final CompletableFuture<? extends PlanWriter> writerReady;
  private volatile PlanWriter writer;
  private final String writerName;
  private final AutoCloseable resource;
  private final Thread shutdownHook;
  private final ScheduledExecutorService retryScheduler;
  private final java.util.concurrent.ConcurrentLinkedQueue<Attempt> queue =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean writerParked = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger inFlightWrites =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Thread writerThread;
  private final String idPrefix;
  private final AtomicLong idSequence = new AtomicLong();

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopWriter;
  private final Set<Attempt> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicLong pending = new AtomicLong();
  private final SinkCounters counters;
  private final java.util.concurrent.atomic.LongAdder scriptCommands =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder duplicates =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Creates the engine with a writer that is ready, and no shutdown hook.
   *
   * @param resource closed by {@link #close()} after the last write (the connection the sink owns),
   *     or {@code null}
   */
  public PerEventSink(
      Options options, UsageLayout layout, PlanWriter writer, AutoCloseable resource) {
    this(
        options,
        layout,
        CompletableFuture.completedFuture(Objects.requireNonNull(writer, "writer")),
        writer.name(),
        resource,
        false);
  }

  /**
   * Creates the engine.
   *
   * @param writerReady the writer, once connected; events wait in the queue until then, and fail
   *     with the reason if it completes exceptionally
   * @param writerName the writer's name for {@link #toString()} ({@code lua}, {@code pipeline})
   * @param resource closed by {@link #close()} after the last write (the connection the sink owns),
   *     or {@code null}
   * @param shutdownHook whether a JVM shutdown hook closes the sink (removed by {@link #close()})
   */
  public PerEventSink(
      Options options,
      UsageLayout layout,
      CompletableFuture<? extends PlanWriter> writerReady,
      String writerName,
      AutoCloseable resource,
      boolean shutdownHook) {
    this.options = Objects.requireNonNull(options, "options");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.writerReady = Objects.requireNonNull(writerReady, "writerReady");
    this.writerName = Objects.requireNonNull(writerName, "writerName");
    this.resource = resource;
    this.counters = new SinkCounters(LOG, "usagesink " + options.name());
    {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "usagesink-" + options.name() + "-retry");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      this.retryScheduler = s;
    }
    // a Netty FastThreadLocalThread: the writer hands every command to Netty, whose per-write
    // recycler look-ups are much cheaper on such a thread than on a plain one
    this.writerThread =
        new FastThreadLocalThread(this::writeLoop, "usagesink-" + options.name() + "-writer");
    this.writerThread.setDaemon(true);
    this.writerThread.start();
    writerReady.whenComplete((w, e) -> LockSupport.unpark(writerThread));
    this.shutdownHook =
        shutdownHook ? new Thread(this::close, "usagesink-" + options.name() + "-shutdown") : null;
    if (this.shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(this.shutdownHook);
    }
    byte[] random = new byte[9];
    new SecureRandom().nextBytes(random);
    this.idPrefix = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "-";
  }

  /** One event on its way to Redis. */
  private static final class Attempt {
    final UsageEvent event;

    /** What is still to send: the whole plan (planned by the writer thread), then what remains. */
    volatile UsagePlan plan;

    /** Keys refused for good by earlier attempts (written by one completion at a time). */
    volatile List<KeyFailure> failedKeys = List.of();

    final String guardId;
    final CompletableFuture<Void> stage = new CompletableFuture<>();
    final long firstNanos = System.nanoTime();
    final AtomicBoolean settled = new AtomicBoolean();
    volatile Throwable lastError;
    volatile int attempts; // written by the writer thread only

    Attempt(UsageEvent event, String guardId) {
      this.event = event;
      this.guardId = guardId;
    }
  }

  @Override
  public CompletionStage<Void> record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed.get()) {
      counters.rejected.increment();
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "usagesink " + options.name() + " sink is closed; event not recorded"));
    }
    if (pending.incrementAndGet() > options.maxPending()) {
      pending.decrementAndGet();
      counters.rejected.increment();
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "usagesink "
                  + options.name()
                  + ": "
                  + options.maxPending()
                  + " events are already waiting for Redis (is it reachable?); event rejected"));
    }
    counters.recorded.increment();
    String guard =
        options.exactlyOnce()
            ? (event.id() != null ? event.id() : idPrefix + idSequence.incrementAndGet())
            : null;
    Attempt a = new Attempt(event, guard);
    inFlight.add(a);
    enqueue(a);
    return a.stage;
  }

  private void enqueue(Attempt a) {
    queue.offer(a);
    wakeWriter();
  }

  /**
   * Unparks the writer if it is in its deep sleep; only the caller that flips the flag unparks, so
   * a burst of events costs one unpark. While the writer naps (see {@link #writeLoop}) nothing is
   * done: {@code record} then stays free of system calls and of waking a thread that could take its
   * CPU.
   */
  private void wakeWriter() {
    if (writerParked.get() && writerParked.compareAndSet(true, false)) {
      LockSupport.unpark(writerThread);
    }
  }

  /** The writer thread: drains the queue, plans, writes each drained batch with one writeAll. */
  @SuppressWarnings(
      "NonAtomicVolatileUpdate") // attempts: written by this writer thread only, read by others
  private void writeLoop() {
    List<Attempt> batch = new ArrayList<>(MAX_BATCH);
    List<UsagePlan> plans = new ArrayList<>(MAX_BATCH);
    List<String> guards = new ArrayList<>(MAX_BATCH);
    int idleNaps = NAPS_BEFORE_SLEEP;
    while (true) {
      if (writer == null && !awaitWriter()) {
        return;
      }
      Attempt a;
      int room = Math.min(MAX_BATCH, options.maxInFlight() - inFlightWrites.get());
      while (batch.size() < room && (a = queue.poll()) != null) {
        if (a.settled.get()) {
          continue;
        }
        if (a.plan == null) {
          try {
            a.plan = options.filter().apply(layout.plan(a.event));
          } catch (RuntimeException e) {
            giveUp(a, e);
            continue;
          }
        }
        a.attempts++;
        batch.add(a);
        plans.add(a.plan);
        guards.add(a.guardId);
      }
      if (batch.isEmpty()) {
        if (stopWriter && queue.isEmpty()) {
          return;
        }
        boolean full = inFlightWrites.get() >= options.maxInFlight();
        if (!full && idleNaps < NAPS_BEFORE_SLEEP && !stopWriter) {
          // recently busy: nap briefly (growing naps) without asking record() to wake us; when the
          // in-flight cap is reached, sleep instead so that the first reply wakes us
          LockSupport.parkNanos(this, NAP_NANOS << Math.min(idleNaps, 4));
          idleNaps++;
          continue;
        }
        writerParked.set(true);
        if ((queue.isEmpty() || inFlightWrites.get() >= options.maxInFlight()) && !stopWriter) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
        }
        writerParked.set(false);
        continue;
      }
      idleNaps = 0;
      inFlightWrites.addAndGet(batch.size());
      write(batch, plans, guards);
      batch.clear();
      plans.clear();
      guards.clear();
    }
  }

  /**
   * Waits (parked, woken by the writer's completion or by close) until the writer is ready; fails
   * what is queued when it never can be. Returns {@code false} when the writer thread must end.
   */
  private boolean awaitWriter() {
    while (true) {
      if (writerReady.isDone()) {
        try {
          writer = writerReady.join();
          return true;
        } catch (RuntimeException e) {
          Throwable cause = FailurePolicy.unwrap(e);
          Attempt a;
          while ((a = queue.poll()) != null) {
            giveUp(a, cause);
          }
          if (stopWriter) {
            return false;
          }
        }
      } else if (stopWriter) {
        return false;
      }
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private void write(List<Attempt> batch, List<UsagePlan> plans, List<String> guards) {
    List<CompletableFuture<WriteResult>> results;
    try {
      results = writer.writeAll(plans, guards);
    } catch (RuntimeException e) {
      for (Attempt a : batch) {
        writeDone();
        onFailure(a, e);
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Attempt a = batch.get(i);
      results
          .get(i)
          .whenComplete(
              (r, e) -> {
                writeDone();
                if (e == null) {
                  onSuccess(a, r);
                } else {
                  onFailure(a, e);
                }
              });
    }
  }

  private void writeDone() {
    inFlightWrites.decrementAndGet();
    wakeWriter();
  }

  private void onSuccess(Attempt a, WriteResult r) {
    counters.commands.add(r.clientCommands());
    counters.roundTrips.add(r.roundTrips());
    scriptCommands.add(r.scriptCommands());
    duplicates.add(r.duplicateGroups());
    List<KeyFailure> poisoned = merge(a.failedKeys, r.failedKeys());
    if (!poisoned.isEmpty()) {
      giveUp(a, new PoisonedKeysException(poisoned));
      return;
    }
    if (!a.settled.compareAndSet(false, true)) {
      return;
    }
    counters.stored.increment();
    pending.decrementAndGet();
    inFlight.remove(a);
    a.stage.complete(null);
  }

  private static List<KeyFailure> merge(List<KeyFailure> a, List<KeyFailure> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    List<KeyFailure> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private void onFailure(Attempt a, Throwable error) {
    Throwable e = FailurePolicy.unwrap(error);
    a.lastError = e;
    if (a.settled.get()) {
      return;
    }
    if (e instanceof IncompleteWriteException incomplete) {
      counters.commands.add(incomplete.sent().clientCommands());
      counters.roundTrips.add(incomplete.sent().roundTrips());
      a.failedKeys = merge(a.failedKeys, incomplete.failedKeys());
      a.plan = incomplete.remaining();
    }
    if (FailurePolicy.classify(e) == FailurePolicy.Kind.TRANSIENT
        && (!options.exactlyOnce()
            || System.nanoTime() - a.firstNanos < options.retryWindow().toNanos())) {
      try {
        retryScheduler.schedule(
            () -> enqueue(a), FailurePolicy.backoffNanos(a.attempts), TimeUnit.NANOSECONDS);
        counters.retries.increment();
        return;
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        // closing: give up below
      }
    }
    giveUp(a, e);
  }

  private void giveUp(Attempt a, Throwable e) {
    if (!a.settled.compareAndSet(false, true)) {
      return;
    }
    pending.decrementAndGet();
    inFlight.remove(a);
    options
        .filter()
        .forget(a.plan); // its expiries may not have been sent: send them again next time
    if (e instanceof PoisonedKeysException p) {
      counters.failKeys(1, p.keys(), true);
    } else if (!a.failedKeys.isEmpty()) {
      counters.failKeys(
          1, a.failedKeys, true); // a poisoned key is the first reason it is not stored
    } else {
      counters.fail(1, FailurePolicy.describe(e));
    }
    a.stage.completeExceptionally(e);
  }

  @Override
  public CompletionStage<Void> flush() {
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    for (Attempt a : inFlight) {
      stages.add(a.stage);
    }
    return CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0]));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is shutting down; the hook finds the sink closed
      }
    }
    long deadline = System.nanoTime() + options.closeTimeout().toNanos();
    boolean interrupted = false;
    try {
      CompletableFuture<Void> all = flush().toCompletableFuture();
      all.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (ExecutionException | TimeoutException e) {
      // failures are counted per event; what is still pending is given up below
    }
    for (Attempt a : List.copyOf(inFlight)) {
      Throwable last = a.lastError;
      String why =
          writer == null
              ? WriterSource.notConnected(resource)
              : last == null ? "" : "last error: " + FailurePolicy.describe(last);
      giveUp(
          a,
          new IllegalStateException(
              "usagesink "
                  + options.name()
                  + ": event not stored within the close timeout "
                  + options.closeTimeout()
                  + (why.isEmpty() ? "" : "; " + why),
              last));
    }
    retryScheduler.shutdownNow();
    stopWriter = true;
    LockSupport.unpark(writerThread);
    try {
      writerThread.join(1_000);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn(
            "usagesink {}: closing the Redis connection failed: {}", options.name(), e.toString());
      }
    }
    SinkStats s = stats();
    if (s.failed() > 0) {
      LOG.warn(
          "usagesink {} closed: {} of {} recorded events could not be stored; reasons: {}",
          options.name(),
          s.failed(),
          s.recorded(),
          counters.reasonsSummary());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public Map<String, Long> failureReasons() {
    return counters.failureReasons();
  }

  /** Commands Redis ran inside scripts for confirmed writes (0 for the pipeline writer). */
  public long scriptCommands() {
    return scriptCommands.sum();
  }

  /** Writes the guard showed as already applied (a retry or replay of an applied write). */
  public long duplicatesSkipped() {
    return duplicates.sum();
  }

  @Override
  public SinkStats stats() {
    return counters.snapshot(pending.get());
  }

  @Override
  public String toString() {
    return "usagesink "
        + options.name()
        + " sink ("
        + writerName
        + " writer"
        + (closed.get() ? ", closed" : "")
        + ")";
  }
}
