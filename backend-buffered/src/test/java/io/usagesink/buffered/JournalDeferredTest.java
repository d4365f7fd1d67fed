package io.usagesink.buffered;

import static io.usagesink.buffered.JournaledSinks.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.testkit.workload.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a journaled sink counts for the events it could not store by the close deadline: they stay
 * in the journal, so they are {@link SinkStats#deferred() deferred}, not failed, and after close
 * {@code pending == 0 && recorded == stored + failed + dropped + deferred}, in events; the next
 * sink on the directory then records and stores exactly those events. Events given up for good (a
 * refusal that is not transient) are failed and not recovered. Against the in-memory writer; the
 * same with a real Redis that is down, then back, is {@code JournalDeferredIT}.
 */
class JournalDeferredTest {

  @RegisterExtension final JournaledSinks sinks;

  JournalDeferredTest(@TempDir Path dir) {
    sinks = new JournaledSinks(dir);
  }

  private static SinkConfig.Builder config() {
    return JournaledSinks.config(Duration.ofSeconds(1));
  }

  /** The invariant of {@link SinkStats} after close, in events. */
  private static void assertSettled(SinkStats s) {
    assertThat(s.pending()).as("pending after close in %s", s).isZero();
    assertThat(s.stored() + s.failed() + s.dropped() + s.deferred())
        .as("stored + failed + dropped + deferred in %s", s)
        .isEqualTo(s.recorded());
  }

  /** Opens the next sink on the directory, waits for its recovery and closes it. */
  private SinkStats recoverWith(ScriptedWriter writer) throws Exception {
    BufferedSink next = sinks.open(writer, config().closeTimeout(Duration.ofSeconds(30)));
    next.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
    next.close();
    SinkStats s = next.stats();
    assertSettled(s);
    return s;
  }

  @Test
  void eventsNotStoredByTheCloseDeadlineAreDeferredAndTheNextSinkStoresExactlyThem()
      throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL); // Redis down
    BufferedSink first = sinks.open(writer, config());
    List<UsageEvent> events = Workloads.random(11, 2_000, T0, Duration.ofDays(2));
    events.forEach(first::record);
    first.close();

    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.recorded()).isEqualTo(2_000);
    assertThat(s.stored()).isZero();
    assertThat(s.failed()).as("kept in the journal, not given up: %s", s).isZero();
    assertThat(s.deferred()).isEqualTo(2_000);
    assertThat(first.failureReasons()).as("nothing failed, so no reason").isEmpty();
    assertThat(writer.redis.hashes()).isEmpty();

    writer.script(n -> Outcome.APPLY); // Redis is back
    SinkStats next = recoverWith(writer);
    assertThat(next.recorded()).as("the next sink records the deferred events").isEqualTo(2_000);
    assertThat(next.stored()).isEqualTo(2_000);
    assertThat(next.failed() + next.deferred()).isZero();
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());

    SinkStats again = recoverWith(writer);
    assertThat(again.recorded()).as("nothing is left to recover").isZero();
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(events).hashes());
  }

  @Test
  void whatWasStoredBeforeTheDeadlineIsStoredAndOnlyTheRestIsDeferred() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> n == 1 ? Outcome.APPLY : Outcome.FAIL);
    BufferedSink first = sinks.open(writer, config());
    List<UsageEvent> early = Workloads.random(12, 700, T0, Duration.ofDays(1));
    List<UsageEvent> late = Workloads.random(13, 900, T0, Duration.ofDays(1));
    early.forEach(first::record);
    first.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
    late.forEach(first::record);
    first.close();

    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.recorded()).isEqualTo(1_600);
    assertThat(s.stored()).isEqualTo(700);
    assertThat(s.deferred()).isEqualTo(900);
    assertThat(s.failed()).isZero();
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(early).hashes());

    writer.script(n -> Outcome.APPLY);
    SinkStats next = recoverWith(writer);
    assertThat(next.recorded()).as("exactly the deferred events: %s", next).isEqualTo(900);
    assertThat(next.stored()).isEqualTo(900);
    List<UsageEvent> all = new ArrayList<>(early);
    all.addAll(late);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(all).hashes());
  }

  @Test
  void aBatchFailingAtCloseIsDeferredWithEveryBatchBehindIt() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink first = sinks.open(writer, config());
    List<UsageEvent> inFlight = Workloads.random(14, 300, T0, Duration.ofDays(1));
    List<UsageEvent> behind = Workloads.random(17, 200, T0, Duration.ofDays(1));
    inFlight.forEach(first::record);
    CompletableFuture<Void> flush = first.flush().toCompletableFuture(); // cut: a batch in flight
    behind.forEach(first::record); // wait behind it, merged into the next batch
    first.close();
    assertThat(flush).isCompletedExceptionally();
    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.deferred()).isEqualTo(500);
    assertThat(s.failed()).isZero();

    writer.script(n -> Outcome.APPLY);
    SinkStats next = recoverWith(writer);
    assertThat(next.stored()).isEqualTo(500);
    List<UsageEvent> all = new ArrayList<>(inFlight);
    all.addAll(behind);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(all).hashes());
  }

  /**
   * A recovery stopped at the close deadline: the chunk being written stays in the journal, and so
   * does the event read after it (it would have started the next chunk); both are counted deferred.
   * Before, that one event was counted recorded and nothing else (seen in a recovery of 1M events
   * stopped at its deadline: recorded 544,659, stored 12, deferred 544,646).
   */
  @Test
  void aRecoveryStoppedAtTheCloseDeadlineDefersEveryEventItRead() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    List<UsageEvent> early = Workloads.random(18, 10, T0, Duration.ofDays(1));
    List<UsageEvent> late = Workloads.random(19, 2_990, T0, Duration.ofDays(3));
    BufferedSink first = sinks.open(writer, config());
    early.forEach(first::record);
    CompletableFuture<Void> inFlight = first.flush().toCompletableFuture(); // the pending batch
    while (writer.calls.isEmpty()) {
      Thread.onSpinWait(); // cut and being written: later events go to the next generation
    }
    late.forEach(first::record); // journaled behind it
    first.close();
    assertThat(inFlight).isCompletedExceptionally();
    assertThat(first.stats().deferred()).isEqualTo(3_000);

    // the pending batch (10 events) is stored, then the first chunk of the rest (100 counters)
    // fails until the close deadline
    int before = writer.calls.size();
    writer.script(n -> n == before + 1 ? Outcome.APPLY : Outcome.FAIL);
    BufferedSink second = sinks.open(writer, config().maxPendingCounters(200));
    second.close();
    SinkStats s = second.stats();
    assertSettled(s);
    assertThat(s.stored()).as("the pending batch: %s", s).isEqualTo(10);
    assertThat(s.recorded()).as("read: the pending batch and one chunk").isLessThan(3_000);
    assertThat(s.deferred()).isEqualTo(s.recorded() - 10);

    writer.script(n -> Outcome.APPLY);
    SinkStats third = recoverWith(writer);
    assertThat(third.recorded()).as("everything but the stored pending batch").isEqualTo(2_990);
    List<UsageEvent> all = new ArrayList<>(early);
    all.addAll(late);
    assertThat(writer.redis.hashes()).isEqualTo(sinks.reference(all).hashes());
  }

  @Test
  void eventsGivenUpForGoodAreFailedNotDeferredAndNotRecovered() throws Exception {
    // NOPERM for the script: fatal, so the batch is given up at once and released
    PlanWriter refusing =
        new PlanWriter() {
          @Override
          public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
            return CompletableFuture.failedFuture(
                new RedisCommandExecutionException(
                    "NOPERM User app has no permissions to run the 'evalsha' command"));
          }

          @Override
          public String name() {
            return "refusing";
          }
        };
    BufferedSink first = sinks.open(refusing, config());
    Workloads.random(15, 400, T0, Duration.ofDays(1)).forEach(first::record);
    first.close();
    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.failed()).as("given up for good: %s", s).isEqualTo(400);
    assertThat(s.deferred()).isZero();
    assertThat(first.failureReasons()).isNotEmpty();

    ScriptedWriter writer = new ScriptedWriter();
    SinkStats next = recoverWith(writer);
    assertThat(next.recorded()).as("a batch given up is released, not recovered").isZero();
    assertThat(writer.redis.hashes()).isEmpty();
  }

  /**
   * The worker is still inside a write when close's deadline (plus its margin) passes: close waits
   * until it has counted the batch, so nothing is pending when close returns and the invariant
   * holds at once (before, close returned with every counter still pending).
   */
  @Test
  void closeReturnsOnlyOnceEveryEventIsCounted() throws Exception {
    CountDownLatch closing = new CountDownLatch(1);
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(n -> Outcome.FAIL)
            .beforeEachCall(
                () -> {
                  try {
                    // the first attempt outlives close's deadline and its margin
                    if (closing.await(30, TimeUnit.SECONDS)) {
                      Thread.sleep(
                          Duration.ofSeconds(1)
                              .plusMillis(BufferedSink.CLOSE_MARGIN_MILLIS + 1_000)
                              .toMillis());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    BufferedSink first = sinks.open(writer, config());
    List<UsageEvent> events = Workloads.random(16, 1_000, T0, Duration.ofDays(1));
    events.forEach(first::record);
    CompletableFuture<Void> flush = first.flush().toCompletableFuture();
    while (writer.calls.isEmpty()) {
      Thread.onSpinWait(); // the worker is inside the first attempt
    }
    closing.countDown();
    first.close();
    SinkStats s = first.stats();
    assertSettled(s);
    assertThat(s.deferred()).isEqualTo(1_000);
    assertThat(flush).isCompletedExceptionally();
  }
}
