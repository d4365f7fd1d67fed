package io.usagesink.redis.internal;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.layout.UsageLayout;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.PlanWriter;
import io.usagesink.redis.WriteResult;
import java.lang.System.Logger.Level;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A sink that plans each event with a {@link UsageLayout} and writes the plan at once with a
 * {@link PlanWriter}; the engine of the {@code redis-pipeline} and {@code redis-lua} backends.
 *
 * <p>{@code record} only validates, counts and queues the event (no planning, no I/O, no lock); one
 * writer thread per sink drains the queue, plans the events and hands the writes of everything it
 * drained to the connection in one batch ({@link PlanWriter#writeAll}: one flush for many events).
 * The stage of an event completes when Redis confirmed its write. With {@link Options#exactlyOnce} every event is written
 * under a guard id (the event's id, or one generated per event) and writes that fail transiently
 * (connection lost, timeout, script cache flushed, server loading) are retried in the background
 * with bounded exponential backoff until they succeed, until the retry window ends (the guard TTL
 * minus a margin: past it a retry could count twice) or until {@link #close()}'s deadline; then the
 * event is counted failed and its stage fails with the last error. Without it, a failed write is
 * counted failed at once (a retry of a non-idempotent write could count twice).
 *
 * <p>Thread-safe.
 */
public final class PerEventSink implements UsageSink {

  private static final System.Logger LOG = System.getLogger(PerEventSink.class.getName());
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int MAX_BATCH = 256;
  /** The writer's first nap when it finds nothing to do; naps double up to 16x this. */
  private static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  /** Naps (about 4 ms in all) before the writer sleeps until {@code record} or a reply wakes it. */
  private static final int NAPS_BEFORE_SLEEP = 8;

  /**
   * How the engine behaves.
   *
   * @param name the backend name for messages, e.g. {@code redis-lua}
   * @param exactlyOnce write every event under a guard id and retry transient failures
   * @param closeTimeout how long {@link #close()} waits for pending events
   * @param retryWindow how long after its first attempt an event may still be retried
   * @param maxPending events pending at once beyond which {@code record} rejects new events
   * @param maxInFlight events whose writes are handed to the connection and not yet answered, at
   *     most; more wait in the sink's queue (so the command timeout only runs for writes Redis can
   *     get to, and a burst does not time out behind itself)
   */
  public record Options(String name, boolean exactlyOnce, Duration closeTimeout, Duration retryWindow, int maxPending,
      int maxInFlight) {
    /** Validates. */
    public Options {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      Objects.requireNonNull(retryWindow, "retryWindow");
      if (maxPending <= 0) {
        throw new IllegalArgumentException("maxPending must be > 0 but was " + maxPending);
      }
      if (maxInFlight <= 0) {
        throw new IllegalArgumentException("maxInFlight must be > 0 but was " + maxInFlight);
      }
    }
  }

  private final Options options;
  private final UsageLayout layout;
  private final PlanWriter writer;
  private final AutoCloseable resource;
  private final ScheduledExecutorService retryScheduler;
  private final java.util.concurrent.ConcurrentLinkedQueue<Attempt> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean writerParked = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger inFlightWrites = new java.util.concurrent.atomic.AtomicInteger();
  private final Thread writerThread;
  private final String idPrefix;
  private final AtomicLong idSequence = new AtomicLong();

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopWriter;
  private final Set<Attempt> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicLong pending = new AtomicLong();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder commands = new LongAdder();
  private final LongAdder roundTrips = new LongAdder();
  private final LongAdder scriptCommands = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final Map<String, LongAdder> failureReasons = new ConcurrentHashMap<>();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  /**
   * Creates the engine.
   *
   * @param resource closed by {@link #close()} after the last write (the connection the sink owns),
   *     or {@code null}
   */
  public PerEventSink(Options options, UsageLayout layout, PlanWriter writer, AutoCloseable resource) {
    this.options = Objects.requireNonNull(options, "options");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.resource = resource;
    if (options.exactlyOnce()) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "usagesink-" + options.name() + "-retry");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      this.retryScheduler = s;
    } else {
      this.retryScheduler = null;
    }
    // a Netty FastThreadLocalThread: the writer hands every command to Netty, whose per-write recycler
    // look-ups are much cheaper on such a thread than on a plain one
    this.writerThread = new FastThreadLocalThread(this::writeLoop, "usagesink-" + options.name() + "-writer");
    this.writerThread.setDaemon(true);
    this.writerThread.start();
    byte[] random = new byte[9];
    new SecureRandom().nextBytes(random);
    this.idPrefix = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "-";
  }

  /** One event on its way to Redis. */
  private final class Attempt {
    final UsageEvent event;
    UsagePlan plan; // planned by the writer thread on the first attempt
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
      rejected.increment();
      return CompletableFuture.failedFuture(new IllegalStateException(
          "usagesink " + options.name() + " sink is closed; event not recorded"));
    }
    if (pending.incrementAndGet() > options.maxPending()) {
      pending.decrementAndGet();
      rejected.increment();
      return CompletableFuture.failedFuture(new IllegalStateException("usagesink " + options.name() + ": "
          + options.maxPending() + " events are already waiting for Redis (is it reachable?); event rejected"));
    }
    recorded.increment();
    String guard = options.exactlyOnce() ? (event.id() != null ? event.id() : idPrefix + idSequence.incrementAndGet()) : null;
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
   * Unparks the writer if it is in its deep sleep; only the caller that flips the flag unparks, so a
   * burst of events costs one unpark. While the writer naps (see {@link #writeLoop}) nothing is done:
   * {@code record} then stays free of system calls and of waking a thread that could take its CPU.
   */
  private void wakeWriter() {
    if (writerParked.get() && writerParked.compareAndSet(true, false)) {
      LockSupport.unpark(writerThread);
    }
  }

  /** The writer thread: drains the queue, plans, writes each drained batch with one writeAll. */
  private void writeLoop() {
    List<Attempt> batch = new ArrayList<>(MAX_BATCH);
    List<UsagePlan> plans = new ArrayList<>(MAX_BATCH);
    List<String> guards = new ArrayList<>(MAX_BATCH);
    int idleNaps = NAPS_BEFORE_SLEEP;
    while (true) {
      Attempt a;
      int room = Math.min(MAX_BATCH, options.maxInFlight() - inFlightWrites.get());
      while (batch.size() < room && (a = queue.poll()) != null) {
        if (a.settled.get()) {
          continue;
        }
        if (a.plan == null) {
          try {
            a.plan = layout.plan(a.event);
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
      results.get(i).whenComplete((r, e) -> {
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
    commands.add(r.clientCommands());
    roundTrips.add(r.roundTrips());
    scriptCommands.add(r.scriptCommands());
    duplicates.add(r.duplicateGroups());
    if (!a.settled.compareAndSet(false, true)) {
      return;
    }
    stored.increment();
    pending.decrementAndGet();
    inFlight.remove(a);
    a.stage.complete(null);
  }

  private void onFailure(Attempt a, Throwable error) {
    Throwable e = FailurePolicy.unwrap(error);
    a.lastError = e;
    if (a.settled.get()) {
      return;
    }
    if (retryScheduler != null && FailurePolicy.classify(e) == FailurePolicy.Kind.TRANSIENT
        && System.nanoTime() - a.firstNanos < options.retryWindow().toNanos()) {
      long backoff = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(a.attempts - 1, 10));
      long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      try {
        retryScheduler.schedule(() -> enqueue(a), jittered, TimeUnit.NANOSECONDS);
        retries.increment();
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
    failed.increment();
    pending.decrementAndGet();
    inFlight.remove(a);
    countReason(e);
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, () -> "usagesink " + options.name() + ": an event could not be stored and is counted"
          + " failed (further failures are counted in stats and summarised at close): " + FailurePolicy.describe(e));
    }
    a.stage.completeExceptionally(e);
  }

  private void countReason(Throwable e) {
    failureReasons.computeIfAbsent(FailurePolicy.describe(e), k -> new LongAdder()).increment();
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
      giveUp(a, new IllegalStateException("usagesink " + options.name() + ": event not stored within the close timeout "
          + options.closeTimeout() + (last == null ? "" : "; last error: " + FailurePolicy.describe(last)), last));
    }
    if (retryScheduler != null) {
      retryScheduler.shutdownNow();
    }
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
        LOG.log(Level.WARNING, () -> "usagesink " + options.name() + ": closing the Redis connection failed: " + e);
      }
    }
    long f = failed.sum();
    if (f > 0) {
      LOG.log(Level.WARNING, () -> "usagesink " + options.name() + " closed: " + f + " of " + recorded.sum()
          + " recorded events could not be stored; reasons: " + reasonsSummary());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Failure reasons with their counts, most frequent first. */
  @Override
  public Map<String, Long> failureReasons() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    failureReasons.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue().sum(), x.getValue().sum()))
        .forEach(en -> out.put(en.getKey(), en.getValue().sum()));
    return out;
  }

  private String reasonsSummary() {
    StringBuilder b = new StringBuilder();
    failureReasons().entrySet().stream().limit(5).forEach(en -> {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(en.getValue()).append(" x ").append(en.getKey());
    });
    return b.toString();
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
    return new SinkStats(recorded.sum(), rejected.sum(), stored.sum(), pending.get(), failed.sum(), 0,
        commands.sum(), roundTrips.sum(), 0, retries.sum());
  }

  @Override
  public String toString() {
    return "usagesink " + options.name() + " sink (" + writer.name() + " writer" + (closed.get() ? ", closed" : "") + ")";
  }

}
