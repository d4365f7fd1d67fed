package io.usagesink.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit (TCK) of {@link UsageSink}: every backend's test extends it, and so should
 * the test of a custom sink. It checks the promises of {@link UsageSink} and the accounting
 * invariant of {@link SinkStats}:
 * <ul>
 *   <li>{@code record} returns a stage that completes normally, counts the event as recorded, and
 *       throws nothing but {@link NullPointerException} for a null event;
 *   <li>{@code flush} completes, and afterwards nothing is pending and {@code recorded == stored +
 *       failed + dropped} with nothing failed;
 *   <li>{@code close} flushes (the same accounting holds afterwards) and is idempotent;
 *   <li>after close, {@code record} never throws: it returns a stage failed with {@link
 *       IllegalStateException} and counts the event as rejected; {@code flush} completes;
 *   <li>invalid events cannot be built (the message names the field), so no sink ever sees one;
 *   <li>8 threads recording at once lose nothing: {@code recorded == 8 x eventsPerThread()};
 *   <li>counters never go negative and never shrink (except {@code pending}).
 * </ul>
 * When {@link #storedTotals(String)} is implemented (the Redis backends), the kit also proves the
 * data arrived: after flush, after close and after the concurrent run, the stored request and token
 * totals of the test's API key equal what was recorded. Without it those checks are skipped.
 *
 * <p>Each test gets a fresh sink from {@link #createSink(SinkConfig)} and a fresh, random API key,
 * so tests never see each other's data even on a shared Redis. The kit closes the sink after each
 * test. Every wait is bounded by {@link #awaitTimeout()} so a hanging backend fails instead of
 * hanging the build; nothing asserts on timing.
 *
 * <pre>{@code
 * class MySinkTest extends UsageSinkContract {
 *   @Override
 *   protected UsageSink createSink(SinkConfig config) {
 *     return MySink.builder().config(config).build();
 *   }
 * }
 * }</pre>
 */
public abstract class UsageSinkContract {

  /** Threads of the concurrency test. */
  protected static final int THREADS = 8;

  private UsageSink sink;
  private String keyId;

  /** For subclasses. */
  protected UsageSinkContract() {}

  /**
   * Creates the sink under test. Called before every test with {@link #baseConfig()}; the kit
   * closes the sink after the test.
   */
  protected abstract UsageSink createSink(SinkConfig config);

  /**
   * The configuration handed to {@link #createSink(SinkConfig)}: the defaults. A Redis-backed test
   * overrides it to add the fixture's URI (and, for example, a short flush interval).
   */
  protected SinkConfig baseConfig() {
    return SinkConfig.builder().build();
  }

  /**
   * What the backend stored for {@code keyId}, read back from its store, or empty (the default)
   * when the backend stores nothing readable; then the kit's checks of stored data are skipped.
   * Called only after a flush or close completed. Return {@link StoredTotals#NONE} for a key with
   * nothing stored.
   */
  protected Optional<StoredTotals> storedTotals(String keyId) {
    return Optional.empty();
  }

  /** How many events each of the {@value #THREADS} threads records in the concurrency test; 500. */
  protected int eventsPerThread() {
    return 500;
  }

  /** The longest the kit waits for any stage or thread: 30 s. A bound against hangs, not a timing check. */
  protected Duration awaitTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * The {@code n}-th event of a test for {@code keyId}: now, in account {@code contract-account}, a
   * real model name, {@code 100 + n % 7} input and {@code 20 + n % 3} output tokens. Override to
   * shape events differently; keep {@code keyId}, and keep tokens small.
   */
  protected UsageEvent event(String keyId, int n) {
    return UsageEvent.builder()
        .at(Instant.now())
        .keyId(keyId)
        .accountId("contract-account")
        .model("claude-sonnet-4-20250514")
        .inputTokens(100 + n % 7)
        .outputTokens(20 + n % 3)
        .build();
  }

  /** The sink of the running test. */
  protected final UsageSink sink() {
    return sink;
  }

  /** The random API key of the running test: {@code contract-<uuid>}. */
  protected final String keyId() {
    return keyId;
  }

  @BeforeEach
  protected final void openSinkUnderContract() {
    keyId = "contract-" + UUID.randomUUID();
    sink = createSink(baseConfig());
    assertThat(sink).as("createSink(config)").isNotNull();
  }

  @AfterEach
  protected final void closeSinkUnderContract() {
    if (sink != null) {
      sink.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("record")
  class Recording {

    @Test
    @DisplayName("returns a stage that completes normally")
    void recordReturnsAStageThatCompletesNormally() {
      CompletionStage<Void> stage = sink.record(event(keyId, 0));
      assertThat(stage).as("record(event)").isNotNull();
      await(stage, "record(event)");
    }

    @Test
    @DisplayName("counts every accepted event as recorded and none as rejected")
    void recordCountsEveryAcceptedEvent() {
      List<CompletionStage<Void>> stages = recordMany(10);
      awaitAll(stages);
      SinkStats stats = sink.stats();
      assertThat(stats.recorded()).as("recorded").isEqualTo(10);
      assertThat(stats.rejected()).as("rejected").isZero();
    }

    @Test
    @DisplayName("throws NullPointerException for a null event and counts nothing")
    void recordOfNullThrowsNullPointerException() {
      assertThatNullPointerException().isThrownBy(() -> sink.record(null));
      SinkStats stats = sink.stats();
      assertThat(stats.recorded()).as("recorded").isZero();
      assertThat(stats.rejected()).as("rejected").isZero();
    }

    @Test
    @DisplayName("accepts an event with only a key id, and one with only an account id")
    void recordAcceptsEventsWithOneIdOnly() {
      UsageEvent keyOnly = event(keyId, 1).toBuilder().accountId(null).build();
      UsageEvent accountOnly = event(keyId, 2).toBuilder().keyId(null).accountId("contract-account-only").build();
      await(sink.record(keyOnly), "record(event without accountId)");
      await(sink.record(accountOnly), "record(event without keyId)");
      assertThat(sink.stats().recorded()).as("recorded").isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("flush")
  class Flushing {

    @Test
    @DisplayName("of an empty sink completes normally")
    void flushOfAnEmptySinkCompletes() {
      await(sink.flush(), "flush()");
      assertThat(sink.stats().pending()).as("pending").isZero();
    }

    @Test
    @DisplayName("completes, and afterwards nothing is pending and every event is accounted for")
    void flushLeavesNothingPending() {
      awaitAll(recordMany(25));
      await(sink.flush(), "flush()");
      assertSettled(sink.stats(), 25);
    }

    @Test
    @DisplayName("covers events whose record stages were not awaited")
    void flushCoversEventsRecordedWithoutWaiting() {
      List<CompletionStage<Void>> stages = recordMany(25);
      await(sink.flush(), "flush()");
      awaitAll(stages);
      assertSettled(sink.stats(), 25);
    }

    @Test
    @DisplayName("stores everything recorded before it (checked when the backend can read back)")
    void flushStoresEverythingRecordedBeforeIt() {
      assumeStoreReadable();
      recordMany(25);
      await(sink.flush(), "flush()");
      assertStored(25);
    }
  }

  @Nested
  @DisplayName("close")
  class Closing {

    @Test
    @DisplayName("flushes: afterwards nothing is pending and every event is accounted for")
    void closeFlushes() {
      List<CompletionStage<Void>> stages = recordMany(25);
      sink.close();
      awaitAll(stages);
      assertSettled(sink.stats(), 25);
    }

    @Test
    @DisplayName("stores everything recorded before it (checked when the backend can read back)")
    void closeStoresEverythingRecorded() {
      assumeStoreReadable();
      recordMany(25);
      sink.close();
      assertStored(25);
    }

    @Test
    @DisplayName("is idempotent: a second close returns and changes nothing")
    void closeIsIdempotent() {
      awaitAll(recordMany(3));
      sink.close();
      SinkStats afterFirst = sink.stats();
      assertThatCode(sink::close).as("second close()").doesNotThrowAnyException();
      assertThat(sink.stats()).as("stats after the second close").isEqualTo(afterFirst);
    }
  }

  @Nested
  @DisplayName("after close")
  class AfterClose {

    @Test
    @DisplayName("record does not throw but returns a stage failed with IllegalStateException")
    void recordAfterCloseFailsTheStage() {
      sink.close();
      CompletionStage<Void> stage = assertDoesNotThrow(() -> sink.record(event(keyId, 0)));
      assertThat(stage).as("record(event) after close").isNotNull();
      Throwable failure = awaitFailure(stage, "record(event) after close");
      assertThat(failure).as("failure of record(event) after close").isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("record counts the event as rejected, not recorded")
    void recordAfterCloseIsCountedAsRejected() {
      awaitAll(recordMany(2));
      sink.close();
      for (int i = 0; i < 3; i++) {
        sink.record(event(keyId, i));
      }
      SinkStats stats = sink.stats();
      assertThat(stats.rejected()).as("rejected").isEqualTo(3);
      assertThat(stats.recorded()).as("recorded").isEqualTo(2);
      assertSettled(stats, 2);
    }

    @Test
    @DisplayName("record still throws NullPointerException for a null event")
    void recordOfNullAfterCloseThrowsNullPointerException() {
      sink.close();
      assertThatNullPointerException().isThrownBy(() -> sink.record(null));
    }

    @Test
    @DisplayName("flush completes normally")
    void flushAfterCloseCompletes() {
      sink.close();
      await(assertDoesNotThrow(sink::flush), "flush() after close");
    }
  }

  @Nested
  @DisplayName("events")
  class Events {

    @Test
    @DisplayName("with negative tokens cannot be built; the message names the field and the value")
    void negativeTokensAreRejectedAtConstruction() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> event(keyId, 0).toBuilder().outputTokens(-5).build())
          .withMessageContaining("outputTokens")
          .withMessageContaining("-5");
    }

    @Test
    @DisplayName("without key id and account id cannot be built; the message names both fields")
    void eventsWithoutIdsAreRejectedAtConstruction() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> event(keyId, 0).toBuilder().keyId(null).accountId(null).build())
          .withMessageContaining("keyId")
          .withMessageContaining("accountId");
    }
  }

  @Nested
  @DisplayName("under concurrency")
  class Concurrency {

    @Test
    @DisplayName("counts every event recorded by 8 threads at once, without exceptions")
    void eightThreadsRecordingAtOnceAreAllCounted() throws InterruptedException {
      int perThread = eventsPerThread();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "usagesink-contract-recorder");
        t.setDaemon(true);
        return t;
      });
      List<Future<List<CompletionStage<Void>>>> results = new ArrayList<>();
      try {
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          results.add(pool.submit(() -> {
            start.await();
            List<CompletionStage<Void>> stages = new ArrayList<>(perThread);
            for (int i = 0; i < perThread; i++) {
              stages.add(sink.record(event(keyId, thread * perThread + i)));
            }
            return stages;
          }));
        }
        start.countDown();
        List<CompletionStage<Void>> all = new ArrayList<>();
        for (Future<List<CompletionStage<Void>>> r : results) {
          all.addAll(get(r));
        }
        awaitAll(all);
      } finally {
        pool.shutdownNow();
      }
      await(sink.flush(), "flush()");
      long total = (long) THREADS * perThread;
      assertSettled(sink.stats(), total);
      Optional<StoredTotals> stored = storedTotals(keyId);
      if (stored.isPresent()) {
        assertThat(stored.get()).as("stored totals of " + keyId).isEqualTo(expectedTotals(THREADS * perThread));
      }
    }
  }

  @Nested
  @DisplayName("stats")
  class Stats {

    @Test
    @DisplayName("of a new sink count no events")
    void newSinkCountsNoEvents() {
      SinkStats s = sink.stats();
      assertThat(List.of(s.recorded(), s.rejected(), s.stored(), s.pending(), s.failed(), s.dropped()))
          .as("recorded, rejected, stored, pending, failed, dropped of a new sink")
          .containsOnly(0L);
    }

    @Test
    @DisplayName("never go negative and never shrink (pending aside)")
    void countersNeverGoNegativeAndNeverShrink() {
      SinkStats before = sink.stats();
      assertNonNegative(before);
      awaitAll(recordMany(10));
      SinkStats middle = sink.stats();
      assertNonNegative(middle);
      assertGrown(before, middle);
      await(sink.flush(), "flush()");
      SinkStats afterFlush = sink.stats();
      assertNonNegative(afterFlush);
      assertGrown(middle, afterFlush);
      sink.close();
      sink.record(event(keyId, 99));
      SinkStats afterClose = sink.stats();
      assertNonNegative(afterClose);
      assertGrown(afterFlush, afterClose);
    }

    @Test
    @DisplayName("count every offered event exactly once, as recorded or rejected")
    void everyOfferedEventIsRecordedOrRejected() {
      awaitAll(recordMany(7));
      sink.close();
      for (int i = 0; i < 4; i++) {
        sink.record(event(keyId, i));
      }
      SinkStats s = sink.stats();
      assertThat(s.recorded() + s.rejected()).as("recorded + rejected").isEqualTo(11);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private List<CompletionStage<Void>> recordMany(int count) {
    List<CompletionStage<Void>> stages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      stages.add(sink.record(event(keyId, i)));
    }
    return stages;
  }

  /** The totals events {@code 0 .. count-1} of {@link #event(String, int)} add up to. */
  private StoredTotals expectedTotals(int count) {
    long input = 0;
    long output = 0;
    for (int i = 0; i < count; i++) {
      UsageEvent e = event(keyId, i);
      input += e.inputTokens();
      output += e.outputTokens();
    }
    return new StoredTotals(count, input, output);
  }

  private void assumeStoreReadable() {
    assumeTrue(storedTotals(keyId).isPresent(),
        "storedTotals(keyId) is not implemented for this sink, so stored data cannot be checked");
  }

  private void assertStored(int count) {
    StoredTotals stored = storedTotals(keyId).orElseThrow();
    assertThat(stored).as("stored totals of " + keyId).isEqualTo(expectedTotals(count));
  }

  /** The accounting invariant of {@link SinkStats} after a successful flush or a close. */
  private static void assertSettled(SinkStats s, long recorded) {
    assertThat(s.recorded()).as("recorded in %s", s).isEqualTo(recorded);
    assertThat(s.pending()).as("pending in %s", s).isZero();
    assertThat(s.failed()).as("failed in %s", s).isZero();
    assertThat(s.stored() + s.failed() + s.dropped()).as("stored + failed + dropped in %s", s).isEqualTo(recorded);
  }

  private static void assertNonNegative(SinkStats s) {
    assertThat(List.of(s.recorded(), s.rejected(), s.stored(), s.pending(), s.failed(), s.dropped(),
            s.commands(), s.roundTrips(), s.flushes(), s.retries()))
        .as("every counter of %s", s)
        .allMatch(v -> v >= 0);
  }

  private static void assertGrown(SinkStats before, SinkStats after) {
    assertThat(after.recorded()).as("recorded").isGreaterThanOrEqualTo(before.recorded());
    assertThat(after.rejected()).as("rejected").isGreaterThanOrEqualTo(before.rejected());
    assertThat(after.stored()).as("stored").isGreaterThanOrEqualTo(before.stored());
    assertThat(after.failed()).as("failed").isGreaterThanOrEqualTo(before.failed());
    assertThat(after.dropped()).as("dropped").isGreaterThanOrEqualTo(before.dropped());
    assertThat(after.commands()).as("commands").isGreaterThanOrEqualTo(before.commands());
    assertThat(after.roundTrips()).as("roundTrips").isGreaterThanOrEqualTo(before.roundTrips());
    assertThat(after.flushes()).as("flushes").isGreaterThanOrEqualTo(before.flushes());
    assertThat(after.retries()).as("retries").isGreaterThanOrEqualTo(before.retries());
  }

  private void awaitAll(List<CompletionStage<Void>> stages) {
    for (int i = 0; i < stages.size(); i++) {
      await(stages.get(i), "record stage #" + i);
    }
  }

  /** Waits for the stage and fails the test if it fails or does not complete in time. */
  private void await(CompletionStage<?> stage, String what) {
    try {
      stage.toCompletableFuture().get(awaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      fail(what + " completed exceptionally", e.getCause());
    } catch (TimeoutException e) {
      fail(what + " did not complete within " + awaitTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted waiting for " + what);
    }
  }

  /** Waits for the stage to fail and returns the failure; fails the test if it completes normally. */
  private Throwable awaitFailure(CompletionStage<?> stage, String what) {
    try {
      stage.toCompletableFuture().get(awaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      fail(what + " did not complete within " + awaitTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted waiting for " + what);
    }
    return fail(what + " completed normally but should have failed");
  }

  private <T> T get(Future<T> future) throws InterruptedException {
    try {
      return future.get(awaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return fail("a recording thread threw", e.getCause());
    } catch (TimeoutException e) {
      return fail("a recording thread did not finish within " + awaitTimeout());
    }
  }

  private static <T> T assertDoesNotThrow(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException | Error e) {
      return fail("expected no exception but got " + e, e);
    }
  }
}
