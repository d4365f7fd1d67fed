package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one sink did with a workload: its counters and failure reasons after close, and how many
 * record stages completed exceptionally. Not thread-safe (one test thread collects the stages).
 */
final class SinkRun {
  /**
   * Generous: a loaded machine and retries with backoff; never a timing assertion, only a bound on
   * hanging.
   */
  static final int STAGE_DEADLINE_SECONDS = 180;

  private final UsageSink sink;
  private final List<CompletableFuture<Void>> stages = new ArrayList<>();

  SinkRun(UsageSink sink) {
    this.sink = sink;
  }

  /** Records every event (does not wait). */
  SinkRun record(List<UsageEvent> events) {
    for (UsageEvent e : events) {
      stages.add(sink.record(e).toCompletableFuture());
    }
    return this;
  }

  /**
   * Records every event, sleeping {@code pauseMillis} between two (a paced stream over an episode).
   */
  SinkRun recordPaced(List<UsageEvent> events, long pauseMillis) throws InterruptedException {
    for (UsageEvent e : events) {
      stages.add(sink.record(e).toCompletableFuture());
      Thread.sleep(pauseMillis);
    }
    return this;
  }

  /** Waits (generous deadline) until every stage is done, normally or not. */
  SinkRun awaitStages() throws Exception {
    CompletableFuture.allOf(
            stages.stream().map(s -> s.handle((v, x) -> null)).toArray(CompletableFuture<?>[]::new))
        .get(STAGE_DEADLINE_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  /** Closes the sink, waits for the stages, and returns the outcome. */
  Outcome close() throws Exception {
    sink.close();
    awaitStages();
    long exceptional = stages.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    return new Outcome(sink.stats(), sink.failureReasons(), exceptional, sink.toString());
  }

  /** A closed sink's outcome. */
  record Outcome(SinkStats stats, Map<String, Long> reasons, long exceptionalStages, String sink) {
    /**
     * The accounting of issue 8: nothing dropped, rejected or pending; stored + failed == recorded
     * == n.
     */
    Outcome assertAccounted(int n) {
      assertThat(stats.recorded()).as(this + ": recorded").isEqualTo(n);
      assertThat(stats.dropped()).as(this + ": dropped").isZero();
      assertThat(stats.rejected()).as(this + ": rejected").isZero();
      assertThat(stats.pending()).as(this + ": pending after close").isZero();
      assertThat(stats.stored() + stats.failed())
          .as(this + ": stored + failed == recorded")
          .isEqualTo(n);
      return this;
    }

    @Override
    public String toString() {
      return sink
          + " "
          + stats
          + " reasons "
          + reasons
          + " exceptional stages "
          + exceptionalStages;
    }
  }
}
