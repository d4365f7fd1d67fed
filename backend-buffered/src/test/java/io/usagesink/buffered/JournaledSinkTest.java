package io.usagesink.buffered;

import static io.usagesink.buffered.JournaledSinks.PLUS_8;
import static io.usagesink.buffered.JournaledSinks.T0;
import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.buffered.journal.JournalException;
import io.usagesink.buffered.journal.JournalStats;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.testkit.workload.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffered sink with a journal, against the in-memory writer (guards honoured like the Lua
 * writer's): batches left at the close deadline are stored by the next sink on the directory,
 * exactly once even when the earlier attempt had applied them; recovering twice changes nothing;
 * one sink per directory; the compact layout needs the sink's own writer; refused events are not
 * recovered. Kills of a real process against a real Redis are in {@code JournalKillIT}.
 */
class JournaledSinkTest {

  private final Path dir;

  @RegisterExtension final JournaledSinks sinks;

  JournaledSinkTest(@TempDir Path dir) {
    this.dir = dir;
    sinks = new JournaledSinks(dir);
  }

  private static SinkConfig.Builder config() {
    return JournaledSinks.config(Duration.ofSeconds(3));
  }

  /** Waits until the recovery of a fresh sink is done (its flush completes after it). */
  private static void flush(BufferedSink sink) throws Exception {
    sink.flush().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aBatchLeftAtTheCloseDeadlineIsStoredByTheNextSinkOnceEvenWhenItsReplyWasLost()
      throws Exception {
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> Outcome.APPLY_THEN_FAIL); // applied, reply lost
    BufferedSink first = sinks.open(writer, config());
    List<UsageEvent> events = Workloads.random(7, 3_000, T0, Duration.ofDays(2));
    events.forEach(first::record);
    first.close();
    SinkStats s1 = first.stats();
    assertThat(s1.deferred()).as("kept in the journal, not failed: %s", s1).isEqualTo(3_000);
    assertThat(writer.redis.hashes())
        .isEqualTo(sinks.reference(events).hashes()); // the lost reply: applied once

    writer.script(n -> Outcome.APPLY);
    int callsBefore = writer.calls.size();
    BufferedSink second = sinks.open(writer, config());
    flush(second);
    assertThat(writer.redis.hashes())
        .as("rewritten under the same guard: not applied twice")
        .isEqualTo(sinks.reference(events).hashes());
    assertThat(writer.calls.subList(callsBefore, writer.calls.size())).hasSize(1);
    assertThat(writer.calls.get(callsBefore).guardId()).isEqualTo(writer.calls.get(0).guardId());
    assertThat(second.stats().recorded()).isEqualTo(3_000);
    assertThat(second.stats().stored()).isEqualTo(3_000);
    second.close();

    BufferedSink third = sinks.open(writer, config());
    flush(third);
    assertThat(writer.calls).as("recovering twice sends nothing").hasSize(callsBefore + 1);
    assertThat(third.stats().recorded()).isZero();
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void aBatchNeverSentIsStoredByTheNextSinkInChunksAndTheJournalIsReleased() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    List<UsageEvent> events = Workloads.random(3, 4_000, T0, Duration.ofDays(3));
    BufferedSink first =
        sinks.open(writer, config().maxPendingCounters(6_000)); // an early batch at 3,000 counters
    events.forEach(first::record);
    first.close();
    assertThat(writer.redis.hashes()).isEmpty();

    writer.script(n -> Outcome.APPLY);
    int callsBefore = writer.calls.size();
    BufferedSink second =
        sinks.open(writer, config().maxPendingCounters(200)); // recovered 100 counters per batch
    List<UsageEvent> more = Workloads.random(4, 50, T0, Duration.ofDays(1));
    more.forEach(second::record);
    flush(second);
    List<UsageEvent> all = new ArrayList<>(events);
    all.addAll(more);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(all).hashes());
    // how many chunks depends on where the first sink had cut when it closed (its early flush races
    // the
    // close on a loaded machine: everything may sit in the one pending batch); at least the
    // recovered
    // data and this sink's own batch are written, each under its own guard id (below)
    assertThat(writer.calls.size() - callsBefore)
        .as("the recovered batch(es), then this sink's batch")
        .isGreaterThanOrEqualTo(2);
    assertThat(new HashSet<>(writer.calls.stream().map(ScriptedWriter.Call::guardId).toList()))
        .as("every batch under its own guard id (the pending one twice)")
        .hasSize(writer.calls.size() - callsBefore);
    JournalStats j = second.journalStats().orElseThrow();
    assertThat(j.released()).isEqualTo(j.nextPosition());
    assertThat(second.gauges())
        .as("the journal's disk use, for the metrics")
        .containsOnlyKeys(BufferedSink.JOURNAL_BYTES, BufferedSink.JOURNAL_SEGMENTS)
        .allSatisfy((name, value) -> assertThat(value).as(name).isPositive());
    SinkStats s = second.stats();
    assertThat(s.stored()).isEqualTo(4_050);
    assertThat(s.failed()).isZero();
  }

  /**
   * Four threads record while the worker cuts every few milliseconds; the sixth batch is applied
   * but its reply lost and every later write fails until close. Each generation's journal range
   * must hold exactly its events: the recovery then adds exactly what was not applied (a range
   * holding an event of another batch would count it twice or lose it).
   */
  @Test
  @Tag("slow") // 80,000 journaled events, ~25 s: left out of mutation runs
  void concurrentRecordingWithFrequentCutsRecoversExactlyWhatWasNotApplied() throws Exception {
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(n -> n <= 5 ? Outcome.APPLY : n == 6 ? Outcome.APPLY_THEN_FAIL : Outcome.FAIL);
    SinkConfig.Builder fast =
        SinkConfig.builder()
            .zone(PLUS_8)
            .shutdownHook(false)
            .closeTimeout(Duration.ofSeconds(3))
            .flushInterval(Duration.ofMillis(2));
    BufferedSink first =
        BufferedSink.builder(fast.build()).writer(writer).journal(sinks.journal()).build();
    sinks.add(first);
    List<List<UsageEvent>> perThread = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<UsageEvent> events = Workloads.random(100 + t, 20_000, T0, Duration.ofHours(2));
      perThread.add(events);
      // halfway, each thread waits until the worker has made more than 6 writes (the flushes
      // below and the 2 ms interval cut them), so batches are cut while the threads record, on a
      // machine of any speed (a precondition, asserted below)
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < events.size(); i++) {
                  first.record(events.get(i));
                  if (i == events.size() / 2) {
                    awaitCalls(writer, 7);
                  }
                }
              });
      threads.add(th);
      th.start();
    }
    while (threads.stream().anyMatch(Thread::isAlive)) {
      first.flush(); // more cuts while recording, besides the interval's
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    for (Thread th : threads) {
      th.join();
    }
    first.close();
    assertThat(writer.calls.size()).as("batches were cut while recording").isGreaterThan(6);

    writer.script(n -> Outcome.APPLY);
    // on a loaded machine close() may return (after closeTimeout + 1 s) while the worker still
    // gives up
    // the last generation and holds the directory; the next sink waits for it
    BufferedSink second = null;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (second == null) {
      try {
        second = sinks.open(writer, config());
      } catch (JournalException stillOpen) {
        if (System.nanoTime() > until
            || !stillOpen.getMessage().contains("already open in this process")) {
          throw stillOpen;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
    flush(second);
    List<UsageEvent> all = new ArrayList<>();
    perThread.forEach(all::addAll);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(all).hashes());
    assertThat(first.stats().stored() + second.stats().stored()).isEqualTo(80_000);
  }

  /** Waits (60 s at most) until {@code writer} has been called {@code n} times. */
  private static void awaitCalls(ScriptedWriter writer, int n) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (writer.calls.size() < n && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void aSecondSinkOnTheSameDirectoryFailsAtBuild() {
    sinks.open(new ScriptedWriter(), config());
    assertThatThrownBy(() -> sinks.open(new ScriptedWriter(), config()))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining(dir.toAbsolutePath().toString())
        .hasMessageContaining("only one sink may use a journal directory at a time");
  }

  @Test
  void theCompactLayoutWithAJournalNeedsTheSinksOwnCompactWriter() {
    SinkConfig config = config().property(UsageLayouts.LAYOUT_PROPERTY, "compact").build();
    assertThatThrownBy(
            () ->
                BufferedSink.builder(config)
                    .writer(new ScriptedWriter())
                    .journal(sinks.journal())
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("usagesink.buffered.journal-dir")
        .hasMessageContaining("usagesink.layout=compact and an injected writer");
  }

  @Test
  void halfTheCapPendingCutsABatchBeforeTheIntervalWithAJournalToo() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    // an hour's interval: only the threshold (4 of 8 counters pending) can cut before close
    BufferedSink sink = sinks.open(writer, config().maxPendingCounters(8));
    List<UsageEvent> events = new ArrayList<>();
    for (int k = 1; k <= 4; k++) {
      events.add(JournaledSinks.event(k, k));
      sink.record(events.get(k - 1)).toCompletableFuture().get();
    }
    eventually(() -> writer.calls.size() == 1); // no flush() asked
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
    eventually(() -> sink.journalStats().orElseThrow().released() > 0);
  }

  @Test
  void eventsRefusedForOverflowAreNotRecoveredAndEventsPastTheCapAre() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink first = sinks.open(writer, config().maxPendingCounters(4));
    UsageEvent big =
        UsageEvent.builder().at(T0).keyId("k1").model("m").inputTokens(Long.MAX_VALUE - 10).build();
    UsageEvent again = UsageEvent.builder().at(T0).keyId("k1").model("m").inputTokens(100).build();
    List<UsageEvent> kept = new ArrayList<>(List.of(big));
    first.record(big).toCompletableFuture().get();
    assertThatThrownBy(() -> first.record(again).toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    for (int k = 2;
        k <= 9;
        k++) { // past the cap: the cache evicts the coldest counters, nothing is dropped
      // 1 token each: the system minute metrics sum every key, and k1 holds Long.MAX_VALUE - 10
      UsageEvent e = UsageEvent.builder().at(T0).keyId("k" + k).model("m").inputTokens(1).build();
      first.record(e).toCompletableFuture().get();
      kept.add(e);
    }
    assertThat(first.stats().dropped()).isZero();
    assertThat(first.stats().rejected()).as("the overflowing event").isEqualTo(1);
    assertThat(first.stats().recorded()).isEqualTo(kept.size());
    first.close();

    writer.script(n -> Outcome.APPLY);
    BufferedSink second = sinks.open(writer, config());
    flush(second);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(kept).hashes());
    assertThat(second.stats().recorded()).isEqualTo(kept.size());
  }
}
