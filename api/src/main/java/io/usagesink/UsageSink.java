package io.usagesink;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Records usage events as statistics. The single SPI every backend implements.
 *
 * <p>Implementations are thread-safe, and {@link #record(UsageEvent)} never blocks the caller on
 * I/O and never throws for operational reasons (Redis down, sink closed): failures are reported
 * through the returned stage and counted in {@link #stats()}. What completion of the stage means
 * differs per backend and each documents it: "durable in Redis" for the Redis backends, "accepted
 * into the buffer" for the buffered backend, "dropped" for noop.
 *
 * <p>Obtain one with {@link UsageSinks#open(SinkConfig)} (discovery by {@link
 * java.util.ServiceLoader}) or through a backend's own builder.
 */
public interface UsageSink extends AutoCloseable {

  /**
   * Records one event. Returns at once. The event is counted in {@link SinkStats#recorded()} when
   * accepted, or in {@link SinkStats#rejected()} when refused.
   *
   * @return a stage that completes normally when the event is as safe as this backend promises, or
   *     exceptionally: after {@link #close()} with {@link IllegalStateException} (the event is
   *     rejected); otherwise with the backend's failure
   * @throws NullPointerException if {@code event} is null (the only exception this method throws)
   */
  CompletionStage<Void> record(UsageEvent event);

  /**
   * Starts writing everything recorded so far, and returns at once.
   *
   * @return a stage that completes when everything recorded before this call is stored, or
   *     exceptionally when some of it could not be stored (it stays pending where the backend can
   *     retry it). After {@link #close()} nothing is pending and the stage completes normally.
   */
  CompletionStage<Void> flush();

  /**
   * Stops accepting events, stores what is pending within {@link SinkConfig#closeTimeout()} and
   * releases connections and threads. Runs once; later calls return at once. Blocks for about the
   * close timeout at most, plus the time a backend takes to count what it leaves (the buffered
   * backend: up to 30 s more for a million pending counters on a loaded machine); what could not be
   * stored by then is counted in {@link SinkStats#failed()} (or, when the backend keeps it durably
   * for the next sink, such as the buffered backend's journal, in {@link SinkStats#deferred()}) and
   * logged, so that {@link #stats()} then shows nothing pending. Interrupting the caller ends the
   * wait early and keeps the interrupt flag set.
   */
  @Override
  void close();

  /**
   * A snapshot of this sink's counters; cheap, never blocks. See {@link SinkStats} for the
   * accounting invariant every backend keeps.
   */
  SinkStats stats();

  /**
   * Why recorded events were counted {@link SinkStats#failed() failed}: distinct reasons with the
   * number of events each, most frequent first, at most 20. A poisoned key's reason names the key
   * (e.g. {@code usage:k1: WRONGTYPE Operation against a key holding the wrong kind of value}).
   * Cheap, never blocks. The default, for sinks that keep no reasons, is empty.
   */
  default Map<String, Long> failureReasons() {
    return Map.of();
  }

  /**
   * Levels a backend measures beyond {@link #stats()}, by name (lower case, dot-separated, ending
   * in the unit where there is one), for example the buffered backend's {@code journal.bytes} (disk
   * used by its journal) and {@code journal.segments}. The names a sink reports do not change over
   * its life; metrics binders publish each as a gauge {@code usagesink.<name>}. Cheap, never
   * blocks. The default, for sinks that measure nothing more, is empty.
   */
  default Map<String, Long> gauges() {
    return Map.of();
  }
}
