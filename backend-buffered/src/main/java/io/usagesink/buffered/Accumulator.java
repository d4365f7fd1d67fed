package io.usagesink.buffered;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageTally;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The summed usage of one {@link AccumulatorKey} within one {@link Generation}: one cell per
 * {@linkplain Measure#isTallied() tallied measure} (indexed by {@link Measure#ordinal()}) that many
 * threads add to without locks.
 *
 * <p><b>Why a plain {@code long[]} and one array VarHandle</b> rather than a dozen {@code
 * LongAdder}s: a LongAdder costs about 40 bytes before contention and grows a cell array under
 * contention, so a million accumulators would cost tens of megabytes more; usage of one (key,
 * account, model, minute) is rarely recorded by many threads at the same instant, so striping buys
 * nothing. The measures drive the cells ({@link Measure#TALLIED} of them), so a new token kind
 * needs no change here. Recording an event touches this object and its cell array, and an
 * uncontended {@code getAndAdd} is a single atomic instruction. Zero amounts (most events have no
 * cache, long-context or cost numbers) skip theirs.
 *
 * <p><b>Sealing.</b> The state counts the writers inside {@link #tryEnter()} / {@link #exit()} and
 * carries the {@link #SEALED} bit. Whoever hands the accumulator to a batch seals it first ({@link
 * #seal()}, which succeeds once): the flush worker draining its generation, or the cache's eviction
 * listener at the cap (see {@link Generation}). The worker then waits until no writer is inside and
 * only then reads the sums ({@link #tally()}). A writer that enters after the seal backs out and
 * retries with a fresh accumulator, so no amount is added after the sums were read and none is
 * lost. The writer's adds happen-before its {@code exit()}, which happens-before the worker's read
 * of a zero writer count.
 *
 * <p><b>Overflow.</b> The limit is Redis's: a counter is a signed 64-bit integer. Every cell may
 * reach {@code Long.MAX_VALUE}, and so may every {@linkplain Measure#sums() sum of measures} (such
 * as the all-token total) that the layouts store. An event that would push a cell or a sum past it
 * is backed out completely ({@link #add} returns {@code false}) and refused by the sink: never
 * wrapped. (Under concurrent adds at that extreme, an event may be refused that would have fitted
 * alone.)
 */
final class Accumulator extends AccumulatorKey {

  /** Largest value any sum, and the all-token total, may reach: Redis's largest counter. */
  static final long LIMIT = Long.MAX_VALUE;

  /** Bit of the state set once the worker sealed the accumulator. */
  static final long SEALED = 1L << 62;

  private static final VarHandle STATE_H;
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

  /** The tallied measures an event gives on its own: {@link Measure#REQUESTS} and its fields. */
  private static final Measure[] DIRECT =
      Measure.all().subList(0, Measure.TALLIED).stream()
          .filter(m -> m.longContextOf() == null)
          .toArray(Measure[]::new);

  /**
   * The long-context shares ({@link Measure#longContextOf()}): zero unless the event is
   * long-context, so most events skip them.
   */
  private static final Measure[] LONG_CONTEXT =
      Measure.all().subList(0, Measure.TALLIED).stream()
          .filter(m -> m.longContextOf() != null)
          .toArray(Measure[]::new);

  /**
   * The cells of each {@linkplain Measure#sums() sum of measures}, by ordinal: plain arrays, so the
   * hot path allocates no iterator (a {@code List} iterator per sum per event was a third of its
   * cost).
   */
  private static final int[][] SUM_PARTS =
      Measure.sums().stream()
          .map(m -> m.parts().stream().mapToInt(Measure::ordinal).toArray())
          .toArray(int[][]::new);

  static {
    try {
      STATE_H = MethodHandles.lookup().findVarHandle(Accumulator.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // read and written through STATE_H only
  private volatile long state;

  /**
   * The sums, indexed by {@link Measure#ordinal()}; read and written through {@link #CELL} only.
   */
  private final long[] cells = new long[Measure.TALLIED];

  Accumulator(AccumulatorKey key) {
    super(key);
  }

  /**
   * Enters as a writer; {@code false} when sealed (the caller retries in the current generation).
   */
  boolean tryEnter() {
    long s = (long) STATE_H.getAndAdd(this, 1L);
    if ((s & SEALED) != 0) {
      STATE_H.getAndAdd(this, -1L);
      return false;
    }
    return true;
  }

  /** Leaves after {@link #tryEnter()} returned {@code true}. */
  void exit() {
    STATE_H.getAndAdd(this, -1L);
  }

  /**
   * Adds one event; call between {@link #tryEnter()} and {@link #exit()}.
   *
   * @return {@code false} when a cell or a sum of measures would pass {@link #LIMIT}; the event was
   *     then backed out
   */
  boolean add(UsageEvent e) {
    boolean longContext = e.longContext();
    // every cell is added (non-short-circuit), so backing out subtracts every cell alike
    boolean fits = true;
    for (Measure m : DIRECT) {
      fits &= add(m.ordinal(), m.of(e));
    }
    if (longContext) {
      for (Measure m : LONG_CONTEXT) {
        fits &= add(m.ordinal(), m.of(e));
      }
    }
    if (fits && sumsFit()) {
      return true;
    }
    for (Measure m : DIRECT) {
      add(m.ordinal(), -m.of(e));
    }
    if (longContext) {
      for (Measure m : LONG_CONTEXT) {
        add(m.ordinal(), -m.of(e));
      }
    }
    return false;
  }

  /** Adds {@code amount} to a cell; whether the sum stays within {@link #LIMIT} (did not wrap). */
  private boolean add(int cell, long amount) {
    if (amount == 0) {
      return true;
    }
    long before = (long) CELL.getAndAdd(cells, cell, amount);
    long sum = before + amount;
    return ((before ^ sum) & (amount ^ sum)) >= 0;
  }

  /**
   * Whether every sum of measures of the cells fits a long (all cells are >= 0). Plain reads: the
   * caller's atomic adds just before are full fences, and a concurrent add checks its own sums.
   */
  private boolean sumsFit() {
    long[] c = cells;
    for (int[] parts : SUM_PARTS) {
      long s = 0;
      for (int part : parts) {
        s += c[part];
        if (s < 0) { // each cell is in [0, Long.MAX_VALUE], so a wrapped partial sum is negative
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Seals this accumulator against new writers; {@code true} for the one call that sealed it (the
   * caller then owns it for a batch), {@code false} if it was sealed already. Lock-free, never
   * waits.
   */
  boolean seal() {
    return ((long) STATE_H.getAndBitwiseOr(this, SEALED) & SEALED) == 0;
  }

  /** {@link #seal()} and {@link #tally()}: for accumulators only the caller can see. */
  UsageTally sealAndTally() {
    seal();
    return tally();
  }

  /**
   * Waits until no writer is inside this sealed accumulator and returns its sums as a tally in the
   * bucket starting at the key's bucket start. Only the flush worker calls this, once, after the
   * accumulator was sealed for its batch.
   */
  UsageTally tally() {
    int spins = 0;
    while (((long) STATE_H.getVolatile(this) & ~SEALED) != 0) {
      // a writer is between tryEnter and exit: a few adds, unless it was descheduled
      spins = SpinWait.pause(spins, 10_000);
    }
    return UsageTally.of(bucketStart(), keyId, accountId, model, cells);
  }
}
