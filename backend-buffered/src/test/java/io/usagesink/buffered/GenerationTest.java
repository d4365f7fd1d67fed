package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.layout.UsageTally;
import io.usagesink.redis.testing.Waits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces a batch is made of, each alone: the generation clock (deadlines by whole intervals,
 * held cuts, which clocks may jump, the journal range a cut closes), a generation (accumulators
 * claimed exactly once, evicted ones written with it, sealed from birth at close) and an
 * accumulator (writers fenced by the seal, an event that does not fit backed out entirely).
 */
class GenerationTest {

  private static final Instant T0 = Instant.parse("2025-08-15T03:00:00Z");

  @TempDir Path dir;

  private final PendingCount pending = new PendingCount(1_000);

  private GenerationClock clock(InstantSource source, long intervalMillis, Journal journal) {
    return new GenerationClock(
        source,
        intervalMillis,
        journal,
        (id, sealedAtStart) -> new Generation(id, sealedAtStart, 100, pending));
  }

  private static AccumulatorKey key(String k) {
    return new AccumulatorKey(k, "a1", "m", T0);
  }

  private static UsageEvent event(String k, long in, long out, boolean longContext) {
    return UsageEvent.builder()
        .at(T0)
        .keyId(k)
        .accountId("a1")
        .model("m")
        .inputTokens(in)
        .outputTokens(out)
        .longContext(longContext)
        .build();
  }

  private static void add(Generation g, UsageEvent e) {
    Accumulator a = g.get(key(e.keyId()));
    if (a == null) {
      a = g.insert(key(e.keyId()));
    }
    assertThat(a.tryEnter()).isTrue();
    try {
      assertThat(a.add(e)).isTrue();
    } finally {
      a.exit();
    }
  }

  @Test
  void theDeadlineAdvancesByWholeIntervalsPastTheClockAndOnlyWhenDue() {
    ManualClock source = new ManualClock(T0);
    GenerationClock c = clock(source, 1_000, null);
    long t0 = T0.toEpochMilli();
    assertThat(c.mayJump()).isTrue();
    assertThat(c.millis()).isEqualTo(t0);
    assertThat(c.deadlineMillis()).isEqualTo(t0 + 1_000);

    assertThat(c.cutIfDue(t0 + 999)).isFalse();
    assertThat(c.deadlineMillis()).isEqualTo(t0 + 1_000);
    Generation first = c.current();
    assertThat(c.cutIfDue(t0 + 1_000)).as("due at the deadline itself").isTrue();
    assertThat(c.deadlineMillis()).isEqualTo(t0 + 2_000);
    assertThat(c.current()).as("an empty generation is not cut").isSameAs(first);

    add(first, event("k1", 1, 1, false));
    assertThat(c.cutIfDue(t0 + 4_500)).isTrue();
    assertThat(c.deadlineMillis()).as("the boundary after the clock").isEqualTo(t0 + 5_000);
    assertThat(c.current().id).isEqualTo(first.id + 1);
    assertThat(first.next).isSameAs(c.current());

    add(c.current(), event("k1", 1, 1, false));
    c.holdCuts(true);
    assertThat(c.cutIfDue(t0 + 9_000)).as("held while a batch is failing").isFalse();
    assertThat(c.deadlineMillis()).isEqualTo(t0 + 5_000);
    c.holdCuts(false);
    assertThat(c.cutIfDue(t0 + 9_000)).isTrue();
    assertThat(c.deadlineMillis()).isEqualTo(t0 + 10_000);
  }

  @Test
  void anIntervalBelowOneMillisecondCountsAsOne() {
    GenerationClock c = clock(new ManualClock(T0), 0, null);
    assertThat(c.deadlineMillis()).isEqualTo(T0.toEpochMilli() + 1);
    add(c.current(), event("k1", 1, 1, false));
    assertThat(c.cutIfDue(T0.toEpochMilli() + 3)).isTrue();
    assertThat(c.deadlineMillis()).isEqualTo(T0.toEpochMilli() + 4);
  }

  @Test
  void onlyTheSystemClockIsTrustedNotToJump() {
    assertThat(clock(InstantSource.system(), 1_000, null).mayJump()).isFalse();
    assertThat(clock(Clock.systemUTC(), 1_000, null).mayJump()).isFalse();
    assertThat(clock(Clock.system(ZoneId.of("Asia/Shanghai")), 1_000, null).mayJump()).isFalse();
    assertThat(clock(Clock.fixed(T0, ZoneOffset.UTC), 1_000, null).mayJump()).isTrue();
    assertThat(clock(new ManualClock(T0), 1_000, null).mayJump()).isTrue();
  }

  @Test
  void aCutReplacesOnlyTheCurrentGenerationAndTheLastOneRefusesEvents() {
    GenerationClock c = clock(new ManualClock(T0), 60_000, null);
    Generation first = c.current();
    assertThat(first.id).isEqualTo(1);
    assertThat(c.cut(first, false)).isTrue();
    Generation second = c.current();
    assertThat(second.id).isEqualTo(2);
    assertThat(first.next).isSameAs(second);
    assertThat(c.cut(first, false)).as("no longer current").isFalse();
    assertThat(c.current()).isSameAs(second);

    assertThat(c.cut(second, true)).isTrue();
    Generation last = c.current();
    assertThat(last.insert(key("k1"))).as("sealed from birth").isNull();
    assertThat(last.get(key("k1"))).isNull();
    assertThat(last.isEmpty()).isTrue();
    assertThat(last.sealAndList()).isEmpty();
  }

  @Test
  void aCutClosesTheJournalRangeOfTheGenerationAndOpensTheNext() {
    try (Journal j =
        Journal.open(
            JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10))) {
      GenerationClock c = clock(new ManualClock(T0), 60_000, j);
      Generation first = c.current();
      long start = j.nextPosition();
      assertThat(first.journalFrom).isEqualTo(start);
      assertThat(first.awaitJournalFrom()).isEqualTo(start);
      j.append(event("k1", 1, 1, false));
      long end = j.nextPosition();
      assertThat(end).isGreaterThan(start);
      assertThat(c.cut(first, false)).isTrue();
      assertThat(first.journalTo).isEqualTo(end);
      assertThat(c.current().journalFrom).isEqualTo(end);
      assertThat(c.current().journalTo).isEqualTo(-1);
    }
  }

  @Test
  void aCutWaitsForAnAppendInProgressForTheGenerationItCloses() throws Exception {
    try (Journal j =
        Journal.open(
            JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10))) {
      GenerationClock c = clock(new ManualClock(T0), 60_000, j);
      Generation first = c.current();
      first.enterJournal(); // a record() that saw `first` current and is about to append
      CompletableFuture<Boolean> cut = CompletableFuture.supplyAsync(() -> c.cut(first, false));
      Waits.eventually(() -> c.current() != first); // the cut has replaced it and now waits
      j.append(event("k1", 1, 1, false));
      long end = j.nextPosition();
      assertThat(cut).as("waiting for the append in progress").isNotDone();
      first.exitJournal();
      assertThat(cut.get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.journalTo).as("the append belongs to the generation cut").isEqualTo(end);
      assertThat(c.current().journalFrom).isEqualTo(end);
    }
  }

  @Test
  void withoutAJournalGenerationsCarryNoRange() {
    GenerationClock c = clock(new ManualClock(T0), 60_000, null);
    Generation first = c.current();
    assertThat(first.journalFrom).isEqualTo(-1);
    c.cut(first, false);
    assertThat(first.journalTo).isEqualTo(-1);
    assertThat(c.current().journalFrom).isEqualTo(-1);
  }

  @Test
  void anAccumulatorIsCountedOnceHoweverOftenItIsInsertedAndListedOnce() {
    Generation g = new Generation(1, false, 100, pending);
    assertThat(g.isEmpty()).isTrue();
    Accumulator a = g.insert(key("k1"));
    assertThat(g.insert(key("k1"))).as("the existing one").isSameAs(a);
    assertThat(g.get(key("k1"))).isSameAs(a);
    assertThat(pending.pending()).isEqualTo(1);
    assertThat(g.isEmpty()).isFalse();
    g.insert(key("k2"));
    assertThat(pending.pending()).isEqualTo(2);

    List<Accumulator> listed = g.sealAndList();
    assertThat(listed).hasSize(2).contains(a);
    assertThat(g.insert(key("k3"))).as("sealed for its batch").isNull();
    assertThat(a.tryEnter()).as("claimed for the batch").isFalse();
    assertThat(pending.pending()).isEqualTo(2);
  }

  @Test
  void accumulatorsEvictedAtTheCapAreWrittenWithTheirGenerationEachOnce() {
    Generation g = new Generation(1, false, 2, pending);
    for (int k = 0; k < 6; k++) {
      add(g, event("k" + k, k + 1, 0, false));
    }
    assertThat(pending.evictedTotal()).isEqualTo(4);
    List<Accumulator> listed = g.sealAndList();
    assertThat(listed.stream().map(a -> a.keyId).collect(Collectors.toList()))
        .containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4", "k5");
    assertThat(listed.stream().mapToLong(a -> a.tally().get(Measure.INPUT_TOKENS)).sum())
        .isEqualTo(1 + 2 + 3 + 4 + 5 + 6);
  }

  @Test
  void aGenerationHoldingOnlyEvictedAccumulatorsIsNotEmpty() {
    Generation g = new Generation(1, false, 1, pending);
    add(g, event("k0", 1, 0, false));
    add(g, event("k1", 1, 0, false));
    add(g, event("k2", 1, 0, false));
    assertThat(g.isEmpty()).isFalse();
    assertThat(g.sealAndList()).hasSize(3);
  }

  @Test
  void aSealedAccumulatorRefusesWritersAndIsClaimedOnce() {
    Accumulator a = new Accumulator(key("k1"));
    assertThat(a.tryEnter()).isTrue();
    assertThat(a.add(event("k1", 5, 1, false))).isTrue();
    a.exit();
    assertThat(a.seal()).isTrue();
    assertThat(a.seal()).as("claimed once").isFalse();
    assertThat(a.tryEnter()).isFalse();
    assertThat(a.tryEnter()).as("a refused writer leaves no trace").isFalse();
    UsageTally t = a.tally();
    assertThat(t.requests()).isEqualTo(1);
    assertThat(t.get(Measure.INPUT_TOKENS)).isEqualTo(5);
    assertThat(t.keyId()).isEqualTo("k1");
    assertThat(t.at()).isEqualTo(T0);
  }

  @Test
  void anEventThatDoesNotFitIsBackedOutOfEveryCellLongContextOnesIncluded() {
    UsageEvent first = event("k1", Long.MAX_VALUE - 10, 3, true);
    Accumulator a = new Accumulator(key("k1"));
    a.tryEnter();
    assertThat(a.add(first)).isTrue();
    a.exit();
    UsageTally before = a.sealAndTally();
    Accumulator b = new Accumulator(key("k1"));
    b.tryEnter();
    assertThat(b.add(first)).isTrue();
    assertThat(b.add(event("k1", 11, 7, true))).as("the input sum would pass").isFalse();
    assertThat(b.add(event("k1", 0, 11, true))).as("the all-token total would pass").isFalse();
    assertThat(b.add(event("k1", 1, 0, false))).isTrue();
    b.exit();
    UsageTally after = b.sealAndTally();
    assertThat(after.get(Measure.REQUESTS)).isEqualTo(before.get(Measure.REQUESTS) + 1);
    assertThat(after.get(Measure.INPUT_TOKENS)).isEqualTo(Long.MAX_VALUE - 9);
    assertThat(after.get(Measure.OUTPUT_TOKENS)).isEqualTo(3);
    for (Measure m : Measure.all().subList(0, Measure.TALLIED)) {
      if (m != Measure.REQUESTS && m != Measure.INPUT_TOKENS) {
        assertThat(after.get(m)).as("%s", m).isEqualTo(before.get(m));
      }
    }
  }
}
