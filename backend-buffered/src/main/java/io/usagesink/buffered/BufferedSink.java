package io.usagesink.buffered;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.buffered.journal.CompactOutboxFile;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.buffered.journal.JournalException;
import io.usagesink.buffered.journal.JournalSettings;
import io.usagesink.buffered.journal.JournalStats;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.ConnectionCheck;
import io.usagesink.redis.internal.CrsPlanFilter;
import io.usagesink.redis.internal.SinkCounters;
import io.usagesink.redis.internal.WriterSource;
import io.usagesink.redis.write.CompactWriter;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.redis.write.WriterChecks;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The buffered backend: aggregates usage in memory and writes it to Redis in merged batches, each
 * applied exactly once.
 *
 * <p><b>Recording.</b> {@link #record(UsageEvent)} adds the event to one small accumulator per
 * (key, account, model, start of the layout's finest time bucket of the event) and returns. It is
 * O(1), lock-free when the accumulator exists (one cache lookup through a per-thread probe key, a
 * few atomic adds), allocates nothing then (the cache's bookkeeping aside), and never blocks on
 * I/O; creating an accumulator locks one bin of the cache's map, and the cache's upkeep (evicting
 * at the cap) runs on the recording thread, amortised O(1). The returned stage is already complete:
 * it means <em>accepted into the buffer</em>, not stored; {@link #flush()} and {@link #close()} say
 * when the data is stored. <b>Event time decides the bucket</b>, never flush time: an event at
 * 10:59:59.9 lands in hour 10 even when it is flushed at 11:00:01.
 *
 * <p><b>Flushing.</b> One daemon worker thread writes batches, one at a time and in order. The
 * accumulators of a flush interval form a generation; a cut closes the current generation and the
 * worker plans each accumulator once with the layout (the same planner every Redis backend uses),
 * merges them into one plan (so each TTL and each counter is sent once per key per batch) and
 * writes it with the configured writer. A cut happens when the flush interval has passed on the
 * sink's clock, when half of {@code maxPendingCounters} accumulators are pending, on {@link
 * #flush()} and on {@link #close()}. With the system clock the worker waits for the interval
 * itself. With any other clock (for example one that follows event timestamps, as {@code replay
 * --clock events} does) time may jump, so {@code record()} also reads the clock and cuts when the
 * interval has passed: every interval becomes its own batch, exactly as a real-time run would have
 * flushed it, however fast events are replayed.
 *
 * <p><b>Exactly once.</b> Every batch carries a unique id ({@code <sink instance>:<generation>}),
 * passed to the writer as its guard id; the Lua writer applies a guard id at most once. Failures
 * follow the policy every Redis backend shares ({@code FailurePolicy}): after a transient failure
 * (connection lost, {@code OOM}, {@code LOADING}, not connected yet, ...) the batch keeps its id
 * and only the part of it whose outcome is unknown or not applied is retried, with exponential
 * backoff (50 ms doubling to 5 s), until it is applied or found already applied. A write in flight
 * is never re-sent while Redis may still answer it. Meanwhile new events keep accumulating in the
 * current generation, which is not cut until the failing batch is stored: at most one batch is in
 * flight, and newer usage waits and merges. <b>The guard rule:</b> the guard of a batch lives
 * {@link io.usagesink.redis.RedisOptions#guardTtl()} from when it was applied, so a retry is only
 * safe while the guard of an earlier, possibly applied attempt is still alive; a batch is therefore
 * retried for at most {@code guardTtl - commandTimeout} after its first attempt (9 min 50 s with
 * the defaults). A batch still failing then is given up: its events are counted {@link
 * SinkStats#failed()} and logged. Raise {@code usagesink.guard-ttl} to bridge longer outages (one
 * guard key per batch). <b>Poisoned keys</b> ({@code WRONGTYPE}, an overflowing counter): the Lua
 * script undoes that key's updates and applies every other key of the batch; the events whose usage
 * touches the key are counted failed under the key's name ({@link #failureReasons()}), every other
 * event stored, nothing retried. With the pipeline writer ({@code
 * usagesink.buffered.writer=pipeline}) there is no guard: a command whose connection broke before
 * its reply is re-sent and may count twice (at-least-once). On the compact layout ({@code
 * usagesink.layout=compact}) a retry rewrites absolute values, so there is no guard window: a batch
 * is retried until stored, and given up only at the close deadline (or after 6 hours without Redis,
 * when its writer id lapses); the writer then forgets it, so a batch counted failed is really not
 * stored.
 *
 * <p><b>Journal</b> ({@code usagesink.buffered.journal-dir}, optional). With a journal, {@code
 * record()} also appends the event to a checksummed, memory-mapped log in that directory before it
 * returns (see {@link Journal}); its stage then means <em>accepted and journaled</em>. A process
 * killed outright (kill -9, the OOM killer) loses nothing {@code record()} accepted; a power loss
 * loses at most what {@code usagesink.buffered.journal-fsync} leaves unforced ({@code interval}:
 * about one interval, 500 ms by default; {@code always}: nothing; {@code none}: everything not yet
 * written back by the OS). Each generation covers one contiguous range of journal positions and its
 * batch carries the guard id {@code <journal id>:<from>-<to>}; the range is persisted before the
 * write and released (its segments deleted) once the batch is stored or finally failed. A sink
 * opened on the directory first stores what an earlier process left, on its flush worker (open()
 * does not wait): the batch that was in flight, under its own guard id, then the rest in batches of
 * at most {@code maxPendingCounters / 2} counters, each persisted first. <b>Exactly-once
 * window:</b> with the Lua writer a recovered batch is applied exactly once if the recovery runs
 * within {@code usagesink.guard-ttl} (10 min by default) of the crashed process's last attempt of
 * it; later, a batch whose reply was lost may count twice. The pipeline writer stays at-least-once.
 * Batches not stored by the close deadline stay in the journal for the next sink: their events are
 * counted {@link SinkStats#deferred()}, not failed (after close {@code recorded == stored + failed
 * + dropped + deferred}), and the next sink opened on the directory counts them as recorded and
 * stores them. Batches given up for good (a refusal that is not transient, the guard's retry
 * window) are counted failed and released from the journal. An event refused for overflow is
 * cancelled in the journal. When an append fails (full disk), the event fails: its stage fails with
 * the {@link JournalException}, it is counted {@link SinkStats#failed()} under the reason, and
 * nothing is stored for it. <b>Compact layout:</b> the writer saves what each send carries ({@link
 * CompactOutboxFile}) before it goes out; a recovery resends the pending batch's saved absolute
 * values under the dead writer's ids (idempotent, hash by hash) and stores every later range under
 * its own id. Exact within 7 hours of the dead writer's last confirmed heartbeat (its ids' lease);
 * later, the pending batch is counted failed. Only with the sink's own compact writer (not an
 * injected writer or layout).
 *
 * <p><b>Connecting.</b> The sink returns while Redis is unreachable and connects in the background;
 * events aggregate meanwhile ({@code usagesink.redis.connect=fail} fails instead). What a reachable
 * Redis refuses (credentials, the ACL of the writer's commands) fails the build at once.
 *
 * <p><b>Bounded memory, nothing dropped.</b> Memory grows with distinct accumulators, not with
 * events (about 250 bytes each with the cache's entry, plus the id strings they share with the
 * events). The accumulators of the current interval live in a Caffeine cache bounded by {@link
 * SinkConfig#maxPendingCounters()}; when half of that many are pending an early flush starts, and
 * when a new accumulator would pass the cap the cache evicts the coldest one, which is written
 * early with the interval's batch (write-behind: the cache's eviction listener hands it to the
 * flush worker). No event is dropped at the cap ({@link SinkStats#dropped()} stays 0) and every
 * accepted number stays exact. Evicted accumulators wait for their batch: while a batch is failing
 * (Redis down), newer distinct counters beyond the cap are kept rather than dropped, so memory then
 * grows with them until Redis is back or the data is given up.
 *
 * <p><b>Close.</b> {@link #close()} runs once: it stops accepting events (later ones are {@link
 * SinkStats#rejected() rejected}), writes everything pending within {@link
 * SinkConfig#closeTimeout()}, counts what could not be stored as failed (with a journal: deferred,
 * kept for the next sink), logs a summary and closes the Redis connection it opened. A JVM shutdown
 * hook closes the sink when {@link SinkConfig#shutdownHook()} is on (the default); {@code close()}
 * removes it.
 *
 * <p><b>Frugal CRS writes.</b> On the CRS layout, {@code usagesink.crs.skip-zero} and {@code
 * usagesink.crs.expire-memo} filter each merged plan before it is written (see {@link
 * io.usagesink.redis.internal.CrsPlanFilter}); both are off by default.
 *
 * <p><b>Failures</b> never reach the caller of {@code record()} and never stop the worker: they are
 * counted ({@link SinkStats#retries()}, {@link SinkStats#failed()} with {@link #failureReasons()})
 * and logged once per batch (when it first fails, when it is stored after retries, when it is given
 * up), never once per retry.
 *
 * <p>Thread-safe. Build one with {@link #builder(SinkConfig)}, or through {@code
 * UsageSinks.open(config)} with {@code usagesink.backend=buffered}.
 */
public final class BufferedSink implements UsageSink {

  private static final Logger LOG = LoggerFactory.getLogger(BufferedSink.class);

  /** The {@link #gauges()} name of the journal's disk use in bytes. */
  public static final String JOURNAL_BYTES = "journal.bytes";

  /** The {@link #gauges()} name of the journal's segment file count. */
  public static final String JOURNAL_SEGMENTS = "journal.segments";

  /** How long close waits after its deadline for the worker to count what it gave up: {@value}. */
  static final long CLOSE_MARGIN_MILLIS = 1_000;

  /**
   * How much longer close waits, at most, when counting what was left takes longer than {@link
   * #CLOSE_MARGIN_MILLIS} (a loaded machine, a million pending counters): {@value} ms.
   */
  static final long SETTLE_WAIT_MILLIS = 30_000;

  /** How long close waits, at least, for the worker to close the connection: {@value} ms. */
  static final long CONNECTION_CLOSE_WAIT_MILLIS = 2_000;

  /** The stage of every accepted event: complete and immutable, so it is shared. */
  private static final CompletionStage<Void> ACCEPTED = CompletableFuture.completedStage(null);

  private final SinkConfig config;
  private final UsageLayout layout;
  private final InstantSource clock;
  private final String name;
  private final PendingCount pending;
  private final SinkCounters counters;

  /** The generations record() adds to and the interval deadline, shared with the flush worker. */
  private final GenerationClock generations;

  private final FlushWorker flusher;

  /** The journal, or {@code null}: record() then never touches it (the lock-free path). */
  private final Journal journal;

  /** Each recording thread's lookup key, refilled per event: record() allocates no key. */
  private final ThreadLocal<AccumulatorKey> probes = ThreadLocal.withInitial(AccumulatorKey::probe);

  private final Thread shutdownHook;
  private final AtomicBoolean closeCalled = new AtomicBoolean();

  private volatile boolean closing;

  /**
   * @param ownedConnection closed by the flush worker when it ends (after the last write): the
   *     connection the sink opened (for the compact layout: its writer's final fold, then the
   *     connection), or {@code null}
   */
  private BufferedSink(
      Builder b,
      CompletableFuture<? extends PlanWriter> writer,
      String writerName,
      AutoCloseable ownedConnection,
      Journal journal) {
    this.config = b.config;
    this.layout = b.layout != null ? b.layout : UsageLayouts.of(b.config);
    this.clock = b.clock != null ? b.clock : b.config.clock();
    String instance = UUID.randomUUID().toString();
    this.name = "usagesink-buffered-" + instance.substring(0, 8);
    this.counters = new SinkCounters(LOG, name);
    BufferedOptions options = BufferedOptions.from(config);
    int max = options.maxPendingCounters();
    this.pending = new PendingCount(Math.max(1, max / 2));
    this.journal = journal;
    this.generations =
        new GenerationClock(
            clock,
            options.flushInterval().toMillis(),
            journal,
            (id, sealedAtStart) -> new Generation(id, sealedAtStart, max, pending));
    // frugal CRS writes (usagesink.crs.*) apply to the CRS layout only; the compact writer writes
    // absolute values
    CrsPlanFilter filter =
        layout instanceof CompactLayout ? CrsPlanFilter.none() : CrsPlanFilter.of(config, clock);
    this.flusher =
        new FlushWorker(
            name,
            generations,
            writer,
            writerName,
            ownedConnection,
            layout,
            filter,
            config,
            pending,
            counters,
            "buffered:" + instance + ":",
            journal);
    this.shutdownHook = config.shutdownHook() ? new Thread(this::close, name + "-shutdown") : null;
    flusher.start();
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /** A builder of a buffered sink configured by {@code config}. */
  public static Builder builder(SinkConfig config) {
    return new Builder(config);
  }

  /**
   * Adds the event to its accumulator and returns a completed stage: the event is accepted into the
   * buffer, not yet stored. The stage fails with {@link IllegalStateException} after {@link
   * #close()} (the event is rejected); with {@link IllegalArgumentException} when a pending sum or
   * its all-token total would exceed {@code Long.MAX_VALUE}, the largest counter Redis holds
   * (rejected).
   */
  @Override
  public CompletionStage<Void> record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    if (closing) {
      return rejectClosed();
    }
    if (generations.mayJump()) {
      long now = generations.millis();
      if (now >= generations.deadlineMillis() && generations.cutIfDue(now)) {
        flusher.wake();
      }
    }
    AccumulatorKey key =
        probes
            .get()
            .set(event.keyId(), event.accountId(), event.model(), layout.bucketStart(event.at()));
    if (journal != null) {
      return recordJournaled(event, key);
    }
    for (; ; ) {
      Generation g = generations.current();
      Accumulator acc = g.get(key);
      if (acc == null) {
        acc = g.insert(key);
        if (acc == null) { // g was cut and is being drained: go to the current generation
          if (closing) {
            return rejectClosed();
          }
          continue;
        }
        if (pending.flushDue()) {
          flusher.requestEarlyFlush();
        }
      }
      if (acc.tryEnter()) {
        boolean fits;
        try {
          fits = acc.add(event);
        } finally {
          acc.exit();
        }
        if (!fits) {
          counters.rejected.increment();
          return overflow(event);
        }
        counters.recorded.increment();
        return ACCEPTED;
      }
      if (closing) {
        return rejectClosed();
      }
      // sealed after a cut, or evicted at the cap: retry with the current accumulator
      Thread.onSpinWait();
    }
  }

  /**
   * record() with a journal: inside the current generation's journal count, finds or creates the
   * accumulator, appends the event, then adds it. The worker seals a generation's accumulators only
   * after its cutter waited for this count to reach zero, so the event's position lies in the
   * generation's range; the cache may evict (seal) the accumulator at the cap meanwhile, and the
   * event is then cancelled in the journal and recorded again.
   */
  private CompletionStage<Void> recordJournaled(UsageEvent event, AccumulatorKey key) {
    for (; ; ) {
      Generation g = generations.current();
      g.enterJournal();
      try {
        if (generations.current() != g) {
          continue; // cut meanwhile: its range is being closed; go to the current generation
        }
        g.awaitJournalFrom();
        Accumulator acc = g.get(key);
        if (acc == null) {
          acc = g.insert(key);
          if (acc == null) { // only the sealed generation close installs is sealed while current
            return rejectClosed();
          }
          if (pending.flushDue()) {
            flusher.requestEarlyFlush();
          }
        }
        long position;
        try {
          position = journal.append(event);
        } catch (JournalException | IllegalArgumentException | IllegalStateException e) {
          return journalFailed(e);
        }
        // evicted at the cap meanwhile: keep the journal and the sums in step
        if (!acc.tryEnter()) {
          cancel(position);
          continue;
        }
        boolean fits;
        try {
          fits = acc.add(event);
        } finally {
          acc.exit();
        }
        if (!fits) {
          cancel(position);
          counters.rejected.increment();
          return overflow(event);
        }
        counters.recorded.increment();
        return ACCEPTED;
      } finally {
        g.exitJournal();
      }
    }
  }

  private void cancel(long position) {
    try {
      journal.cancel(position);
    } catch (RuntimeException e) {
      LOG.error(
          "{}: cannot cancel journal record {} of an event that was not accepted; "
              + "a recovery after a crash would store it: {}",
          name,
          position,
          e.toString());
    }
  }

  private CompletionStage<Void> journalFailed(RuntimeException e) {
    counters.recorded.increment();
    counters.fail(
        1, "journal append failed: " + e.getMessage(), true); // the message names the directory
    return CompletableFuture.failedStage(e);
  }

  private static CompletionStage<Void> overflow(UsageEvent event) {
    return CompletableFuture.failedStage(
        new IllegalArgumentException(
            "event refused: a pending sum of ("
                + event.keyId()
                + ", "
                + event.accountId()
                + ", "
                + event.model()
                + "), or its all-token total, would exceed "
                + Accumulator.LIMIT
                + ", the largest counter Redis holds"));
  }

  private CompletionStage<Void> rejectClosed() {
    counters.rejected.increment();
    return CompletableFuture.failedStage(
        new IllegalStateException("sink " + name + " is closed; event rejected"));
  }

  /**
   * Starts a flush of everything recorded so far. The stage completes when all of it is stored, or
   * exceptionally with the write's error when a write covering it failed (the data stays pending
   * and is retried). A flush already running is not started twice: this one is served by the next
   * batch that covers everything recorded before the call. After close the stage is complete.
   */
  @Override
  public CompletionStage<Void> flush() {
    return flusher.requestFlush(generations.current().id);
  }

  /**
   * Stops accepting events and writes everything pending within {@link SinkConfig#closeTimeout()};
   * what could not be stored by then is counted failed, or with a journal deferred (it stays in the
   * journal and the next sink opened on the directory stores it), and logged. Returns once every
   * recorded event is counted stored, failed or deferred ({@code pending} is then 0): that is
   * counting in memory after the deadline, proportional to the counters still pending (seconds for
   * a million events on a loaded 2-core machine), waited for at most {@value #SETTLE_WAIT_MILLIS}
   * ms more. Runs once; later calls return at once. Interrupting the caller ends the wait early
   * (pending data is then given up at once, and the counts may not be final yet) and keeps the
   * interrupt flag set.
   */
  @Override
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    Duration timeout = config.closeTimeout();
    closing = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    flusher.beginClose(deadline);
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down; the hook will find the sink closed
      }
    }
    boolean settled = false;
    try {
      // the worker gives up at the deadline; allow it a moment to count what it gave up
      settled = flusher.awaitSettled(timeout.toMillis() + CLOSE_MARGIN_MILLIS);
      if (!settled) {
        LOG.info(
            "{}: still counting what was not stored by the close deadline ({} counters pending);"
                + " waiting up to {} ms more",
            name,
            pending.pending(),
            SETTLE_WAIT_MILLIS);
        settled = flusher.awaitSettled(SETTLE_WAIT_MILLIS);
      }
      // then the worker closes the connection and the journal
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + CLOSE_MARGIN_MILLIS;
      flusher.join(Math.max(left, CONNECTION_CLOSE_WAIT_MILLIS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      flusher.beginClose(System.nanoTime());
    }
    SinkStats s = stats();
    if (!settled) {
      LOG.warn(
          "{}: close returned before the flush worker had counted everything; {} counters still"
              + " pending",
          name,
          s.pending());
    }
    LOG.atLevel(s.failed() > 0 || s.dropped() > 0 || s.deferred() > 0 ? Level.WARN : Level.DEBUG)
        .log(
            "{} closed: recorded={} stored={} failed={} dropped={} deferred={} rejected={}"
                + " flushes={} retries={} commands={}{}",
            name,
            s.recorded(),
            s.stored(),
            s.failed(),
            s.dropped(),
            s.deferred(),
            s.rejected(),
            s.flushes(),
            s.retries(),
            s.commands(),
            s.deferred() == 0 || journal == null
                ? ""
                : "; "
                    + s.deferred()
                    + " events were not stored by the close deadline and stay in the journal "
                    + journal.dir()
                    + ": the next sink opened on that directory stores them");
  }

  /** Counters of this sink; {@code pending} counts pending accumulators, the rest count events. */
  @Override
  public SinkStats stats() {
    return counters.snapshot(pending.pending());
  }

  /**
   * Accumulators the cache evicted at {@code maxPendingCounters} so far (written early, not
   * dropped).
   */
  long evictedCounters() {
    return pending.evictedTotal();
  }

  /**
   * What the journal recovery of this sink did (the figures of the summary it logs), or empty
   * before it ended, without a journal, or when the journal held nothing to recover. For tests.
   */
  Optional<RecoverySummary> lastRecovery() {
    return Optional.ofNullable(flusher.lastRecovery());
  }

  /**
   * The journal's figures (segments, bytes on disk, appends, fsyncs, released position), or empty
   * without a journal. Cheap: a few reads under the journal's segment lock.
   */
  public Optional<JournalStats> journalStats() {
    return journal == null ? Optional.empty() : Optional.of(journal.stats());
  }

  /**
   * With a journal: {@value #JOURNAL_BYTES} (bytes of its segment files on disk) and {@value
   * #JOURNAL_SEGMENTS}; without one, empty. Cheap: a few reads under the journal's segment lock.
   */
  @Override
  public Map<String, Long> gauges() {
    if (journal == null) {
      return Map.of();
    }
    JournalStats s = journal.stats();
    return Map.of(JOURNAL_BYTES, s.diskBytes(), JOURNAL_SEGMENTS, s.segments());
  }

  @Override
  public Map<String, Long> failureReasons() {
    return counters.failureReasons();
  }

  @Override
  public String toString() {
    return "BufferedSink{"
        + name
        + ", layout="
        + layout
        + ", flushInterval="
        + BufferedOptions.from(config).flushInterval()
        + ", writer="
        + flusher.writerName()
        + (journal == null ? "" : ", journal=" + journal.dir())
        + "}";
  }

  /**
   * Builds a {@link BufferedSink}. Not thread-safe. By default the sink opens its own Redis
   * connection from the configuration and writes with the writer {@link
   * SinkConfig#bufferedWriter()} names; tests and benchmarks may inject a writer, a layout and a
   * clock instead.
   */
  public static final class Builder {
    private final SinkConfig config;
    private PlanWriter writer;
    private UsageLayout layout;
    private InstantSource clock;
    private Optional<JournalConfig> journal;

    private Builder(SinkConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Writes with {@code writer} instead of opening a connection; the sink does not close it. For
     * exactly-once retries the writer must honour guard ids as {@link PlanWriter} describes.
     */
    public Builder writer(PlanWriter writer) {
      this.writer = Objects.requireNonNull(writer, "writer");
      return this;
    }

    /**
     * Plans with {@code layout}; default {@link UsageLayouts#of(SinkConfig)} ({@code
     * usagesink.layout}).
     */
    public Builder layout(UsageLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** Measures the flush interval on {@code clock}; default {@link SinkConfig#clock()}. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Journals to {@code journal} ({@code null}: no journal) instead of what {@code
     * usagesink.buffered.journal-dir} says.
     */
    public Builder journal(JournalConfig journal) {
      this.journal = Optional.ofNullable(journal);
      return this;
    }

    /**
     * Builds and starts the sink. Unless a writer was injected, the sink opens its own connection:
     * it returns while Redis is unreachable and connects in the background (events aggregate
     * meanwhile; {@code usagesink.redis.connect=fail} fails instead), and fails at once when a
     * reachable Redis refuses the credentials or the commands the writer needs (ACL).
     *
     * @throws io.usagesink.ConfigurationException when the configuration names no usable Redis
     * @throws io.usagesink.redis.RedisConnectFailedException when a reachable Redis refuses the
     *     sink
     * @throws JournalException when the journal directory cannot be created, written or locked
     *     (another process uses it)
     */
    public BufferedSink build() {
      BufferedOptions options =
          BufferedOptions.from(config); // fails on bad settings before anything opens
      Optional<JournalConfig> journalConfig =
          journal != null ? journal : JournalSettings.from(config);
      boolean compact =
          layout == null
              ? UsageLayouts.layoutName(config).equals(UsageLayouts.COMPACT)
              : layout instanceof CompactLayout;
      if (journalConfig.isPresent() && compact && (writer != null || layout != null)) {
        throw new ConfigurationException(
            "Invalid value for property "
                + JournalSettings.DIR
                + "="
                + journalConfig.get().dir()
                + " with "
                + UsageLayouts.LAYOUT_PROPERTY
                + "=compact and an injected writer or layout. "
                + "The journal recovers into the compact layout through the sink's own compact "
                + "writer only (it saves what it sends in the journal directory): "
                + "do not inject one, or unset one of them.");
      }
      Journal j = journalConfig.map(Journal::open).orElse(null);
      try {
        if (writer != null) {
          return new BufferedSink(
              this, CompletableFuture.completedFuture(writer), writer.name(), null, j);
        }
        if (layout == null && compact) {
          return buildCompact(this, j);
        }
        boolean pipeline = options.writer() == BufferedOptions.Writer.PIPELINE;
        WriterSource<PlanWriter> source =
            WriterSource.open(
                config,
                null,
                pipeline ? WriterChecks.pipelineWriter() : WriterChecks.luaWriter(),
                c -> pipeline ? PlanWriters.pipeline(c, config) : PlanWriters.lua(c, config));
        return new BufferedSink(
            this, source.writer(), pipeline ? "pipeline" : "lua", source.owned(), j);
      } catch (RuntimeException e) {
        if (j != null) {
          j.close();
        }
        throw e;
      }
    }
  }

  /**
   * The compact layout ({@code usagesink.layout=compact}): plans with {@link UsageLayouts#compact}
   * and writes with a {@link CompactWriter} (absolute values, one HSET per flush). The sink closes
   * the writer (its final fold) and then the connection once the flush worker has ended.
   */
  private static BufferedSink buildCompact(Builder b, Journal journal) {
    CompactLayout compact = UsageLayouts.compact(b.config);
    b.layout = compact;
    CompactOutboxFile outbox = journal == null ? null : CompactOutboxFile.open(journal);
    WriterSource<CompactWriter> source =
        WriterSource.open(
            b.config,
            null,
            ConnectionCheck.none(),
            c -> {
              CompactWriter w = PlanWriters.compact(c, compact, InstantSource.system(), outbox);
              if (outbox != null) {
                outbox
                    .toResend()
                    .ifPresent(
                        u -> {
                          if (!w.adopt(u)) {
                            LOG.warn(
                                "journal {}: the batch in flight at the last stop ({}) is too old"
                                    + " to be resent under its writer ids (their leases lapsed); it"
                                    + " will be counted failed",
                                journal.dir(),
                                u.guardId());
                          }
                        });
              }
              return w;
            });
    AutoCloseable foldThenDisconnect =
        () -> {
          try {
            CompletableFuture<CompactWriter> w = source.writer();
            if (w.isDone() && !w.isCompletedExceptionally()) {
              w.join().close(); // the final fold, while the connection is still open
            }
          } finally {
            source.owned().close();
          }
        };
    return new BufferedSink(b, source.writer(), "compact", foldThenDisconnect, journal);
  }
}
