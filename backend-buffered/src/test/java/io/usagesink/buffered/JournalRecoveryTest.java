package io.usagesink.buffered;

import static io.usagesink.buffered.JournaledSinks.event;
import static io.usagesink.redis.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.JournaledSinks.Left;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.layout.StatsPolicy;
import io.usagesink.layout.UsageLayouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a sink recovers from a journal an earlier process left, the journal written directly so that
 * its content and positions are known: the pending batch first, exactly its range, then the rest in
 * batches of at most {@code maxPendingCounters / 2} counters, each under the guard id of its range;
 * recovered events that would overflow a sum are counted failed; a recovery cut short by the close
 * deadline leaves the rest journaled for the next sink.
 */
class JournalRecoveryTest {

  @RegisterExtension final JournaledSinks sinks;

  JournalRecoveryTest(@TempDir Path dir) {
    sinks = new JournaledSinks(dir);
  }

  private static SinkConfig.Builder config() {
    return JournaledSinks.config(Duration.ofSeconds(10));
  }

  /** Journals {@code events} as an earlier process would, with {@code pending} as its batch. */
  private Left leave(List<UsageEvent> events, int pendingTo) {
    return sinks.leave(
        events,
        (j, positions) -> {
          if (pendingTo > 0) {
            j.beginBatch(0, positions.get(pendingTo));
          }
        });
  }

  @Test
  void theRestIsRecoveredInBatchesOfHalfTheCapEachUnderTheGuardIdOfItsRange() throws Exception {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      events.add(event(i, 10 + i));
    }
    Left left = leave(events, 0);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(20)); // 10 counters a batch
    await(sink.flush());

    assertThat(writer.calls.stream().map(ScriptedWriter.Call::guardId))
        .containsExactly(
            left.id() + ":0-" + left.positions().get(10),
            left.id() + ":" + left.positions().get(10) + "-" + left.positions().get(20),
            left.id() + ":" + left.positions().get(20) + "-" + left.positions().get(30),
            left.id()
                + ":"
                + left.positions().get(30)
                + "-"
                + sink.journalStats().get().released());
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(35);
    assertThat(s.stored()).isEqualTo(35);
    assertThat(s.failed()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(sink.journalStats().get().released()).isGreaterThanOrEqualTo(left.end());
  }

  @Test
  void eventsOfOneCounterShareARecoveredBatchWhateverTheirNumber() throws Exception {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(event(i % 3, 1)); // three counters only
    }
    Left left = leave(events, 0);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(6)); // 3 counters a batch
    await(sink.flush());
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.calls.get(0).guardId()).startsWith(left.id() + ":0-");
    assertThat(writer.redis.field("usage:k0", "totalRequests")).isEqualTo(10);
    assertThat(sink.stats().stored()).isEqualTo(30);
  }

  @Test
  void thePendingBatchIsRewrittenFirstExactlyItsRangeThenTheRest() throws Exception {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(event(i, 5));
    }
    Left left = leave(events, 4); // the batch [0, position of event 4) was being written
    ScriptedWriter writer = new ScriptedWriter();
    // it had been applied: its guard is set, so rewriting it changes nothing
    writer.redis.apply(
        sinks.plan(events.subList(0, 4)), left.id() + ":0-" + left.positions().get(4));
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    assertThat(writer.calls.stream().map(ScriptedWriter.Call::guardId))
        .containsExactly(
            left.id() + ":0-" + left.positions().get(4),
            left.id() + ":" + left.positions().get(4) + "-" + sink.journalStats().get().released());
    assertThat(writer.redis.hashes())
        .as("the applied batch counts once")
        .isEqualTo(sinks.reference(events).hashes());
    assertThat(sink.stats().stored()).isEqualTo(12);
    assertThat(sink.journalStats().get().released()).isGreaterThanOrEqualTo(left.end());
  }

  @Test
  void aRecoveredEventThatWouldOverflowItsCounterIsCountedFailed() throws Exception {
    long big = Long.MAX_VALUE - 10;
    List<UsageEvent> events = List.of(event(1, big), event(1, big), event(2, 3));
    leave(events, 0);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config());
    await(sink.flush());
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(3);
    assertThat(s.stored()).isEqualTo(2);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(big);
    assertThat(writer.redis.field("usage:k2", "totalInputTokens")).isEqualTo(3);
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "recovered event of (k1, a1, claude-sonnet-4-20250514) refused: a sum would exceed "
                + Long.MAX_VALUE);
  }

  @Test
  void aRecoveryCutShortByTheCloseDeadlineLeavesTheRestForTheNextSink() throws Exception {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      events.add(event(i, 7));
    }
    leave(events, 0);
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink second =
        sinks.open(writer, config().maxPendingCounters(10).closeTimeout(Duration.ofMillis(300)));
    second.close();
    assertThat(writer.calls).isNotEmpty();
    assertThat(writer.calls.stream().map(ScriptedWriter.Call::guardId).distinct())
        .as("the first recovered batch only: nothing after it is begun")
        .hasSize(1);
    assertThat(writer.redis.hashes()).isEmpty();

    writer.script(n -> Outcome.APPLY);
    BufferedSink third = sinks.open(writer, config().maxPendingCounters(1_000));
    await(third.flush());
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
    assertThat(third.stats().stored()).isEqualTo(20);
  }

  @Test
  void aLayoutThatWritesNothingCountsRecoveredAndNewEventsStoredAndReleasesTheirJournal()
      throws Exception {
    Left left = leave(List.of(event(1, 5), event(2, 3), event(3, 1)), 2);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink =
        sinks.add(
            BufferedSink.builder(config().build())
                .writer(writer)
                .clock(new ManualClock(JournaledSinks.T0))
                .layout(
                    UsageLayouts.crs(JournaledSinks.PLUS_8, Duration.ofMinutes(5), StatsPolicy.OFF))
                .journal(sinks.journal())
                .build());
    await(sink.flush());

    assertThat(writer.calls).isEmpty();
    assertThat(sink.stats().stored()).isEqualTo(3);
    assertThat(sink.stats().pending()).isZero();
    assertThat(sink.journalStats().get().released()).isGreaterThanOrEqualTo(left.end());
    assertThat(sink.lastRecovery().orElseThrow().inFlight())
        .isEqualTo(RecoverySummary.InFlight.STORED_NOW);

    sink.record(event(4, 2));
    sink.record(event(5, 2));
    await(sink.flush());
    assertThat(writer.calls).isEmpty();
    assertThat(sink.stats().stored()).isEqualTo(5);
    assertThat(sink.stats().pending()).isZero();
    assertThat(sink.journalStats().get().released())
        .as("the new events' range is released too")
        .isEqualTo(sink.journalStats().get().nextPosition());
  }
}
