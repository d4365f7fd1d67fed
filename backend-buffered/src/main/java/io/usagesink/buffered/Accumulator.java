package io.usagesink.buffered;

import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageTally;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The summed usage of one {@link AccumulatorKey} within one {@link Generation}: a dozen longs that
 * many threads add to without locks.
 *
 * <p><b>Why one {@code long[]} and a VarHandle</b> rather than a dozen {@code LongAdder}s: a
 * LongAdder costs about 40 bytes before contention and grows a cell array under contention, so a
 * million accumulators would cost tens of megabytes more; usage of one (key, account, model, minute)
 * is rarely recorded by many threads at the same instant, so striping buys nothing. One array of 13
 * longs is one allocation of ~120 bytes, and an uncontended {@code getAndAdd} is a single atomic
 * instruction. Zero amounts (most events have no cache, long-context or cost numbers) skip theirs.
 *
 * <p><b>Sealing.</b> Cell {@link #STATE} counts the writers inside {@link #tryEnter()} / {@link
 * #exit()} and carries the {@link #SEALED} bit. The flush worker seals the accumulator, waits until
 * no writer is inside, and only then reads the sums ({@link #sealAndTally}). A writer that enters
 * after the seal backs out and retries in the current generation, so no amount is added after the
 * sums were read and none is lost. The writer's adds happen-before its {@code exit()}, which
 * happens-before the worker's read of a zero writer count.
 *
 * <p><b>Overflow.</b> Every sum is capped at {@link #LIMIT} ({@code Long.MAX_VALUE / 4}), so that the
 * four token kinds of a tally always sum to a long. An event that would push a sum past it is backed
 * out completely ({@link #add} returns {@code false}) and refused by the sink: never wrapped.
 */
final class Accumulator {

  /** Largest value any sum may reach: a quarter of {@code Long.MAX_VALUE}. */
  static final long LIMIT = Long.MAX_VALUE / 4;
  /** Bit of {@link #STATE} set once the worker sealed the accumulator. */
  static final long SEALED = 1L << 62;

  static final int STATE = 0;
  static final int REQUESTS = 1;
  static final int INPUT = 2;
  static final int OUTPUT = 3;
  static final int CACHE_CREATE = 4;
  static final int CACHE_READ = 5;
  static final int EPHEMERAL_5M = 6;
  static final int EPHEMERAL_1H = 7;
  static final int LC_REQUESTS = 8;
  static final int LC_INPUT = 9;
  static final int LC_OUTPUT = 10;
  static final int REAL_COST = 11;
  static final int RATED_COST = 12;
  private static final int CELLS = 13;

  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

  final AccumulatorKey key;
  private final long[] cells = new long[CELLS];

  Accumulator(AccumulatorKey key) {
    this.key = key;
  }

  /** Enters as a writer; {@code false} when sealed (the caller retries in the current generation). */
  boolean tryEnter() {
    long state = (long) CELL.getAndAdd(cells, STATE, 1L);
    if ((state & SEALED) != 0) {
      CELL.getAndAdd(cells, STATE, -1L);
      return false;
    }
    return true;
  }

  /** Leaves after {@link #tryEnter()} returned {@code true}. */
  void exit() {
    CELL.getAndAdd(cells, STATE, -1L);
  }

  /**
   * Adds one event; call between {@link #tryEnter()} and {@link #exit()}.
   *
   * @return {@code false} when a sum would pass {@link #LIMIT}; the event was then backed out
   */
  boolean add(UsageEvent e) {
    long in = e.inputTokens();
    long out = e.outputTokens();
    boolean lc = e.longContext();
    // non-short-circuit '&': every field is added, so backing out subtracts every field alike
    boolean fits = add(REQUESTS, 1)
        & add(INPUT, in)
        & add(OUTPUT, out)
        & add(CACHE_CREATE, e.cacheCreateTokens())
        & add(CACHE_READ, e.cacheReadTokens())
        & add(EPHEMERAL_5M, e.ephemeral5mTokens())
        & add(EPHEMERAL_1H, e.ephemeral1hTokens())
        & add(REAL_COST, e.realCostMicros())
        & add(RATED_COST, e.ratedCostMicros());
    if (lc) {
      fits &= add(LC_REQUESTS, 1) & add(LC_INPUT, in) & add(LC_OUTPUT, out);
    }
    if (fits) {
      return true;
    }
    subtract(REQUESTS, 1);
    subtract(INPUT, in);
    subtract(OUTPUT, out);
    subtract(CACHE_CREATE, e.cacheCreateTokens());
    subtract(CACHE_READ, e.cacheReadTokens());
    subtract(EPHEMERAL_5M, e.ephemeral5mTokens());
    subtract(EPHEMERAL_1H, e.ephemeral1hTokens());
    subtract(REAL_COST, e.realCostMicros());
    subtract(RATED_COST, e.ratedCostMicros());
    if (lc) {
      subtract(LC_REQUESTS, 1);
      subtract(LC_INPUT, in);
      subtract(LC_OUTPUT, out);
    }
    return false;
  }

  private boolean add(int cell, long amount) {
    if (amount == 0) {
      return true;
    }
    long sum = (long) CELL.getAndAdd(cells, cell, amount) + amount;
    // a wrapped (negative) sum compares as huge unsigned, so one test catches both cases
    return Long.compareUnsigned(sum, LIMIT) <= 0;
  }

  private void subtract(int cell, long amount) {
    if (amount != 0) {
      CELL.getAndAdd(cells, cell, -amount);
    }
  }

  /**
   * Seals this accumulator, waits until no writer is inside and returns its sums as a tally in the
   * bucket starting at the key's bucket start. Only the flush worker calls this, once.
   */
  UsageTally sealAndTally() {
    CELL.getAndAdd(cells, STATE, SEALED);
    int spins = 0;
    while (((long) CELL.getVolatile(cells, STATE) & ~SEALED) != 0) {
      // a writer is between tryEnter and exit: a few adds, unless it was descheduled
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(10_000);
      }
    }
    return new UsageTally(key.bucketStart(), key.keyId(), key.accountId(), key.model(),
        cells[REQUESTS], cells[INPUT], cells[OUTPUT], cells[CACHE_CREATE], cells[CACHE_READ],
        cells[EPHEMERAL_5M], cells[EPHEMERAL_1H], cells[LC_REQUESTS], cells[LC_INPUT], cells[LC_OUTPUT],
        cells[REAL_COST], cells[RATED_COST]);
  }
}
