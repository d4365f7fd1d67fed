package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageTally;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.PlanWriter;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.WriteResult;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The single flush worker of a {@link BufferedSink}: cuts generations when they are due, drains
 * them in order into one merged plan each, and writes that plan until it is stored or must be given
 * up. All fields without {@code volatile} or atomics are touched by the worker thread only.
 *
 * <p>Timing of retries uses {@link System#nanoTime()}, not the sink's clock: Redis recovers in real
 * time, and guard keys expire in real time, whatever clock the flush interval follows.
 */
final class FlushWorker {

  private static final System.Logger LOG = System.getLogger(BufferedSink.class.getName());
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** Backoff cap while closing: the deadline is near, so try often. */
  static final long CLOSING_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** How often the worker reads a clock that may jump when no event arrives. */
  static final long CLOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final BufferedSink sink;
  private final PlanWriter writer;
  private final RedisConnection ownedConnection;
  private final UsageLayout layout;
  private final PendingBudget budget;
  private final BufferedSink.SinkCounters counters;
  private final String batchIdPrefix;
  private final long attemptTimeoutNanos;
  private final long retryWindowNanos;
  private final Thread thread;

  private final ConcurrentLinkedQueue<FlushRequest> requests = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean earlyFlush = new AtomicBoolean();
  private final AtomicLong droppedSinceLog = new AtomicLong();
  private volatile boolean backlogged;
  private volatile boolean closeRequested;
  private volatile long closeDeadlineNanos;
  private volatile boolean done;
  /** The newest request: concurrent flush() calls for the same generation share it. */
  private volatile FlushRequest latestRequest;

  /** Worker thread only. */
  private final List<FlushRequest> waiting = new ArrayList<>();
  private Generation oldest;

  /** A {@link BufferedSink#flush()} waiting for generation {@code target} and all before it. */
  private record FlushRequest(long target, CompletableFuture<Void> future) {}

  FlushWorker(BufferedSink sink, Generation first, PlanWriter writer, RedisConnection ownedConnection,
      UsageLayout layout, SinkConfig config, PendingBudget budget, BufferedSink.SinkCounters counters,
      String batchIdPrefix) {
    this.sink = sink;
    this.oldest = first;
    this.writer = writer;
    this.ownedConnection = ownedConnection;
    this.layout = layout;
    this.budget = budget;
    this.counters = counters;
    this.batchIdPrefix = batchIdPrefix;
    long commandTimeout = config.commandTimeout().toNanos();
    // a Lua write may take three replies (EVALSHA, NOSCRIPT -> SCRIPT LOAD, EVALSHA); the writer's
    // own timeouts normally fire first, this only guards against a future that never completes
    this.attemptTimeoutNanos = 3 * commandTimeout + TimeUnit.SECONDS.toNanos(1);
    this.retryWindowNanos = Math.max(0, config.guardTtl().toNanos() - commandTimeout);
    this.thread = new Thread(this::run, sink.name() + "-flush");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void wake() {
    LockSupport.unpark(thread);
  }

  boolean join(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
    return !thread.isAlive();
  }

  String writerName() {
    return writer.name();
  }

  /** Whether a batch is failing: no new batch is cut until it is stored. */
  boolean backlogged() {
    return backlogged;
  }

  /** Asks for a flush before the interval ends (pending accumulators reached the threshold). */
  void requestEarlyFlush() {
    if (!earlyFlush.get() && earlyFlush.compareAndSet(false, true)) {
      wake();
    }
  }

  /** Counts an event dropped at the cap, for the once-per-flush log line, and asks for a flush. */
  void noteDropped() {
    droppedSinceLog.incrementAndGet();
    requestEarlyFlush();
  }

  /** A stage completing when generation {@code target} and every earlier one are stored. */
  CompletionStage<Void> requestFlush(long target) {
    if (done) {
      return DONE;
    }
    FlushRequest latest = latestRequest;
    if (latest != null && latest.target == target && !latest.future.isDone()) {
      return latest.future; // not yet served: the batch that serves it covers this call too
    }
    FlushRequest r = new FlushRequest(target, new CompletableFuture<>());
    latestRequest = r;
    requests.add(r);
    wake();
    if (done) { // raced with the worker's exit, which completes every request it saw
      r.future.complete(null);
    }
    return r.future;
  }

  /** Starts closing: everything pending is written until {@code deadlineNanos} (nanoTime). */
  void beginClose(long deadlineNanos) {
    closeDeadlineNanos = deadlineNanos;
    closeRequested = true;
    wake();
  }

  private void run() {
    try {
      loop();
    } finally {
      done = true;
      pullRequests();
      for (FlushRequest r : waiting) {
        r.future.complete(null); // nothing is pending after close: stored, or counted failed
      }
      waiting.clear();
      if (ownedConnection != null) {
        try {
          ownedConnection.close();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, sink.name() + ": closing the Redis connection failed: " + e);
        }
      }
      if (!closeRequested) {
        LOG.log(Level.ERROR, sink.name() + ": flush worker stopped unexpectedly; nothing more will be flushed");
      }
    }
  }

  private void loop() {
    boolean sealedForClose = false;
    for (;;) {
      try {
        Generation cur = sink.current();
        while (oldest != cur) {
          Generation g = oldest;
          Generation next = awaitNext(g);
          store(g);
          oldest = next;
          settle(g.id);
          cur = sink.current();
        }
        if (closeRequested) {
          if (sealedForClose) {
            return; // the sealed, empty last generation is current: everything else was handled
          }
          sealedForClose = sink.cut(cur, true);
          continue;
        }
        pullRequests();
        if (!waiting.isEmpty()) {
          if (!cur.isEmpty() && sink.cut(cur, false)) {
            continue;
          }
          settle(cur.id); // nothing recorded in the current generation: all earlier ones are stored
        }
        if (earlyFlush.getAndSet(false) && !cur.isEmpty() && sink.cut(cur, false)) {
          continue;
        }
        long now = sink.clockMillis();
        if (sink.cutIfDue(now)) {
          continue;
        }
        long wait = sink.clockChecksInRecord()
            ? CLOCK_POLL_NANOS
            : TimeUnit.MILLISECONDS.toNanos(Math.max(1, sink.deadlineMillis() - now));
        LockSupport.parkNanos(this, Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
      } catch (RuntimeException e) {
        // a bug, not a Redis failure (those are handled in store): keep the worker alive
        LOG.log(Level.ERROR, sink.name() + ": unexpected error in the flush worker", e);
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  private static Generation awaitNext(Generation g) {
    Generation next;
    while ((next = g.next) == null) {
      Thread.onSpinWait(); // the cutter publishes it right after its compare-and-set
    }
    return next;
  }

  /** Drains {@code g} into one merged plan and writes it; returns when stored or given up. */
  private void store(Generation g) {
    List<Accumulator> accumulators = g.sealAndList();
    logDrops();
    if (accumulators.isEmpty()) {
      return;
    }
    int counterCount = accumulators.size();
    List<UsageTally> tallies = new ArrayList<>(counterCount);
    long events = 0;
    for (Accumulator a : accumulators) {
      UsageTally t = a.sealAndTally();
      if (t.requests() > 0) { // 0 when every event of it was backed out (overflow)
        tallies.add(t);
        events += t.requests();
      }
    }
    UsagePlan plan;
    try {
      UsagePlan.Builder b = UsagePlan.builder();
      for (UsageTally t : tallies) {
        layout.plan(t, b);
      }
      plan = b.build();
    } catch (RuntimeException e) {
      // e.g. a merged counter beyond Long.MAX_VALUE: no Redis counter can hold it, retrying cannot help
      giveUp(g, counterCount, events, "it could not be planned: " + e.getMessage(), e);
      return;
    }
    if (plan.isEmpty()) { // the layout writes nothing (statistics switched off)
      counters.stored.add(events);
      budget.release(counterCount);
      return;
    }
    write(g, plan, counterCount, events);
  }

  private void write(Generation g, UsagePlan plan, int counterCount, long events) {
    String batchId = batchIdPrefix + g.id;
    long first = System.nanoTime();
    long backoff = MIN_BACKOFF_NANOS;
    for (int attempt = 1; ; attempt++) {
      long now = System.nanoTime();
      long timeout = attemptTimeoutNanos;
      if (closeRequested) {
        timeout = Math.min(timeout, closeDeadlineNanos - now);
        if (timeout <= 0) {
          giveUp(g, counterCount, events, "the close deadline passed", null);
          return;
        }
      }
      Throwable failure;
      try {
        WriteResult r = writer.write(plan, batchId).get(timeout, TimeUnit.NANOSECONDS);
        counters.commands.add(r.clientCommands());
        counters.roundTrips.add(r.roundTrips());
        counters.flushes.increment();
        counters.stored.add(events);
        budget.release(counterCount);
        if (attempt > 1) {
          LOG.log(Level.INFO, sink.name() + ": batch " + batchId + " stored on attempt " + attempt
              + (r.applied() ? "" : " (an earlier attempt had applied it; its reply was lost)")
              + ": " + counterCount + " counters, " + events + " events");
        }
        backlogged = false;
        return;
      } catch (ExecutionException e) {
        failure = unwrap(e.getCause());
      } catch (TimeoutException e) {
        failure = new TimeoutException("no reply within " + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
      } catch (InterruptedException e) {
        failure = e; // nobody interrupts the worker on purpose; treat it as a failed attempt
      } catch (RuntimeException e) {
        failure = e; // the writer threw instead of failing its future
      }
      backlogged = true;
      failRequests(g.id, failure);
      now = System.nanoTime();
      if (closeRequested) {
        backoff = Math.min(backoff, CLOSING_BACKOFF_NANOS);
      }
      long next = now + backoff;
      if (next - first > retryWindowNanos) {
        giveUp(g, counterCount, events, "its retries would outlive the exactly-once guard (retry window "
            + TimeUnit.NANOSECONDS.toMillis(retryWindowNanos) + " ms = usagesink.guard-ttl minus the command timeout);"
            + " last error: " + describe(failure), failure);
        return;
      }
      if (closeRequested && next - closeDeadlineNanos >= 0) {
        giveUp(g, counterCount, events, "the close deadline passed; last error: " + describe(failure), failure);
        return;
      }
      counters.retries.increment();
      LOG.log(Level.WARNING, sink.name() + ": flush of batch " + batchId + " failed (attempt " + attempt + "): "
          + describe(failure) + "; " + counterCount + " counters (" + events + " events) kept pending, "
          + budget.pending() + " counters pending in all; retry in " + TimeUnit.NANOSECONDS.toMillis(backoff) + " ms");
      sleepUntil(next);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  /** Sleeps until {@code when} (nanoTime); a close request shortens the sleep to the close backoff. */
  private void sleepUntil(long when) {
    long remaining;
    while ((remaining = when - System.nanoTime()) > 0) {
      if (closeRequested) {
        long closingWhen = System.nanoTime() + CLOSING_BACKOFF_NANOS;
        if (closingWhen - when < 0) {
          when = closingWhen;
          continue;
        }
      }
      LockSupport.parkNanos(this, remaining);
      Thread.interrupted(); // never interrupted on purpose; do not let a stray interrupt spin the loop
    }
  }

  private void giveUp(Generation g, int counterCount, long events, String why, Throwable cause) {
    counters.failed.add(events);
    budget.release(counterCount);
    backlogged = false;
    failRequests(g.id, cause != null ? cause : new IllegalStateException(why));
    LOG.log(Level.ERROR, sink.name() + ": gave up batch " + batchIdPrefix + g.id + " because " + why + "; "
        + events + " events (" + counterCount + " counters) are counted failed");
  }

  private void logDrops() {
    long dropped = droppedSinceLog.getAndSet(0);
    if (dropped > 0) {
      LOG.log(Level.WARNING, sink.name() + ": " + dropped + " events dropped since the last flush: "
          + "usagesink.buffered.max-pending-counters=" + budget.max() + " was reached ("
          + budget.pending() + " counters pending)");
    }
  }

  private void pullRequests() {
    FlushRequest r;
    while ((r = requests.poll()) != null) {
      waiting.add(r);
    }
  }

  /** Completes the requests covered once generation {@code storedThrough} and all before are done. */
  private void settle(long storedThrough) {
    pullRequests();
    waiting.removeIf(r -> {
      if (r.target > storedThrough) {
        return false;
      }
      r.future.complete(null);
      return true;
    });
  }

  /** Fails the requests that need generation {@code failed}: part of what they cover is not stored. */
  private void failRequests(long failed, Throwable cause) {
    pullRequests();
    waiting.removeIf(r -> {
      if (r.target < failed) {
        return false;
      }
      r.future.completeExceptionally(cause);
      return true;
    });
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
