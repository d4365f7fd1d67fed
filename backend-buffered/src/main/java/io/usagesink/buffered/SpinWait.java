package io.usagesink.buffered;

import java.util.concurrent.locks.LockSupport;

/**
 * The one wait of a thread that expects another to finish within microseconds (a writer's few adds,
 * an insert, a cutter's publish): it spins {@value #SPINS} times, then parks a while at a time in
 * case the other thread was descheduled. Stateless; each wait keeps its own count of pauses.
 */
final class SpinWait {

  /** Pauses spent spinning before the wait parks. */
  static final int SPINS = 100;

  private SpinWait() {}

  /**
   * One pause of a wait that has paused {@code spins} times: spins, or parks about {@code
   * parkNanos} once past {@link #SPINS}.
   *
   * @return the count to pass to the next pause
   */
  static int pause(int spins, long parkNanos) {
    if (spins < SPINS) {
      Thread.onSpinWait();
      return spins + 1;
    }
    LockSupport.parkNanos(parkNanos);
    return spins;
  }
}
