package io.usagesink.redis.connect;

import io.netty.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes a cluster connection's slot table when a writer finds it stale (a {@code MOVED} reply
 * to a command it routed), one refresh at a time and no more than needed: a request is answered by
 * the first refresh that starts after the request (it reads the nodes after the one that answered
 * {@code MOVED} knew the new owner); requests while a refresh runs share one more refresh after it
 * (started at least {@value #MIN_INTERVAL_MILLIS} ms after the previous start), since the running
 * one may have read the topology from before the change.
 *
 * <p>Lettuce's own adaptive refresh also reacts to {@code MOVED}, but only for the commands it
 * redirects itself, and it drops every trigger that comes while a refresh runs; the pipeline writer
 * answers {@code MOVED} itself (see {@code PipelinePlanWriter}), so it asks here.
 *
 * <p>Thread-safe; {@link #request} never blocks (it is called on Netty's I/O threads).
 */
final class TopologyRefresher {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyRefresher.class);

  /** The least time between the starts of two refreshes: {@value} ms. */
  static final long MIN_INTERVAL_MILLIS = 100;

  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Supplier<? extends CompletionStage<?>> refresh;
  private final Timer timer;
  private final AtomicLong refreshes = new AtomicLong();
  private final Object lock = new Object();

  // all guarded by lock
  private long startedNanos; // when the running refresh started, or will start
  private CompletableFuture<Void> running; // the refresh running (or about to start), or null
  private CompletableFuture<Void> next; // the refresh asked for after the running one, or null
  private boolean warned;
  private long warnedNanos;

  /**
   * @param refresh starts one refresh of the slot table and completes when the new table is in use
   * @param timer delays a refresh that would start too soon after the previous one
   */
  TopologyRefresher(Supplier<? extends CompletionStage<?>> refresh, Timer timer) {
    this.refresh = refresh;
    this.timer = timer;
  }

  /**
   * A command routed by the slot table was answered {@code MOVED} before {@code movedNanos} ({@link
   * System#nanoTime()}): returns a stage that completes (never exceptionally) once a refresh that
   * started after {@code movedNanos} has ended, starting one if none runs.
   */
  CompletionStage<Void> request(long movedNanos) {
    CompletableFuture<Void> start;
    synchronized (lock) {
      if (running != null) {
        if (startedNanos - movedNanos > 0) {
          return running;
        }
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      startedNanos = System.nanoTime();
      running = new CompletableFuture<>();
      start = running;
    }
    start(start);
    return start;
  }

  /** Refreshes started so far. */
  long refreshes() {
    return refreshes.get();
  }

  private void start(CompletableFuture<Void> done) {
    refreshes.incrementAndGet();
    CompletionStage<?> stage;
    try {
      stage = refresh.get();
    } catch (RuntimeException e) {
      finished(done, e);
      return;
    }
    stage.whenComplete((x, e) -> finished(done, e));
  }

  private void startDelayed(CompletableFuture<Void> done) {
    synchronized (lock) {
      startedNanos = System.nanoTime(); // requests meanwhile joined it: it starts after them
    }
    start(done);
  }

  private void finished(CompletableFuture<Void> done, Throwable error) {
    CompletableFuture<Void> following;
    long wait = 0;
    synchronized (lock) {
      long now = System.nanoTime();
      if (error != null && (!warned || now - warnedNanos > WARN_INTERVAL_NANOS)) {
        warned = true;
        warnedNanos = now;
        LOG.warn(
            "refreshing the Redis Cluster topology after a MOVED reply failed (logged at most once"
                + " a minute): {}",
            error.toString());
      }
      following = next;
      next = null;
      running = following;
      if (following != null) {
        wait =
            Math.max(0, TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS) - (now - startedNanos));
        startedNanos = now + wait;
      }
    }
    done.complete(null);
    if (following == null) {
      return;
    }
    if (wait == 0) {
      start(following);
      return;
    }
    try {
      timer.newTimeout(t -> startDelayed(following), wait, TimeUnit.NANOSECONDS);
    } catch (RuntimeException stopped) { // the timer is stopped: the connection is closing
      finished(following, stopped);
    }
  }
}
