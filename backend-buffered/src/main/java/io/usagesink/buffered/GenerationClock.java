package io.usagesink.buffered;

import io.usagesink.buffered.journal.Journal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.InstantSource;

/**
 * The generation chain and the flush-interval deadline that a {@link BufferedSink} and its {@link
 * FlushWorker} share, so that neither holds the other: the sink records into {@link #current()}
 * and, for clocks that may jump, calls {@link #cutIfDue}; the worker cuts on interval, size, {@code
 * flush()} and {@code close()}, holds cuts while a batch is failing ({@link #holdCuts}) and drains
 * cut generations in order through {@link Generation#next}.
 *
 * <p><b>Cuts.</b> A cut replaces the current generation by a fresh one with one compare-and-set;
 * with a journal it then closes the old generation's journal range (waiting for appends in
 * progress, see {@link Generation}) and publishes the new one's start, and finally links the old
 * generation to the new one, which is what the worker waits for. The deadline advances by whole
 * intervals, also with one compare-and-set, so concurrent callers of {@link #cutIfDue} cut at most
 * once per interval.
 *
 * <p>Thread-safe and lock-free; {@link #cut} waits only for journal appends already in progress.
 */
final class GenerationClock {

  private static final VarHandle CURRENT;
  private static final VarHandle DEADLINE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CURRENT = lookup.findVarHandle(GenerationClock.class, "current", Generation.class);
      DEADLINE = lookup.findVarHandle(GenerationClock.class, "deadline", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final InstantSource clock;
  private final boolean mayJump;
  private final long intervalMillis;

  /** The journal whose ranges the generations cover, or {@code null}. */
  private final Journal journal;

  private final GenerationFactory generations;

  /** The generation record() adds to; replaced through CURRENT by a cut. */
  private volatile Generation current;

  /** Clock millis at which the current generation is due; advanced through DEADLINE. */
  private volatile long deadline;

  /** Whether a batch is failing: no generation is cut on the interval until it is stored. */
  private volatile boolean held;

  /** Makes the generation after a cut. */
  @FunctionalInterface
  interface GenerationFactory {
    /**
     * A new generation {@code id}; {@code sealed}: it refuses every event (the last one, at close).
     */
    Generation create(long id, boolean sealed);
  }

  /**
   * @param clock the clock the flush interval follows
   * @param intervalMillis the flush interval, at least 1
   * @param journal the journal whose ranges generations cover, or {@code null}
   * @param generations makes generations (the first one is {@code create(1, false)})
   */
  GenerationClock(
      InstantSource clock, long intervalMillis, Journal journal, GenerationFactory generations) {
    this.clock = clock;
    this.mayJump = !isSystemClock(clock);
    this.intervalMillis = Math.max(1, intervalMillis);
    this.journal = journal;
    this.generations = generations;
    Generation first = generations.create(1, false);
    if (journal != null) {
      first.journalFrom = journal.nextPosition();
    }
    this.current = first;
    this.deadline = clock.millis() + this.intervalMillis;
  }

  private static boolean isSystemClock(InstantSource clock) {
    return clock.equals(InstantSource.system())
        || clock instanceof Clock c && c.equals(Clock.system(c.getZone()));
  }

  /** The generation events are recorded into now. */
  Generation current() {
    return current;
  }

  /** The clock's millis now. */
  long millis() {
    return clock.millis();
  }

  /** Clock millis at which the current interval ends. */
  long deadlineMillis() {
    return deadline;
  }

  /**
   * Whether the clock may jump (any clock but the system clock): then record() reads it too, so
   * that every interval of event time becomes its own batch however fast events arrive.
   */
  boolean mayJump() {
    return mayJump;
  }

  /**
   * Holds ({@code true}) or resumes interval cuts; the worker holds them while a batch is failing.
   */
  void holdCuts(boolean hold) {
    held = hold;
  }

  /**
   * Cuts the current generation when the flush interval has passed at {@code now} (clock millis)
   * and cuts are not held; advances the deadline to the next interval boundary. Returns whether
   * this call advanced it.
   */
  boolean cutIfDue(long now) {
    long d = deadline;
    if (now < d || held) {
      return false;
    }
    long next = d + ((now - d) / intervalMillis + 1) * intervalMillis;
    if (!DEADLINE.compareAndSet(this, d, next)) {
      return false;
    }
    Generation g = current;
    if (!g.isEmpty()) {
      cut(g, false);
    }
    return true;
  }

  /**
   * Replaces {@code g} as the current generation by a new one; {@code false} if {@code g} is no
   * longer current. {@code sealedNext} makes the new generation refuse every event (used by close).
   */
  boolean cut(Generation g, boolean sealedNext) {
    Generation n = generations.create(g.id + 1, sealedNext);
    if (!CURRENT.compareAndSet(this, g, n)) {
      return false;
    }
    if (journal != null) {
      // record() calls that saw g current are appending for g; later ones see n and wait
      // for its start
      g.awaitJournalQuiet();
      long end = journal.nextPosition();
      g.journalTo = end;
      n.journalFrom = end;
    }
    g.next = n;
    return true;
  }
}
