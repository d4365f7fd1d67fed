package io.usagesink.buffered;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The accumulators of one flush interval. The sink records into the <em>current</em> generation;
 * a cut replaces it with a fresh one and the flush worker later drains the old one into one batch.
 * Generations form a chain ({@link #next}) in cut order, so batches are written in order.
 *
 * <p><b>Why a plain {@link ConcurrentHashMap}</b> (and not a Caffeine cache) holds the
 * accumulators: pending usage must never be evicted, expired or weighed, which is all a cache adds
 * over a map, and an unbounded Caffeine cache is a ConcurrentHashMap with bookkeeping on every read.
 * {@code get} is lock-free (the hot path of every event whose accumulator exists); {@code
 * putIfAbsent} locks one bin only when a new accumulator is created (the cap on pending
 * accumulators is reserved before it). A generation is drained as a whole and then dropped, so there
 * is no per-entry removal.
 *
 * <p><b>Late writers.</b> A writer may have read this generation just before it was cut and insert
 * a new accumulator after the worker began draining it. {@link #insert} therefore announces itself
 * in {@link #inserting} before it checks {@link #sealed}; the worker sets {@code sealed} and then
 * waits for {@code inserting} to reach zero before it reads the map (a Dekker-style handshake on
 * two volatile variables): every insert either sees the seal and retries in the current
 * generation, or is complete and visible before the worker reads the map. Writers that find an
 * existing accumulator are fenced by the accumulator's own seal.
 *
 * <p><b>Journal range.</b> With a journal, a generation covers one contiguous range of journal
 * positions {@code [journalFrom, journalTo)}: {@code record()} appends while counted in {@link
 * #enterJournal()} (and only once {@link #journalFrom} is known); the cutter waits for those appends
 * ({@link #awaitJournalQuiet()}), takes the end from the journal and publishes it as this
 * generation's {@link #journalTo} and the next one's {@link #journalFrom}, before it sets {@link
 * #next}. Unused (and never touched) without a journal.
 */
final class Generation {

  /** Outcome of {@link #insert} when the pending-accumulator cap is reached. */
  static final Accumulator FULL = new Accumulator(new AccumulatorKey(null, null, "", Instant.EPOCH));

  final long id;
  private final ConcurrentHashMap<AccumulatorKey, Accumulator> accumulators;
  private final AtomicInteger inserting = new AtomicInteger();
  private volatile boolean sealed;
  /** The generation cut after this one; set by the cutter right after the cut. */
  volatile Generation next;
  /** record() calls appending to the journal for this generation (journal on only). */
  private final AtomicInteger journaling = new AtomicInteger();
  /** First journal position of this generation; -1 until the cut of the previous one publishes it. */
  volatile long journalFrom = -1;
  /** Journal position after this generation; set by the cutter before {@link #next}, -1 until then. */
  volatile long journalTo = -1;

  Generation(long id, boolean sealed) {
    this.id = id;
    this.sealed = sealed;
    this.accumulators = new ConcurrentHashMap<>(sealed ? 1 : 64);
  }

  /** The accumulator of {@code key}, or {@code null} (lock-free). */
  Accumulator get(AccumulatorKey key) {
    return accumulators.get(key);
  }

  /**
   * The accumulator of {@code key}, created if absent when {@code budget} allows.
   *
   * @return the accumulator; {@code null} when this generation is sealed (retry in the current
   *     one); {@link #FULL} when a new accumulator was needed but the budget is exhausted
   */
  Accumulator insert(AccumulatorKey key, PendingBudget budget) {
    inserting.incrementAndGet();
    try {
      if (sealed) {
        return null;
      }
      if (!budget.tryReserve()) {
        Accumulator raced = accumulators.get(key); // created meanwhile by another thread: no new memory
        return raced != null ? raced : FULL;
      }
      Accumulator fresh = new Accumulator(key);
      Accumulator existing = accumulators.putIfAbsent(fresh, fresh); // the accumulator is its own key
      if (existing != null) {
        budget.release(1);
        return existing;
      }
      return fresh;
    } finally {
      inserting.decrementAndGet();
    }
  }

  /** Counts a record() call that may append to the journal for this generation. */
  void enterJournal() {
    journaling.incrementAndGet();
  }

  /** Ends what {@link #enterJournal()} began. */
  void exitJournal() {
    journaling.decrementAndGet();
  }

  /**
   * Waits until no record() call is appending for this generation and its first position is known.
   * Called by the cutter after this generation stopped being current: later calls see that and go to
   * the next one, so the wait is for appends in progress only (sub-microsecond unless a thread was
   * descheduled).
   */
  void awaitJournalQuiet() {
    int spins = 0;
    while (journaling.get() != 0 || journalFrom < 0) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(1_000);
      }
    }
  }

  /** Waits until {@link #journalFrom} is published (by the cutter of the previous generation). */
  long awaitJournalFrom() {
    long from;
    int spins = 0;
    while ((from = journalFrom) < 0) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(1_000);
      }
    }
    return from;
  }

  /** Whether no accumulator was created (a racing insert may still be in progress). */
  boolean isEmpty() {
    return accumulators.isEmpty();
  }

  /**
   * Seals this generation against new accumulators, waits for inserts in progress and returns every
   * accumulator. Only the flush worker calls this, once, after the generation was cut.
   */
  List<Accumulator> sealAndList() {
    sealed = true;
    int spins = 0;
    while (inserting.get() != 0) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(10_000);
      }
    }
    List<Accumulator> all = new ArrayList<>(accumulators.values());
    accumulators.clear(); // late writers holding an accumulator are fenced by its seal
    return all;
  }
}
