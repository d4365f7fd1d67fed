package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalReader;
import io.usagesink.buffered.journal.ReadReport;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageTally;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.PoisonedKeysException;
import io.usagesink.redis.RedisNotConnectedException;
import io.usagesink.redis.RedisOptions;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.internal.CrsPlanFilter;
import io.usagesink.redis.internal.SinkCounters;
import io.usagesink.redis.internal.WriterSource;
import io.usagesink.redis.internal.failure.FailurePolicy;
import io.usagesink.redis.write.PlanWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The single flush worker of a {@link BufferedSink}: cuts generations when they are due, drains
 * them in order into one merged plan each, and writes that plan until it is stored or must be given
 * up. All fields without {@code volatile} or atomics are touched by the worker thread only.
 *
 * <p>With a journal the worker first recovers what earlier processes journaled (see {@link
 * #recover()}), persists each batch's journal range before writing it and releases the range once
 * the batch is stored or finally failed.
 *
 * <p>Timing of retries uses {@link System#nanoTime()}, not the sink's clock: Redis recovers in real
 * time, and guard keys expire in real time, whatever clock the flush interval follows.
 */
final class FlushWorker {

  private static final Logger LOG = LoggerFactory.getLogger(BufferedSink.class);
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  /** The longest wait between two attempts of a batch. */
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** How long one attempt waits for a connection that is not there yet. */
  static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Backoff cap while closing: the deadline is near, so try often. */
  static final long CLOSING_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** How often the worker reads a clock that may jump when no event arrives. */
  static final long CLOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** The sink's name, for log lines and the thread name. */
  private final String name;

  /** The generations this worker cuts and drains, shared with the sink that records into them. */
  private final GenerationClock generations;

  private final CompletableFuture<? extends PlanWriter> writerReady;
  private final String writerName;
  private final AutoCloseable ownedConnection;
  private final UsageLayout layout;
  private final CrsPlanFilter filter;
  private final PendingCount pending;
  private final SinkCounters counters;
  private final String batchIdPrefix;
  private final long attemptTimeoutNanos;
  private final long retryWindowNanos;
  private final Thread thread;

  /** The sink's journal, or {@code null}; closed by this worker when it ends. */
  private final Journal journal;

  /** Distinct accumulators per recovered batch. */
  private final int recoveryChunk;

  private final ConcurrentLinkedQueue<FlushRequest> requests = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean earlyFlush = new AtomicBoolean();
  private volatile boolean closeRequested;

  /** Completed by {@link #beginClose}: ends a wait for a reply that began before the request. */
  private final CompletableFuture<Void> closeSignal = new CompletableFuture<>();

  private volatile long closeDeadlineNanos;
  private volatile boolean done;

  /** Counted down when the worker has counted every batch (stored, failed or deferred). */
  private final CountDownLatch settled = new CountDownLatch(1);

  /** The newest request: concurrent flush() calls for the same generation share it. */
  private volatile FlushRequest latestRequest;

  /** Worker thread only. */
  private final List<FlushRequest> waiting = new ArrayList<>();

  private Generation oldest;

  /**
   * Set when a batch was left in the journal at the close deadline: from then on nothing is
   * released or begun, so the next sink on the directory rewrites that batch under its own guard
   * id.
   */
  private boolean keepInJournal;

  /**
   * Recovered events counted recorded and not yet handed to a batch (which counts them stored,
   * failed or deferred); if the recovery fails they stay in the journal and are counted deferred.
   */
  private long recoveredUnsettled;

  /**
   * Whether the last write that succeeded applied its plan ({@code false}: its guard was found).
   */
  private boolean lastApplied;

  /** What the journal recovery did; set by the worker when it ends (see {@link #lastRecovery}). */
  private volatile RecoverySummary lastRecovery;

  /** A {@link BufferedSink#flush()} waiting for generation {@code target} and all before it. */
  private record FlushRequest(long target, CompletableFuture<Void> future) {}

  FlushWorker(
      String name,
      GenerationClock generations,
      CompletableFuture<? extends PlanWriter> writerReady,
      String writerName,
      AutoCloseable ownedConnection,
      UsageLayout layout,
      CrsPlanFilter filter,
      SinkConfig config,
      PendingCount pending,
      SinkCounters counters,
      String batchIdPrefix,
      Journal journal) {
    this.name = name;
    this.generations = generations;
    this.oldest = generations.current();
    this.writerReady = writerReady;
    this.writerName = writerName;
    this.ownedConnection = ownedConnection;
    this.layout = layout;
    this.filter = filter;
    this.pending = pending;
    this.counters = counters;
    this.batchIdPrefix = batchIdPrefix;
    RedisOptions redisOptions = RedisOptions.from(config);
    long commandTimeout = redisOptions.commandTimeout().toNanos();
    // a Lua write may take three replies (EVALSHA, NOSCRIPT -> SCRIPT LOAD, EVALSHA); the writer's
    // own timeouts normally fire first, this only guards against a future that never completes
    this.attemptTimeoutNanos = 3 * commandTimeout + TimeUnit.SECONDS.toNanos(1);
    this.retryWindowNanos = Math.max(0, redisOptions.guardTtl().toNanos() - commandTimeout);
    this.journal = journal;
    this.recoveryChunk = Math.max(1, BufferedOptions.from(config).maxPendingCounters() / 2);
    this.thread = new Thread(this::run, name + "-flush");
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

  /**
   * Waits at most {@code millis} until every batch has an outcome in the counters (stored, failed
   * or deferred), which the worker reaches before it closes the connection and the journal; returns
   * whether it did.
   */
  boolean awaitSettled(long millis) throws InterruptedException {
    return settled.await(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  String writerName() {
    return writerName;
  }

  /** Asks for a flush before the interval ends (pending accumulators reached the threshold). */
  void requestEarlyFlush() {
    if (!earlyFlush.get() && earlyFlush.compareAndSet(false, true)) {
      wake();
    }
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
    closeSignal.complete(null);
    wake();
  }

  private void run() {
    try {
      loop();
    } finally {
      done = true;
      pullRequests();
      for (FlushRequest r : waiting) {
        // nothing is pending after close: stored, or counted failed or deferred
        r.future.complete(null);
      }
      waiting.clear();
      settled.countDown(); // the counts are final; closing the connection may take a while
      if (ownedConnection != null) {
        try {
          ownedConnection.close();
        } catch (Exception e) {
          LOG.warn("{}: closing the Redis connection failed: {}", name, e.toString());
        }
      }
      if (journal != null) {
        journal.close();
      }
      if (!closeRequested) {
        LOG.error("{}: flush worker stopped unexpectedly; nothing more will be flushed", name);
      }
    }
  }

  private void loop() {
    if (journal != null) {
      try {
        recover();
      } catch (RuntimeException e) {
        keepInJournal = true;
        counters.deferred.add(recoveredUnsettled); // read, counted recorded, still journaled
        recoveredUnsettled = 0;
        // storing newer batches now could store them twice (they could not be released) or lose the
        // pending batch's guard: keep everything journaled, counted deferred, for the next sink
        LOG.error(
            "{}: recovering the journal {} failed; this sink stores nothing: every batch stays in"
                + " the journal (counted deferred) for the next sink opened on it",
            name,
            journal.dir(),
            e);
      }
    }
    boolean sealedForClose = false;
    for (; ; ) {
      try {
        Generation cur = generations.current();
        while (oldest != cur) {
          Generation g = oldest;
          Generation next = awaitNext(g);
          store(g);
          oldest = next;
          settle(g.id);
          cur = generations.current();
        }
        if (closeRequested) {
          if (sealedForClose) {
            return; // the sealed, empty last generation is current: everything else was handled
          }
          sealedForClose = generations.cut(cur, true);
          continue;
        }
        pullRequests();
        if (!waiting.isEmpty()) {
          if (!cur.isEmpty() && generations.cut(cur, false)) {
            continue;
          }
          settle(cur.id); // nothing recorded in the current generation: all earlier ones are stored
        }
        if (earlyFlush.getAndSet(false) && !cur.isEmpty() && generations.cut(cur, false)) {
          continue;
        }
        long now = generations.millis();
        if (generations.cutIfDue(now)) {
          continue;
        }
        long wait =
            generations.mayJump()
                ? CLOCK_POLL_NANOS
                : TimeUnit.MILLISECONDS.toNanos(Math.max(1, generations.deadlineMillis() - now));
        LockSupport.parkNanos(this, Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
      } catch (RuntimeException e) {
        // a bug, not a Redis failure (those are handled in store): keep the worker alive
        LOG.error("{}: unexpected error in the flush worker", name, e);
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
    if (accumulators.isEmpty()) {
      release(g.journalTo); // nothing journaled for it but cancelled events
      return;
    }
    int counterCount = accumulators.size();
    List<UsageTally> tallies = new ArrayList<>(counterCount);
    for (Accumulator a : accumulators) {
      UsageTally t =
          a.tally(); // sealed for this batch by sealAndList or, at the cap, by the eviction
      if (t.requests() > 0) { // 0 when every event of it was backed out (overflow)
        tallies.add(t);
      }
    }
    String batchId =
        journal != null ? journalBatchId(g.journalFrom, g.journalTo) : batchIdPrefix + g.id;
    storeTallies(g.id, batchId, tallies, counterCount, true, g.journalFrom, g.journalTo);
  }

  private String journalBatchId(long from, long to) {
    return journal.batchId(from, to);
  }

  /**
   * Plans, merges and writes {@code tallies} as one batch covering the journal range {@code [from,
   * to)} (-1, -1 without a journal) and releases that range when done. {@code budgeted}: the
   * counters are in the pending count (live generations; not recovered batches).
   *
   * @return {@code false} when the batch was left in the journal at the close deadline
   */
  private boolean storeTallies(
      long requestId,
      String batchId,
      List<UsageTally> tallies,
      int counterCount,
      boolean budgeted,
      long from,
      long to) {
    if (journal != null && keepInJournal) {
      // it stays in the journal for the next sink whatever happens: planning it would
      // only delay close
      keep(
          requestId,
          batchId,
          counterCount,
          events(tallies),
          budgeted,
          "an earlier batch was left in the journal at the close deadline",
          null);
      return false;
    }
    UsagePlan plan;
    try {
      UsagePlan.Builder b = UsagePlan.builder();
      for (UsageTally t : tallies) {
        layout.plan(t, b);
      }
      plan = b.build();
    } catch (RuntimeException e) {
      // rare: a merged counter beyond Long.MAX_VALUE, which no Redis counter can hold: fail only
      // the tallies that cannot be merged, store the rest
      tallies = withoutUnplannable(tallies);
      UsagePlan.Builder b = UsagePlan.builder();
      for (UsageTally t : tallies) {
        layout.plan(t, b);
      }
      plan = b.build();
    }
    plan = filter.apply(plan); // frugal CRS writes, when configured
    long events = events(tallies);
    if (plan.isEmpty()) { // the layout writes nothing (statistics switched off)
      counters.stored.add(events);
      if (budgeted) {
        pending.release(counterCount);
      }
      release(to);
      return true;
    }
    boolean kept =
        write(requestId, batchId, plan, tallies, counterCount, events, budgeted, from, to);
    if (!kept) {
      release(to);
    }
    return !kept;
  }

  /**
   * Persists that the journal range {@code [from, to)} is about to be written (journal on only).
   */
  private void beginBatch(long from, long to) {
    try {
      journal.beginBatch(from, to);
    } catch (RuntimeException e) {
      LOG.error(
          "{}: {}; writing the batch anyway (a recovery after a crash now may store it twice)",
          name,
          e.getMessage());
    }
  }

  /** Releases the journal before {@code to} unless a batch was kept in it (journal on only). */
  private void release(long to) {
    if (journal == null || keepInJournal) {
      return;
    }
    try {
      journal.release(to);
    } catch (RuntimeException e) {
      LOG.error(
          "{}: {} (the batch is stored; its segments stay until a later release succeeds)",
          name,
          e.getMessage());
    }
  }

  /**
   * Stores what earlier processes journaled and did not release, before any batch of this process:
   * first the batch that was in flight when the earlier process stopped (re-read from exactly its
   * range, written under the same guard id, so a batch it had applied is not applied again), then
   * the rest in batches of at most {@code maxPendingCounters / 2} counters, each persisted with
   * {@link Journal#beginBatch} before it is written under the guard id of its range. Bad regions (a
   * torn tail) are skipped and logged. Stops (leaving the rest journaled) when the close deadline
   * passes.
   */
  private void recover() {
    long end = journal.recoverableEnd();
    long released = journal.released();
    if (released >= end) {
      return;
    }
    long t0 = System.nanoTime();
    long stored0 = counters.stored.sum();
    long failed0 = counters.failed.sum();
    long deferred0 = counters.deferred.sum();
    long read = 0;
    int batches = 0;
    List<ReadReport> reports = new ArrayList<>();
    long from = released;
    Optional<Journal.Range> pending = journal.pendingBatch();
    boolean complete = true;
    Journal.Range inFlightRange = null;
    long inFlightEvents = 0;
    boolean pendingBeforeReleased = false;
    RecoverySummary.InFlight inFlight = RecoverySummary.InFlight.NONE;
    if (pending.isPresent() && pending.get().to() > released) {
      Journal.Range r = pending.get();
      if (r.from() < released) {
        pendingBeforeReleased = true;
        LOG.warn(
            "{}: journal {}: the pending batch {} does not start at the released position {}; "
                + "recovering it first anyway",
            name,
            journal.dir(),
            r,
            released);
      }
      try (JournalReader reader = journal.reader(r.from(), r.to())) {
        Map<AccumulatorKey, Accumulator> accs = new HashMap<>();
        while (reader.next()) {
          read++;
          aggregate(accs, reader.event());
        }
        reports.add(reader.report());
        batches++;
        inFlightRange = r;
        inFlightEvents = reader.report().events();
        lastApplied = true;
        complete = storeRecovered(accs, r.from(), r.to());
        inFlight =
            !complete
                ? RecoverySummary.InFlight.NOT_STORED
                : lastApplied
                    ? RecoverySummary.InFlight.STORED_NOW
                    : RecoverySummary.InFlight.ALREADY_APPLIED;
      }
      from = r.to();
    }
    if (complete) {
      try (JournalReader reader = journal.reader(from, end)) {
        Map<AccumulatorKey, Accumulator> accs = new HashMap<>();
        long chunkFrom = from;
        while (complete && reader.next()) {
          read++;
          UsageEvent e = reader.event();
          if (accs.size() >= recoveryChunk && !accs.containsKey(keyOf(e))) {
            long chunkTo = reader.position();
            batches++;
            complete = storeRecovered(accs, chunkFrom, chunkTo);
            accs = new HashMap<>();
            chunkFrom = chunkTo;
          }
          aggregate(accs, e);
        }
        reports.add(reader.report());
        if (complete) {
          batches += accs.isEmpty() ? 0 : 1;
          complete = accs.isEmpty() ? true : storeRecovered(accs, chunkFrom, end);
        }
      }
      release(end);
    }
    // stopped at the close deadline: what was read after the batch kept (the event that would
    // have started the next chunk) is counted recorded, stays in the journal and is recovered
    // next time
    counters.deferred.add(recoveredUnsettled);
    recoveredUnsettled = 0;
    long bad = 0;
    long badBytes = 0;
    long firstBad = -1;
    for (ReadReport r : reports) {
      bad += r.badRegions();
      badBytes += r.badBytes();
      if (firstBad < 0) {
        firstBad = r.firstBadPosition();
      }
    }
    RecoverySummary summary =
        new RecoverySummary(
            released,
            end,
            read,
            batches,
            counters.stored.sum() - stored0,
            counters.failed.sum() - failed0,
            counters.deferred.sum() - deferred0,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
            inFlightRange,
            inFlightEvents,
            pendingBeforeReleased,
            inFlight,
            complete,
            bad,
            badBytes,
            firstBad);
    lastRecovery = summary;
    LOG.atLevel(summary.warning() ? Level.WARN : Level.INFO)
        .log(summary.message(name, journal.dir()));
  }

  /**
   * What the journal recovery of this worker did, or {@code null} before it ended or when there was
   * nothing to recover (no journal, or everything released). For tests: the figures of the summary
   * {@link #recover()} logs.
   */
  RecoverySummary lastRecovery() {
    return lastRecovery;
  }

  private AccumulatorKey keyOf(UsageEvent e) {
    return new AccumulatorKey(e.keyId(), e.accountId(), e.model(), layout.bucketStart(e.at()));
  }

  /**
   * Adds a recovered event to its accumulator; an event that would overflow it is counted failed.
   */
  private void aggregate(Map<AccumulatorKey, Accumulator> accs, UsageEvent e) {
    counters.recorded.increment();
    AccumulatorKey k = keyOf(e);
    Accumulator a = accs.get(k);
    if (a == null) {
      a = new Accumulator(k);
      accs.put(a, a);
    }
    a.tryEnter();
    boolean fits;
    try {
      fits = a.add(e);
    } finally {
      a.exit();
    }
    if (fits) {
      recoveredUnsettled++;
    } else {
      counters.fail(
          1,
          "recovered event of ("
              + e.keyId()
              + ", "
              + e.accountId()
              + ", "
              + e.model()
              + ") refused: a sum would exceed "
              + Accumulator.LIMIT,
          true);
    }
  }

  /**
   * Writes one recovered batch covering {@code [from, to)}; {@code false} when it was kept at
   * close.
   */
  private boolean storeRecovered(Map<AccumulatorKey, Accumulator> accs, long from, long to) {
    List<UsageTally> tallies = new ArrayList<>(accs.size());
    for (Accumulator a : accs.values()) {
      UsageTally t = a.sealAndTally();
      if (t.requests() > 0) {
        tallies.add(t);
      }
    }
    recoveredUnsettled -= events(tallies); // storeTallies counts each: stored, failed or deferred
    // recovered batches serve no flush() request: those cover this process's events only
    return storeTallies(
        Long.MAX_VALUE, journalBatchId(from, to), tallies, accs.size(), false, from, to);
  }

  private static long events(List<UsageTally> tallies) {
    long events = 0;
    for (UsageTally t : tallies) {
      events += t.requests();
    }
    return events;
  }

  /**
   * The tallies that can be planned and merged without a counter passing {@code Long.MAX_VALUE};
   * the others are counted failed, named.
   */
  private List<UsageTally> withoutUnplannable(List<UsageTally> tallies) {
    Map<String, Long> sums = new HashMap<>();
    List<UsageTally> ok = new ArrayList<>(tallies.size());
    for (UsageTally t : tallies) {
      UsagePlan p;
      try {
        UsagePlan.Builder one = UsagePlan.builder();
        layout.plan(t, one);
        p = one.build();
      } catch (RuntimeException e) {
        counters.fail(
            t.requests(), "usage of " + describe(t) + " cannot be stored: " + e.getMessage(), true);
        continue;
      }
      Map<String, Long> merged = new HashMap<>();
      String overflow = null;
      for (CounterDelta c : p.counters()) {
        String cell = c.key() + " " + c.field();
        long before = merged.containsKey(cell) ? merged.get(cell) : sums.getOrDefault(cell, 0L);
        long sum = before + c.delta();
        if (((before ^ sum) & (c.delta() ^ sum)) < 0) {
          overflow =
              "counter "
                  + cell
                  + " would pass "
                  + Long.MAX_VALUE
                  + ": "
                  + before
                  + " + "
                  + c.delta();
          break;
        }
        merged.put(cell, sum);
      }
      if (overflow != null) {
        counters.fail(
            t.requests(), "usage of " + describe(t) + " cannot be stored: " + overflow, true);
        continue;
      }
      sums.putAll(merged);
      ok.add(t);
    }
    return ok;
  }

  private static String describe(UsageTally t) {
    return "(key " + t.keyId() + ", account " + t.accountId() + ", model " + t.model() + ")";
  }

  /**
   * Writes {@code plan} (the merged plan of {@code tallies}) until every part of it has a definite
   * outcome, retrying only what remains (under the batch's guard id) after transient failures, as
   * {@link FailurePolicy} says; then counts the events stored or failed.
   */
  private boolean write(
      long requestId,
      String batchId,
      UsagePlan plan,
      List<UsageTally> tallies,
      int counterCount,
      long events,
      boolean budgeted,
      long from,
      long to) {
    if (journal != null) {
      beginBatch(from, to); // storeTallies kept the batch instead when keepInJournal is set
    }
    long first = System.nanoTime();
    UsagePlan toSend = plan;
    List<KeyFailure> poisoned = new ArrayList<>();
    Throwable firstFailure = null;
    for (int attempt = 1; ; attempt++) {
      long now = System.nanoTime();
      long timeout = attemptTimeoutNanos;
      if (closeRequested) {
        timeout = Math.min(timeout, closeDeadlineNanos - now);
        if (timeout <= 0) {
          filter.forget(toSend);
          return keep(
              requestId,
              batchId,
              counterCount,
              events,
              budgeted,
              "the close deadline passed before it was stored"
                  + (firstFailure == null
                      ? ""
                      : "; last error: " + FailurePolicy.describe(firstFailure)),
              firstFailure);
        }
      }
      Throwable failure;
      PlanWriter w =
          writerReady.isDone() && !writerReady.isCompletedExceptionally()
              ? writerReady.join()
              : null;
      try {
        if (w == null) {
          // not connected yet, or never will be (the future failed: its cause is the reason)
          writerReady.get(Math.min(timeout, CONNECT_WAIT_NANOS), TimeUnit.NANOSECONDS);
          continue; // connected now: the attempt starts over
        }
        WriteResult r = awaitReply(w.write(toSend, batchId), batchId);
        lastApplied = r.applied();
        counters.commands.add(r.clientCommands());
        counters.roundTrips.add(r.roundTrips());
        counters.flushes.increment();
        poisoned.addAll(r.failedKeys());
        if (budgeted) {
          pending.release(counterCount);
        }
        generations.holdCuts(false);
        if (!poisoned.isEmpty()) {
          settlePoisoned(tallies, events, poisoned);
          failRequests(requestId, new PoisonedKeysException(poisoned));
        } else {
          counters.stored.add(events);
        }
        if (attempt > 1) {
          LOG.info(
              "{}: batch {} stored on attempt {}{}: {} counters, {} events",
              name,
              batchId,
              attempt,
              r.applied() ? "" : " (an earlier attempt had applied it; its reply was lost)",
              counterCount,
              events);
        }
        return false;
      } catch (ExecutionException e) {
        failure = FailurePolicy.unwrap(e.getCause());
      } catch (TimeoutException e) {
        // the close deadline passed with the write unanswered: stored or not, unknown
        if (w != null) {
          return keep(
              requestId,
              batchId,
              counterCount,
              events,
              budgeted,
              e.getMessage() + " (its outcome is unknown)",
              e);
        }
        failure = new RedisNotConnectedException(WriterSource.notConnected(ownedConnection));
      } catch (InterruptedException e) {
        failure = e; // nobody interrupts the worker on purpose; treat it as a failed attempt
      } catch (RuntimeException e) {
        failure = e; // the writer threw instead of failing its future
      }
      if (failure instanceof IncompleteWriteException incomplete) {
        counters.commands.add(incomplete.sent().clientCommands());
        counters.roundTrips.add(incomplete.sent().roundTrips());
        poisoned.addAll(incomplete.failedKeys());
        toSend = incomplete.remaining();
      }
      generations.holdCuts(true); // no new batch is cut until this one is stored
      FailurePolicy.Kind kind =
          failure instanceof InterruptedException
              ? FailurePolicy.Kind.TRANSIENT
              : FailurePolicy.classify(failure);
      if (kind != FailurePolicy.Kind.TRANSIENT) {
        filter.forget(toSend);
        giveUp(
            requestId,
            batchId,
            counterCount,
            events,
            budgeted,
            FailurePolicy.describe(failure),
            failure);
        return false;
      }
      // after giveUp's books: a caller whose flush failed for good sees the events counted failed
      failRequests(requestId, failure);
      if (firstFailure == null) {
        firstFailure = failure;
        LOG.warn(
            "{}: flush of batch {} failed: {}; its {} events ({} counters) stay pending and are"
                + " retried with backoff until stored (newer events wait and merge into the next"
                + " batch)",
            name,
            batchId,
            FailurePolicy.describe(failure),
            events,
            counterCount);
      }
      long backoff = FailurePolicy.backoffNanos(attempt, MAX_BACKOFF_NANOS);
      if (closeRequested) {
        backoff = Math.min(backoff, CLOSING_BACKOFF_NANOS);
      }
      long next = System.nanoTime() + backoff;
      if (next - first > retryWindowNanos && (w == null || !w.idempotentRetries())) {
        filter.forget(toSend);
        giveUp(
            requestId,
            batchId,
            counterCount,
            events,
            budgeted,
            "its retries would outlive the exactly-once guard (retry window "
                + TimeUnit.NANOSECONDS.toMillis(retryWindowNanos)
                + " ms = usagesink.guard-ttl minus the command timeout); last error: "
                + FailurePolicy.describe(failure),
            failure);
        return false;
      }
      if (closeRequested && next - closeDeadlineNanos >= 0) {
        filter.forget(toSend);
        return keep(
            requestId,
            batchId,
            counterCount,
            events,
            budgeted,
            "the close deadline passed; last error: " + FailurePolicy.describe(failure),
            failure);
      }
      counters.retries.increment();
      sleepUntil(next);
    }
  }

  /**
   * Waits for the reply of a write that was sent. A write in flight is never sent again while it
   * may still be answered (a re-sent pipeline command would count twice once the first copy runs):
   * the writers complete their futures when Redis answers, when the connection breaks, or (Lua) at
   * their own timeout. Only the close deadline ends the wait early, also for a wait that began
   * before close was requested.
   *
   * @throws TimeoutException when the close deadline passes first
   */
  private WriteResult awaitReply(CompletableFuture<WriteResult> reply, String batchId)
      throws ExecutionException, InterruptedException, TimeoutException {
    long start = System.nanoTime();
    boolean logged = false;
    while (true) {
      if (reply.isDone()) {
        return reply.get(); // an answer that came is counted, even past the close deadline
      }
      long slice = attemptTimeoutNanos;
      boolean closing = closeRequested;
      if (closing) {
        slice = Math.min(slice, closeDeadlineNanos - System.nanoTime());
        if (slice <= 0) {
          throw new TimeoutException(
              "the close deadline passed while Redis had not answered the write");
        }
      }
      try {
        if (closing) {
          return reply.get(slice, TimeUnit.NANOSECONDS);
        }
        try {
          // a close request ends this wait at once: from then on the close deadline bounds it
          CompletableFuture.anyOf(reply, closeSignal).get(slice, TimeUnit.NANOSECONDS);
        } catch (ExecutionException failed) {
          // the reply failed: the loop's first check throws its own failure
        }
      } catch (TimeoutException stillWaiting) {
        if (!logged) {
          logged = true;
          LOG.warn(
              "{}: Redis has not answered batch {} for {} ms on an open connection; waiting "
                  + "(re-sending could count it twice)",
              name,
              batchId,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
      }
    }
  }

  /**
   * Counts a batch whose every part has a definite outcome but some keys were refused for good:
   * events whose usage touches a poisoned key are failed (named by the key), every other event is
   * stored (their updates were applied exactly once).
   */
  private void settlePoisoned(List<UsageTally> tallies, long events, List<KeyFailure> poisoned) {
    Map<String, KeyFailure> byKey = new HashMap<>();
    for (KeyFailure f : poisoned) {
      byKey.putIfAbsent(f.key(), f);
    }
    long failedEvents = 0;
    UsagePlan.Builder one = UsagePlan.builder();
    for (UsageTally t : tallies) {
      layout.plan(t, one.clear());
      List<KeyFailure> hit = touched(one.build(), byKey);
      if (hit.isEmpty()) {
        counters.stored.add(t.requests());
      } else {
        counters.failKeys(t.requests(), hit, false);
        failedEvents += t.requests();
      }
    }
    LOG.warn(
        "{}: {} of {} events of a batch were not stored because Redis refused their keys for good: "
            + "{}; every other update was stored",
        name,
        failedEvents,
        events,
        byKey.values());
  }

  private static List<KeyFailure> touched(UsagePlan plan, Map<String, KeyFailure> poisoned) {
    Map<String, KeyFailure> hit = new LinkedHashMap<>();
    for (CounterDelta c : plan.counters()) {
      KeyFailure f = poisoned.get(c.key());
      if (f != null) {
        hit.putIfAbsent(f.key(), f);
      }
    }
    for (IndexAdd a : plan.indexAdds()) {
      KeyFailure f = poisoned.get(a.setKey());
      if (f != null) {
        hit.putIfAbsent(f.key(), f);
      }
    }
    return List.copyOf(hit.values());
  }

  /**
   * Sleeps until {@code when} (nanoTime); a close request shortens the sleep to the close backoff.
   */
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
      // never interrupted on purpose; do not let a stray interrupt spin the loop
      Thread.interrupted();
    }
  }

  private void giveUp(
      long requestId,
      String batchId,
      int counterCount,
      long events,
      boolean budgeted,
      String why,
      Throwable cause) {
    if (writerReady.isDone() && !writerReady.isCompletedExceptionally()) {
      // a writer that would still store it later must not: it is counted failed
      writerReady.join().abandon(batchId);
    }
    counters.fail(events, why, false);
    if (budgeted) {
      pending.release(counterCount);
    }
    generations.holdCuts(false);
    failRequests(requestId, cause != null ? cause : new IllegalStateException(why));
    LOG.warn(
        "{}: gave up batch {} because {}; {} events ({} counters) are counted failed",
        name,
        batchId,
        why,
        events,
        counterCount);
  }

  /**
   * Gives up a batch at the close deadline. Without a journal it is counted failed. With a journal
   * it stays there (nothing from here on is released) and the next sink opened on the directory
   * stores it: its events are counted {@linkplain io.usagesink.SinkStats#deferred() deferred}, not
   * failed; returns whether that is the case. The first batch kept is logged; later ones (every
   * batch after it is kept too) only at debug, the close summary gives the total.
   */
  private boolean keep(
      long requestId,
      String batchId,
      int counterCount,
      long events,
      boolean budgeted,
      String why,
      Throwable cause) {
    if (journal == null) {
      giveUp(requestId, batchId, counterCount, events, budgeted, why, cause);
      return false;
    }
    boolean first = !keepInJournal;
    keepInJournal = true;
    if (writerReady.isDone() && !writerReady.isCompletedExceptionally()) {
      // this writer must not store it later: the next sink does, from the journal
      writerReady.join().abandon(batchId);
    }
    counters.deferred.add(events);
    if (budgeted) {
      pending.release(counterCount);
    }
    generations.holdCuts(false);
    failRequests(requestId, cause != null ? cause : new IllegalStateException(why));
    LOG.atLevel(first ? Level.WARN : Level.DEBUG)
        .log(
            "{}: batch {} was not stored because {}; its {} events ({} counters) stay in the"
                + " journal {} and the next sink opened on it stores them (counted deferred, not"
                + " failed){}",
            name,
            batchId,
            why,
            events,
            counterCount,
            journal.dir(),
            first ? "; every later batch of this sink stays there too" : "");
    return true;
  }

  private void pullRequests() {
    FlushRequest r;
    while ((r = requests.poll()) != null) {
      waiting.add(r);
    }
  }

  /**
   * Completes the requests covered once generation {@code storedThrough} and all before are done.
   */
  private void settle(long storedThrough) {
    pullRequests();
    waiting.removeIf(
        r -> {
          if (r.target > storedThrough) {
            return false;
          }
          r.future.complete(null);
          return true;
        });
  }

  /**
   * Fails the requests that need generation {@code failed}: part of what they cover is not stored.
   */
  private void failRequests(long failed, Throwable cause) {
    pullRequests();
    waiting.removeIf(
        r -> {
          if (r.target < failed) {
            return false;
          }
          r.future.completeExceptionally(cause);
          return true;
        });
  }
}
