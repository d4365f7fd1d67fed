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
 * <p><b>Why plain long fields and VarHandles</b> rather than a dozen {@code LongAdder}s: a
 * LongAdder costs about 40 bytes before contention and grows a cell array under contention, so a
 * million accumulators would cost tens of megabytes more; usage of one (key, account, model, minute)
 * is rarely recorded by many threads at the same instant, so striping buys nothing. The sums live in
 * the same object as the key (this class extends {@link AccumulatorKey} and is its own map key), so
 * recording an event touches one object of ~150 bytes after the map's node, and an uncontended
 * {@code getAndAdd} is a single atomic instruction. Zero amounts (most events have no cache,
 * long-context or cost numbers) skip theirs.
 *
 * <p><b>Sealing.</b> The state counts the writers inside {@link #tryEnter()} / {@link
 * #exit()} and carries the {@link #SEALED} bit. The flush worker seals the accumulator, waits until
 * no writer is inside, and only then reads the sums ({@link #sealAndTally}). A writer that enters
 * after the seal backs out and retries in the current generation, so no amount is added after the
 * sums were read and none is lost. The writer's adds happen-before its {@code exit()}, which
 * happens-before the worker's read of a zero writer count.
 *
 * <p><b>Overflow.</b> The limit is Redis's: a counter is a signed 64-bit integer. Every sum may
 * reach {@code Long.MAX_VALUE}, and so may the all-token total (input + output + cache create + cache
 * read) that the layouts store. An event that would push a sum or that total past it is backed out
 * completely ({@link #add} returns {@code false}) and refused by the sink: never wrapped. (Under
 * concurrent adds at that extreme, an event may be refused that would have fitted alone.)
 */
final class Accumulator extends AccumulatorKey {

  /** Largest value any sum, and the all-token total, may reach: Redis's largest counter. */
  static final long LIMIT = Long.MAX_VALUE;
  /** Bit of the state set once the worker sealed the accumulator. */
  static final long SEALED = 1L << 62;

  private static final int REQUESTS = 1;
  private static final int INPUT = 2;
  private static final int OUTPUT = 3;
  private static final int CACHE_CREATE = 4;
  private static final int CACHE_READ = 5;
  private static final int EPHEMERAL_5M = 6;
  private static final int EPHEMERAL_1H = 7;
  private static final int LC_REQUESTS = 8;
  private static final int LC_INPUT = 9;
  private static final int LC_OUTPUT = 10;
  private static final int REAL_COST = 11;
  private static final int RATED_COST = 12;

  private static final VarHandle STATE_H;
  private static final VarHandle REQUESTS_H;
  private static final VarHandle INPUT_H;
  private static final VarHandle OUTPUT_H;
  private static final VarHandle CACHE_CREATE_H;
  private static final VarHandle CACHE_READ_H;
  private static final VarHandle EPHEMERAL_5M_H;
  private static final VarHandle EPHEMERAL_1H_H;
  private static final VarHandle LC_REQUESTS_H;
  private static final VarHandle LC_INPUT_H;
  private static final VarHandle LC_OUTPUT_H;
  private static final VarHandle REAL_COST_H;
  private static final VarHandle RATED_COST_H;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE_H = l.findVarHandle(Accumulator.class, "state", long.class);
      REQUESTS_H = l.findVarHandle(Accumulator.class, "requests", long.class);
      INPUT_H = l.findVarHandle(Accumulator.class, "input", long.class);
      OUTPUT_H = l.findVarHandle(Accumulator.class, "output", long.class);
      CACHE_CREATE_H = l.findVarHandle(Accumulator.class, "cacheCreate", long.class);
      CACHE_READ_H = l.findVarHandle(Accumulator.class, "cacheRead", long.class);
      EPHEMERAL_5M_H = l.findVarHandle(Accumulator.class, "ephemeral5m", long.class);
      EPHEMERAL_1H_H = l.findVarHandle(Accumulator.class, "ephemeral1h", long.class);
      LC_REQUESTS_H = l.findVarHandle(Accumulator.class, "lcRequests", long.class);
      LC_INPUT_H = l.findVarHandle(Accumulator.class, "lcInput", long.class);
      LC_OUTPUT_H = l.findVarHandle(Accumulator.class, "lcOutput", long.class);
      REAL_COST_H = l.findVarHandle(Accumulator.class, "realCost", long.class);
      RATED_COST_H = l.findVarHandle(Accumulator.class, "ratedCost", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // updated through the VarHandles above
  @SuppressWarnings("unused") // read through STATE_H only
  private volatile long state;
  private volatile long requests;
  private volatile long input;
  private volatile long output;
  private volatile long cacheCreate;
  private volatile long cacheRead;
  private volatile long ephemeral5m;
  private volatile long ephemeral1h;
  private volatile long lcRequests;
  private volatile long lcInput;
  private volatile long lcOutput;
  private volatile long realCost;
  private volatile long ratedCost;

  Accumulator(AccumulatorKey key) {
    super(key);
  }

  /** Enters as a writer; {@code false} when sealed (the caller retries in the current generation). */
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
    if (fits && allTokensFit()) {
      return true;
    }
    add(REQUESTS, -1);
    add(INPUT, -in);
    add(OUTPUT, -out);
    add(CACHE_CREATE, -e.cacheCreateTokens());
    add(CACHE_READ, -e.cacheReadTokens());
    add(EPHEMERAL_5M, -e.ephemeral5mTokens());
    add(EPHEMERAL_1H, -e.ephemeral1hTokens());
    add(REAL_COST, -e.realCostMicros());
    add(RATED_COST, -e.ratedCostMicros());
    if (lc) {
      add(LC_REQUESTS, -1);
      add(LC_INPUT, -in);
      add(LC_OUTPUT, -out);
    }
    return false;
  }

  /** Adds {@code amount} to a cell; whether the sum stays within {@link #LIMIT} (did not wrap). */
  private boolean add(int cell, long amount) {
    if (amount == 0) {
      return true;
    }
    long before = getAndAdd(cell, amount);
    long sum = before + amount;
    return ((before ^ sum) & (amount ^ sum)) >= 0;
  }

  /** Whether input + output + cache create + cache read of the sums fits a long (all are >= 0). */
  private boolean allTokensFit() {
    long a = input + output;
    long b = cacheCreate + cacheRead;
    // each cell is in [0, Long.MAX_VALUE], so a wrapped partial sum is negative
    return a >= 0 && b >= 0 && a + b >= 0;
  }

  /** Call sites pass constants, so after inlining the switch folds to one VarHandle access. */
  private long getAndAdd(int cell, long amount) {
    switch (cell) {
      case REQUESTS: return (long) REQUESTS_H.getAndAdd(this, amount);
      case INPUT: return (long) INPUT_H.getAndAdd(this, amount);
      case OUTPUT: return (long) OUTPUT_H.getAndAdd(this, amount);
      case CACHE_CREATE: return (long) CACHE_CREATE_H.getAndAdd(this, amount);
      case CACHE_READ: return (long) CACHE_READ_H.getAndAdd(this, amount);
      case EPHEMERAL_5M: return (long) EPHEMERAL_5M_H.getAndAdd(this, amount);
      case EPHEMERAL_1H: return (long) EPHEMERAL_1H_H.getAndAdd(this, amount);
      case LC_REQUESTS: return (long) LC_REQUESTS_H.getAndAdd(this, amount);
      case LC_INPUT: return (long) LC_INPUT_H.getAndAdd(this, amount);
      case LC_OUTPUT: return (long) LC_OUTPUT_H.getAndAdd(this, amount);
      case REAL_COST: return (long) REAL_COST_H.getAndAdd(this, amount);
      case RATED_COST: return (long) RATED_COST_H.getAndAdd(this, amount);
      default: throw new IllegalArgumentException("no cell " + cell);
    }
  }

  /**
   * Seals this accumulator, waits until no writer is inside and returns its sums as a tally in the
   * bucket starting at the key's bucket start. Only the flush worker calls this, once.
   */
  UsageTally sealAndTally() {
    STATE_H.getAndAdd(this, SEALED);
    int spins = 0;
    while (((long) STATE_H.getVolatile(this) & ~SEALED) != 0) {
      // a writer is between tryEnter and exit: a few adds, unless it was descheduled
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(10_000);
      }
    }
    return new UsageTally(bucketStart(), keyId, accountId, model, requests, input, output, cacheCreate, cacheRead,
        ephemeral5m, ephemeral1h, lcRequests, lcInput, lcOutput, realCost, ratedCost);
  }
}
