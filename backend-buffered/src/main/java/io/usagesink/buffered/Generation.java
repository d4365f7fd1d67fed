package io.usagesink.buffered;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The accumulators of one flush interval. The sink records into the <em>current</em> generation; a
 * cut replaces it with a fresh one and the flush worker later drains the old one into one batch.
 * Generations form a chain ({@link #next}) in cut order, so batches are written in order.
 *
 * <p><b>A Caffeine cache bounded by {@code maxPendingCounters}</b> holds the accumulators, and its
 * eviction listener is the write-behind: when a new accumulator would pass the cap, Caffeine evicts
 * the coldest (W-TinyLFU: least recently and frequently recorded into) and the listener hands it to
 * this generation's {@linkplain #evicted write-behind queue}, which the flush worker drains with
 * the rest of the generation into the same batch (so the batch id, and with a journal its range,
 * still cover every event of the generation). A new accumulator also requests an early flush once
 * half the cap is pending, so the evicted ones are written soon: at the cap the coldest counters
 * are flushed early and no event is dropped. The cache runs its maintenance on the recording
 * threads ({@code executor(Runnable::run)}): nothing happens in the background, and the listener
 * only flips a bit and appends to a lock-free queue. {@code getIfPresent} is lock-free (the hot
 * path of every event whose accumulator exists); an insert locks one bin of the map.
 *
 * <p><b>Exactly once across evictions.</b> An accumulator is <em>claimed</em> exactly once, by
 * setting its seal bit ({@link Accumulator#seal()}): either by the eviction listener, which then
 * queues it, or by the worker draining the generation, which then lists it; the loser of the race
 * leaves it alone. A writer adds only between {@link Accumulator#tryEnter()} and {@link
 * Accumulator#exit()}: one that entered before the seal completes its add, and the worker reads the
 * sums only once no writer is inside ({@link Accumulator#tally()}); one that comes after the seal
 * is refused and retries with a fresh accumulator of the same key (the evicted one is no longer in
 * the cache), in the same or the current generation. So every add lands in exactly one accumulator
 * that is written exactly once; two accumulators of one key in one batch are merged by the plan.
 * The listener counts itself in {@link #evicting} before it claims; the worker, after claiming what
 * the map holds, waits for that count to reach zero before it drains the queue, so an accumulator
 * the listener claimed is in the queue by then (the worker either failed to claim it, and so saw
 * the listener's claim and its count, or did not find it in the map, and so saw its removal, which
 * follows the listener's return).
 *
 * <p><b>Late writers.</b> A writer may have read this generation just before it was cut and insert
 * a new accumulator after the worker began draining it. {@link #insert} therefore announces itself
 * in {@link #inserting} before it checks {@link #sealed}; the worker sets {@code sealed} and then
 * waits for {@code inserting} to reach zero before it reads the map (a Dekker-style handshake on
 * two volatile variables): every insert either sees the seal and retries in the current generation,
 * or is complete and visible before the worker reads the map. Writers that find an existing
 * accumulator are fenced by the accumulator's own seal.
 *
 * <p><b>Journal range.</b> With a journal, a generation covers one contiguous range of journal
 * positions {@code [journalFrom, journalTo)}: {@code record()} appends while counted in {@link
 * #enterJournal()} (and only once {@link #journalFrom} is known); the cutter waits for those
 * appends ({@link #awaitJournalQuiet()}), takes the end from the journal and publishes it as this
 * generation's {@link #journalTo} and the next one's {@link #journalFrom}, before it sets {@link
 * #next}. Unused (and never touched) without a journal.
 */
final class Generation {

  final long id;

  /** The accumulators; {@code null} in a generation sealed from birth (close). */
  private final Cache<AccumulatorKey, Accumulator> accumulators;

  /** Accumulators the cache evicted (claimed by the listener), written with this generation. */
  private final ConcurrentLinkedQueue<Accumulator> evicted = new ConcurrentLinkedQueue<>();

  /** Counts this generation's accumulators, and those evicted. */
  private final PendingCount pending;

  /** Eviction listeners running. */
  private final AtomicInteger evicting = new AtomicInteger();

  private final AtomicInteger inserting = new AtomicInteger();
  private volatile boolean sealed;

  /** The generation cut after this one; set by the cutter right after the cut. */
  volatile Generation next;

  /** record() calls appending to the journal for this generation (journal on only). */
  private final AtomicInteger journaling = new AtomicInteger();

  /**
   * First journal position of this generation; -1 until the cut of the previous one publishes it.
   */
  volatile long journalFrom = -1;

  /**
   * Journal position after this generation; set by the cutter before {@link #next}, -1 until then.
   */
  volatile long journalTo = -1;

  /**
   * @param sealed whether the generation refuses every event from birth (the last one, at close)
   * @param maxCounters the most accumulators the cache holds before it evicts the coldest
   * @param pending counts the accumulators created (and evicted)
   */
  Generation(long id, boolean sealed, long maxCounters, PendingCount pending) {
    this.id = id;
    this.sealed = sealed;
    this.pending = pending;
    this.accumulators =
        sealed
            ? null
            : Caffeine.newBuilder()
                .maximumSize(maxCounters)
                .executor(Runnable::run)
                .<AccumulatorKey, Accumulator>evictionListener(this::onEviction)
                .build();
  }

  /** The eviction listener: claims the accumulator and queues it for this generation's batch. */
  private void onEviction(AccumulatorKey key, Accumulator acc, RemovalCause cause) {
    evicting.incrementAndGet();
    try {
      if (acc != null && acc.seal()) {
        evicted.add(acc);
        pending.evicted();
      }
    } finally {
      evicting.decrementAndGet();
    }
  }

  /** The accumulator of {@code key}, or {@code null} (lock-free). */
  Accumulator get(AccumulatorKey key) {
    return accumulators == null ? null : accumulators.getIfPresent(key);
  }

  /**
   * The accumulator of {@code key}, created if absent (counted as pending). It may be evicted
   * (sealed) at once at the cap; {@link Accumulator#tryEnter()} then fails and the caller retries.
   *
   * @return the accumulator; {@code null} when this generation is sealed (retry in the current one)
   */
  Accumulator insert(AccumulatorKey key) {
    inserting.incrementAndGet();
    try {
      if (sealed) {
        return null;
      }
      Accumulator fresh = new Accumulator(key);
      pending.add(1);
      Accumulator existing =
          accumulators.asMap().putIfAbsent(fresh, fresh); // the accumulator is its own key
      if (existing != null) {
        pending.release(1);
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
   * Called by the cutter after this generation stopped being current: later calls see that and go
   * to the next one, so the wait is for appends in progress only (sub-microsecond unless a thread
   * was descheduled).
   */
  void awaitJournalQuiet() {
    int spins = 0;
    while (journaling.get() != 0 || journalFrom < 0) {
      spins = SpinWait.pause(spins, 1_000);
    }
  }

  /** Waits until {@link #journalFrom} is published (by the cutter of the previous generation). */
  long awaitJournalFrom() {
    long from;
    int spins = 0;
    while ((from = journalFrom) < 0) {
      spins = SpinWait.pause(spins, 1_000);
    }
    return from;
  }

  /** Whether no accumulator was created (a racing insert may still be in progress). */
  boolean isEmpty() {
    return accumulators == null || accumulators.asMap().isEmpty() && evicted.isEmpty();
  }

  /**
   * Seals this generation against new accumulators, waits for inserts in progress and returns every
   * accumulator it holds or evicted, each claimed (sealed) for this batch: read each with {@link
   * Accumulator#tally()}. Only the flush worker calls this, once, after the generation was cut.
   */
  List<Accumulator> sealAndList() {
    sealed = true;
    awaitZero(inserting);
    List<Accumulator> all = new ArrayList<>();
    if (accumulators != null) {
      for (Accumulator a : accumulators.asMap().values()) {
        // else the eviction listener claimed it: it is (or is about to be) in the queue
        if (a.seal()) {
          all.add(a);
        }
      }
    }
    awaitZero(evicting);
    for (Accumulator a; (a = evicted.poll()) != null; ) {
      all.add(a);
    }
    // late writers holding an accumulator are fenced by its seal; later evictions find them claimed
    return all;
  }

  private static void awaitZero(AtomicInteger count) {
    int spins = 0;
    while (count.get() != 0) {
      spins = SpinWait.pause(spins, 10_000);
    }
  }
}
