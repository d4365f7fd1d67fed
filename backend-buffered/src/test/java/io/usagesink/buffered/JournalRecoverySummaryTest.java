package io.usagesink.buffered;

import static io.usagesink.buffered.JournaledSinks.event;
import static io.usagesink.redis.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.JournaledSinks.Left;
import io.usagesink.buffered.RecoverySummary.InFlight;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary a sink logs of its journal recovery ({@link BufferedSink#lastRecovery()}), checked
 * against journals written directly so that their content, positions and damage are known: events
 * read, batches, what was stored, failed and left in the journal, what became of the batch in
 * flight at the earlier stop, whether the close deadline cut the recovery short, and the damaged
 * regions skipped. Also the edges of the recovery itself: chunk boundaries, a pending batch that
 * does not start (or already ended) at the released position, a rest that holds no event.
 */
class JournalRecoverySummaryTest {

  private final Path dir;

  @RegisterExtension final JournaledSinks sinks;

  JournalRecoverySummaryTest(@TempDir Path dir) {
    this.dir = dir;
    sinks = new JournaledSinks(dir);
  }

  private static SinkConfig.Builder config() {
    return JournaledSinks.config(Duration.ofSeconds(10));
  }

  private static List<UsageEvent> events(int n) {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(event(i, 10 + i));
    }
    return events;
  }

  private Left leave(List<UsageEvent> events, BiConsumer<Journal, List<Long>> then) {
    return sinks.leave(events, then);
  }

  private Left leave(List<UsageEvent> events) {
    return sinks.leave(events, (j, p) -> {});
  }

  private static RecoverySummary summaryOf(BufferedSink sink) {
    assertThat(sink.lastRecovery()).as("the recovery summary").isPresent();
    return sink.lastRecovery().get();
  }

  private static List<String> guards(ScriptedWriter writer) {
    return writer.calls.stream().map(ScriptedWriter.Call::guardId).toList();
  }

  /** Flips a byte {@code offset} bytes into the record at {@code position}: a corrupted record. */
  private void corrupt(long position, int offset) throws IOException {
    Path seg = null;
    long base = -1;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".seg")).sorted().toList()) {
        String n = f.getFileName().toString();
        long b = Long.parseLong(n.substring(0, n.length() - 4));
        if (b <= position) {
          seg = f;
          base = b;
        }
      }
    }
    long off = position - base + offset;
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(off);
      int b = f.read();
      f.seek(off);
      f.write(b ^ 0x5A);
    }
  }

  /** The bytes a read of the whole journal skips as damaged. */
  private long badBytesRead() {
    try (Journal j = Journal.open(sinks.journal());
        JournalReader r = j.reader(0)) {
      while (r.next()) {
        // skip to the end: the report covers the whole journal
      }
      return r.report().badBytes();
    }
  }

  @Test
  void aJournalWithNothingLeftIsNotRecovered() throws Exception {
    BufferedSink sink = sinks.open(new ScriptedWriter(), config());
    sink.record(event(1, 5));
    await(sink.flush());
    assertThat(sink.lastRecovery()).as("nothing was journaled before this sink").isEmpty();
    assertThat(sink.stats().stored()).isEqualTo(1);
  }

  @Test
  void aCleanRecoverySummarisesEveryEventReadAndStored() throws Exception {
    List<UsageEvent> events = events(7);
    Left left = leave(events);
    ScriptedWriter writer = new ScriptedWriter();
    long before = System.nanoTime();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(6)); // 3 counters a batch
    await(sink.flush());
    long observedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

    RecoverySummary s = summaryOf(sink);
    assertThat(s.from()).isEqualTo(0);
    assertThat(s.to()).isEqualTo(sink.journalStats().get().released()).isGreaterThan(0);
    assertThat(s.read()).isEqualTo(7);
    assertThat(s.batches()).isEqualTo(3);
    assertThat(s.stored()).isEqualTo(7);
    assertThat(s.failed()).isZero();
    assertThat(s.deferred()).isZero();
    assertThat(s.millis()).isBetween(0L, observedMillis);
    assertThat(s.pendingBatch()).isNull();
    assertThat(s.pendingEvents()).isZero();
    assertThat(s.pendingBeforeReleased()).isFalse();
    assertThat(s.inFlight()).isEqualTo(InFlight.NONE);
    assertThat(s.complete()).isTrue();
    assertThat(s.badRegions()).isZero();
    assertThat(s.badBytes()).isZero();
    assertThat(s.firstBadPosition()).isEqualTo(-1);
    assertThat(s.warning()).isFalse();
    assertThat(s.message("sink", dir))
        .isEqualTo(
            "sink: recovered journal "
                + dir
                + " (positions 0 to "
                + s.to()
                + "): 7 events read in 3 batches, 7 stored, 0 failed, 0 left in the journal, in "
                + s.millis()
                + " ms");
    assertThat(guards(writer))
        .containsExactly(
            left.guard(0, left.positions().get(3)),
            left.guard(left.positions().get(3), left.positions().get(6)),
            left.guard(left.positions().get(6), s.to()));
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void anEventOfACounterAlreadyInTheChunkNeverStartsTheNextChunk() throws Exception {
    // 7 / 2 = 3 counters a batch: k0 k1 k2 fill the first; k0 and k2 again join it; k3 starts
    // the second, which k1 (now a new counter there) and k4 then fill; k5 starts the third
    List<UsageEvent> events =
        List.of(
            event(0, 1),
            event(1, 1),
            event(2, 1),
            event(0, 2),
            event(2, 2),
            event(3, 1),
            event(1, 3),
            event(3, 2),
            event(4, 1),
            event(5, 1));
    Left left = leave(events);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(7));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    List<Long> p = left.positions();
    assertThat(guards(writer))
        .containsExactly(
            left.guard(0, p.get(5)), left.guard(p.get(5), p.get(9)), left.guard(p.get(9), s.to()));
    assertThat(s.read()).isEqualTo(10);
    assertThat(s.batches()).isEqualTo(3);
    assertThat(s.stored()).isEqualTo(10);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void thePendingBatchThatHadBeenAppliedIsSummarisedAsKeptFromCountingTwice() throws Exception {
    List<UsageEvent> events = events(6);
    // the earlier process began [0, p4) and applied it: its guard is set
    Left left = leave(events, (j, p) -> j.beginBatch(0, p.get(4)));
    ScriptedWriter writer = new ScriptedWriter();
    writer.redis.apply(sinks.plan(events.subList(0, 4)), left.guard(0, left.positions().get(4)));
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.pendingBatch()).isEqualTo(new Journal.Range(0, left.positions().get(4)));
    assertThat(s.pendingEvents()).isEqualTo(4);
    assertThat(s.pendingBeforeReleased()).isFalse();
    assertThat(s.inFlight()).isEqualTo(InFlight.ALREADY_APPLIED);
    assertThat(s.read()).isEqualTo(6);
    assertThat(s.batches()).isEqualTo(2);
    assertThat(s.stored()).isEqualTo(6);
    assertThat(s.complete()).isTrue();
    assertThat(s.message("sink", dir))
        .contains(
            "; the batch in flight at the stop (positions 0 to "
                + left.positions().get(4)
                + ", 4 events) had been applied: its guard kept it from counting twice");
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void thePendingBatchThatHadNotBeenAppliedIsSummarisedAsStoredNow() throws Exception {
    List<UsageEvent> events = events(6);
    Left left = leave(events, (j, p) -> j.beginBatch(0, p.get(2)));
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.pendingBatch()).isEqualTo(new Journal.Range(0, left.positions().get(2)));
    assertThat(s.pendingEvents()).isEqualTo(2);
    assertThat(s.inFlight()).isEqualTo(InFlight.STORED_NOW);
    assertThat(s.read()).isEqualTo(6);
    assertThat(s.batches()).isEqualTo(2);
    assertThat(s.message("sink", dir)).contains("2 events) had not been applied: stored now");
    assertThat(guards(writer))
        .containsExactly(
            left.guard(0, left.positions().get(2)), left.guard(left.positions().get(2), s.to()));
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void aPendingBatchStartingBeforeTheReleasedPositionIsRecoveredFromThereFirst() throws Exception {
    List<UsageEvent> events = events(6);
    // released up to event 2, then a batch [0, p4) begun: a state no sink writes; recovered
    // without losing an event all the same
    Left left =
        leave(
            events,
            (j, p) -> {
              j.release(p.get(2));
              j.beginBatch(0, p.get(4));
            });
    List<Long> p = left.positions();
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.from()).isEqualTo(p.get(2));
    assertThat(s.pendingBeforeReleased()).isTrue();
    assertThat(s.pendingBatch()).isEqualTo(new Journal.Range(0, p.get(4)));
    assertThat(s.pendingEvents()).as("events 2 and 3: the released ones are not read").isEqualTo(2);
    assertThat(s.read()).isEqualTo(4);
    assertThat(s.stored()).isEqualTo(4);
    assertThat(guards(writer))
        .as("the pending batch under the guard of its own range")
        .containsExactly(left.guard(0, p.get(4)), left.guard(p.get(4), s.to()));
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events.subList(2, 6)).hashes());
  }

  @Test
  void aPendingBatchEndingAtTheReleasedPositionIsNotRecoveredAgain() throws Exception {
    List<UsageEvent> events = events(5);
    Left left =
        leave(
            events,
            (j, p) -> {
              j.release(p.get(2));
              j.beginBatch(0, p.get(2)); // already released: nothing of it is left
            });
    List<Long> p = left.positions();
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.pendingBatch()).isNull();
    assertThat(s.inFlight()).isEqualTo(InFlight.NONE);
    assertThat(s.read()).isEqualTo(3);
    assertThat(s.batches()).isEqualTo(1);
    assertThat(s.message("sink", dir)).doesNotContain("in flight");
    assertThat(guards(writer)).containsExactly(left.guard(p.get(2), s.to()));
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events.subList(2, 5)).hashes());
  }

  @Test
  void aRestHoldingOnlyCancelledEventsIsReleasedAllTheSame() throws Exception {
    List<UsageEvent> events = events(4);
    // the batch of the four events was in flight; after it only events appended and cancelled
    leave(
        events,
        (j, p) -> {
          long cancelled = j.append(event(9, 1));
          j.cancel(cancelled);
          j.cancel(j.append(event(9, 2)));
          j.beginBatch(0, cancelled);
        });
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.read()).isEqualTo(4);
    assertThat(s.batches()).as("the pending batch only: the rest held no event").isEqualTo(1);
    assertThat(s.stored()).isEqualTo(4);
    assertThat(sink.journalStats().get().released())
        .as("released past the cancelled events, which no batch covered")
        .isEqualTo(s.to());
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void recoveredEventsThatOverflowASumAreSummarisedAsFailed() throws Exception {
    long big = Long.MAX_VALUE - 10;
    List<UsageEvent> events = List.of(event(1, big), event(1, big), event(2, 3));
    leave(events);
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config());
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.read()).isEqualTo(3);
    assertThat(s.batches()).isEqualTo(1);
    assertThat(s.stored()).isEqualTo(2);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.deferred()).isZero();
    assertThat(s.message("sink", dir)).contains("3 events read in 1 batches, 2 stored, 1 failed");
  }

  @Test
  void aRecoveryStoppedByTheCloseDeadlineIsSummarisedAsIncomplete() throws Exception {
    List<UsageEvent> events = events(20);
    leave(events, (j, p) -> j.beginBatch(0, p.get(4)));
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink sink =
        sinks.open(writer, config().maxPendingCounters(10).closeTimeout(Duration.ofMillis(300)));
    sink.close();

    RecoverySummary s = summaryOf(sink);
    assertThat(s.complete()).isFalse();
    assertThat(s.warning()).isTrue();
    assertThat(s.inFlight()).isEqualTo(InFlight.NOT_STORED);
    assertThat(s.pendingEvents()).isEqualTo(4);
    assertThat(s.read()).as("the pending batch only: nothing after it is begun").isEqualTo(4);
    assertThat(s.batches()).isEqualTo(1);
    assertThat(s.stored()).isZero();
    assertThat(s.failed()).isZero();
    assertThat(s.deferred()).isEqualTo(4);
    assertThat(s.message("sink", dir))
        .contains("4 events) is not stored yet")
        .contains("; stopped at the close deadline, the rest stays journaled for the next sink");
    assertThat(sink.stats().deferred()).isEqualTo(4);
  }

  @Test
  void theEventReadAfterTheChunkKeptAtTheCloseDeadlineIsSummarisedAsLeftInTheJournal()
      throws Exception {
    leave(events(20));
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink sink =
        sinks.open(writer, config().maxPendingCounters(10).closeTimeout(Duration.ofMillis(300)));
    sink.close();

    RecoverySummary s = summaryOf(sink);
    assertThat(s.complete()).isFalse();
    assertThat(s.inFlight()).isEqualTo(InFlight.NONE);
    assertThat(s.read()).as("the first chunk and the event that would start the next").isEqualTo(6);
    assertThat(s.batches()).isEqualTo(1);
    assertThat(s.deferred()).isEqualTo(6);
    assertThat(s.stored()).isZero();
    assertThat(sink.stats().deferred()).isEqualTo(6);
    assertThat(sink.stats().recorded()).isEqualTo(6);
  }

  @Test
  void aCorruptedRecordInTheRestIsSummarisedAsADamagedRegion() throws Exception {
    List<UsageEvent> events = events(8);
    Left left = leave(events, (j, p) -> j.beginBatch(0, p.get(3))); // a clean pending batch
    List<Long> p = left.positions();
    corrupt(p.get(6), 10);
    long badBytes = badBytesRead();
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.read()).isEqualTo(7);
    assertThat(s.stored()).isEqualTo(7);
    assertThat(s.badRegions()).isEqualTo(1);
    assertThat(s.badBytes()).isEqualTo(badBytes).isPositive();
    assertThat(s.firstBadPosition())
        .as("the first report (the pending batch) was clean")
        .isEqualTo(p.get(6));
    assertThat(s.warning()).isTrue();
    assertThat(s.message("sink", dir))
        .endsWith(
            "; 1 damaged regions ("
                + s.badBytes()
                + " bytes, the first at position "
                + p.get(6)
                + ": a record torn by a crash or corrupted on disk) were skipped: whatever they"
                + " held is lost");
    List<UsageEvent> kept = new ArrayList<>(events);
    kept.remove(6);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(kept).hashes());
  }

  @Test
  void damagedRegionsOfThePendingBatchAndTheRestAddUpAndTheFirstIsNamed() throws Exception {
    List<UsageEvent> events = events(8);
    Left left = leave(events, (j, pos) -> j.beginBatch(0, pos.get(4)));
    List<Long> p = left.positions();
    corrupt(p.get(1), 10);
    corrupt(p.get(6), 10);
    long badBytes = badBytesRead();
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(1_000));
    await(sink.flush());

    RecoverySummary s = summaryOf(sink);
    assertThat(s.read()).isEqualTo(6);
    assertThat(s.pendingEvents()).isEqualTo(3);
    assertThat(s.badRegions()).isEqualTo(2);
    assertThat(s.badBytes()).as("both regions").isEqualTo(badBytes).isPositive();
    assertThat(s.firstBadPosition()).isEqualTo(p.get(1));
  }

  @Test
  void anInFlightOutcomeGoesWithAPendingBatchAndOnlyWithOne() {
    Journal.Range batch = new Journal.Range(64, 128);
    assertThatThrownBy(() -> summary(null, InFlight.STORED_NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inFlight STORED_NOW does not match pendingBatch null");
    assertThatThrownBy(() -> summary(batch, InFlight.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inFlight NONE does not match pendingBatch Range[from=64, to=128]");
    assertThat(summary(null, InFlight.NONE).pendingBatch()).isNull();
    assertThat(summary(batch, InFlight.ALREADY_APPLIED).pendingBatch()).isEqualTo(batch);
  }

  private static RecoverySummary summary(Journal.Range pendingBatch, InFlight inFlight) {
    return new RecoverySummary(
        64, 128, 2, 1, 2, 0, 0, 1, pendingBatch, 0, false, inFlight, true, 0, 0, -1);
  }
}
