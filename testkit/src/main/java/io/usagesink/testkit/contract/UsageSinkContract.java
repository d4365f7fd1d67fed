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
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *       failed + dropped} with nothing failed (and, for a storing sink, nothing dropped);
 *   <li>{@code close} flushes (the same accounting holds afterwards) and is idempotent;
 *   <li>after close, {@code record} never throws: it returns a stage failed with {@link
 *       IllegalStateException} and counts the event as rejected; {@code flush} completes;
 *   <li>invalid events cannot be built (the message names the field), so no sink ever sees one;
 *   <li>8 threads recording at once lose nothing: {@code recorded == 8 x eventsPerThread()};
 *   <li>counters never go negative and never shrink (except {@code pending}).
 * </ul>
 *
 * <p><b>Stored data.</b> Every subclass declares with {@link #storedState()} whether its sink stores
 * in the reference (CRS) layout. For a storing sink the kit reads the store in <em>every</em> test:
 * after the sink was closed, the complete totals hashes ({@code usage:{keyId}} and {@code
 * account_usage:{accountId}}, every field) of every key and account the test offered events for must
 * equal {@link StoredTotals#ofKey}/{@link StoredTotals#ofAccount} over the events that were accepted
 * (an independent sum over the events' numbers); events rejected after close leave no trace. Several
 * tests also check right after {@code flush()} completed. A sink that does not store in the CRS
 * layout (a custom store, noop) returns {@link Optional#empty()} and only the stats are checked.
 *
 * <p>Each test gets a fresh sink from {@link #createSink(SinkConfig)}, a fresh random API key and a
 * fresh random account, so tests never see each other's data even on a shared Redis. The kit closes
 * the sink after each test. Every wait is bounded by {@link #awaitTimeout()} so a hanging backend
 * fails instead of hanging the build; nothing asserts on timing.
 *
 * <pre>{@code
 * class MySinkTest extends UsageSinkContract {
 *   @Override
 *   protected UsageSink createSink(SinkConfig config) {
 *     return MySink.builder().config(config).build();
 *   }
 *
 *   @Override
 *   protected Optional<StoredState> storedState() {
 *     return Optional.empty(); // MySink does not store in the CRS layout
 *   }
 * }
 * }</pre>
 */
public abstract class UsageSinkContract {

  /** Threads of the concurrency test. */
  protected static final int THREADS = 8;

  private UsageSink sink;
  private String keyId;
  private String accountId;
  private Optional<StoredState> stored = Optional.empty();
  /** Every event the kit offered to the sink, with the stage record returned. */
  private final Queue<Offer> offered = new ConcurrentLinkedQueue<>();

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
   * How to read what the sink stored, when it stores in the reference (CRS) layout; {@link
   * Optional#empty()} declares that it does not (then no stored data is checked). Called once per
   * test, after {@link #createSink(SinkConfig)}. A sink on the test kit's Redis returns {@code
   * Optional.of(StoredState.of(redis))}.
   */
  protected abstract Optional<StoredState> storedState();

  /** How many events each of the {@value #THREADS} threads records in the concurrency test; 500. */
  protected int eventsPerThread() {
    return 500;
  }

  /** The longest the kit waits for any stage or thread: 30 s. A bound against hangs, not a timing check. */
  protected Duration awaitTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * The {@code n}-th event of a test for {@code keyId}: now, in the test's {@link #accountId()}, a
   * real model name, {@code 100 + n % 7} input, {@code 20 + n % 3} output, {@code 10 * (n % 5)}
   * cache-create ({@code 6 * (n % 5)} of them 5-minute, {@code 4 * (n % 5)} 1-hour) and {@code 100 *
   * (n % 4)} cache-read tokens; long-context when {@code n % 10 == 3}. So every totals field moves,
   * and a test with 4 or more events has a long-context one. Override to shape events differently;
   * keep {@code keyId} and {@code accountId()}, and keep tokens small.
   */
  protected UsageEvent event(String keyId, int n) {
    return UsageEvent.builder()
        .at(Instant.now())
        .keyId(keyId)
        .accountId(accountId)
        .model("claude-sonnet-4-20250514")
        .inputTokens(100 + n % 7)
        .outputTokens(20 + n % 3)
        .cacheCreateTokens(10L * (n % 5))
        .ephemeral5mTokens(6L * (n % 5))
        .ephemeral1hTokens(4L * (n % 5))
        .cacheReadTokens(100L * (n % 4))
        .longContext(n % 10 == 3)
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

  /** The random account of the running test: {@code contract-account-<uuid>}. */
  protected final String accountId() {
    return accountId;
  }

  /**
   * Records {@code event} on the test's sink and remembers it, so the stored-data check after the
   * test expects it when its stage completes normally (and no trace of it otherwise). Subclass
   * tests of a storing sink record through this, not through {@code sink().record}.
   */
  protected final CompletionStage<Void> record(UsageEvent event) {
    CompletionStage<Void> stage = sink.record(event);
    offered.add(new Offer(event, stage));
    return stage;
  }

  @BeforeEach
  protected final void openSinkUnderContract() {
    UUID id = UUID.randomUUID();
    keyId = "contract-" + id;
    accountId = "contract-account-" + id;
    offered.clear();
    sink = createSink(baseConfig());
    assertThat(sink).as("createSink(config)").isNotNull();
    stored = Objects.requireNonNull(storedState(), "storedState() returned null; return Optional.empty()");
  }

  /**
   * Closes the sink; for a storing sink, then checks that the store holds exactly the accepted
   * events of the test, in the complete totals hash of every key and account it offered events for.
   */
  @AfterEach
  protected final void closeSinkUnderContract() {
    if (sink == null) {
      return;
    }
    sink.close();
    if (stored.isPresent()) {
      assertStoredExactlyTheAcceptedEvents("after close");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("record")
  class Recording {

    @Test
    @DisplayName("returns a stage that completes normally")
    void recordReturnsAStageThatCompletesNormally() {
      CompletionStage<Void> stage = record(event(keyId, 0));
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
      UsageEvent accountOnly = event(keyId, 3).toBuilder().keyId(null).build();
      await(record(keyOnly), "record(event without accountId)");
      await(record(accountOnly), "record(event without keyId)");
      assertThat(sink.stats().recorded()).as("recorded").isEqualTo(2);
      if (stored.isPresent()) {
        await(sink.flush(), "flush()");
        assertThat(readTotals(StoredTotals.keyHash(keyId))).as("the key's totals: the key-only event alone")
            .isEqualTo(StoredTotals.ofKey(keyId, List.of(keyOnly)));
        assertThat(readTotals(StoredTotals.accountHash(accountId))).as("the account's totals: the account-only event")
            .isEqualTo(StoredTotals.ofAccount(accountId, List.of(accountOnly)));
      }
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
      assertStoredAfterFlush();
    }

    @Test
    @DisplayName("covers events whose record stages were not awaited")
    void flushCoversEventsRecordedWithoutWaiting() {
      List<CompletionStage<Void>> stages = recordMany(25);
      await(sink.flush(), "flush()");
      awaitAll(stages);
      assertSettled(sink.stats(), 25);
      assertStoredAfterFlush();
    }

    @Test
    @DisplayName("stores everything recorded before it (checked when the sink stores)")
    void flushStoresEverythingRecordedBeforeIt() {
      assumeStoring();
      recordMany(25);
      await(sink.flush(), "flush()");
      assertStoredAfterFlush();
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
    @DisplayName("stores everything recorded before it (checked when the sink stores)")
    void closeStoresEverythingRecorded() {
      assumeStoring();
      recordMany(25);
      sink.close();
      assertSettled(sink.stats(), 25);
      assertStoredExactlyTheAcceptedEvents("after close");
      assertThat(readTotals(StoredTotals.keyHash(keyId)).fields()).as("stored totals of " + keyId)
          .containsEntry("totalRequests", 25L);
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
      CompletionStage<Void> stage = assertDoesNotThrow(() -> record(event(keyId, 0)));
      assertThat(stage).as("record(event) after close").isNotNull();
      Throwable failure = awaitFailure(stage, "record(event) after close");
      assertThat(failure).as("failure of record(event) after close").isInstanceOf(IllegalStateException.class);
      if (stored.isPresent()) {
        assertThat(readTotals(StoredTotals.keyHash(keyId)).fields()).as("usage:%s of the rejected event", keyId)
            .isEmpty();
        assertThat(readTotals(StoredTotals.accountHash(accountId)).fields())
            .as("account_usage:%s of the rejected event", accountId).isEmpty();
      }
    }

    @Test
    @DisplayName("record counts the event as rejected, not recorded")
    void recordAfterCloseIsCountedAsRejected() {
      awaitAll(recordMany(2));
      sink.close();
      String otherKey = keyId + "-after-close";
      for (int i = 0; i < 3; i++) {
        record(event(keyId, i + 3));
        record(event(otherKey, i).toBuilder().accountId(accountId + "-after-close").build());
      }
      SinkStats stats = sink.stats();
      assertThat(stats.rejected()).as("rejected").isEqualTo(6);
      assertThat(stats.recorded()).as("recorded").isEqualTo(2);
      assertSettled(stats, 2);
      if (stored.isPresent()) {
        assertThat(readTotals(StoredTotals.keyHash(keyId))).as("the key's totals: the 2 events before close only")
            .isEqualTo(StoredTotals.ofKey(keyId, List.of(event(keyId, 0), event(keyId, 1))));
        assertThat(readTotals(StoredTotals.keyHash(otherKey)).isAbsent()).as(otherKey + " of rejected events only")
            .isTrue();
        assertThat(readTotals(StoredTotals.accountHash(accountId + "-after-close")).isAbsent())
            .as("the account of rejected events only").isTrue();
      }
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
              stages.add(record(event(keyId, thread * perThread + i)));
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
      assertStoredAfterFlush();
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
      record(event(keyId, 99));
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
        record(event(keyId, i));
      }
      SinkStats s = sink.stats();
      assertThat(s.recorded() + s.rejected()).as("recorded + rejected").isEqualTo(11);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private List<CompletionStage<Void>> recordMany(int count) {
    List<CompletionStage<Void>> stages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      stages.add(record(event(keyId, i)));
    }
    return stages;
  }

  private void assumeStoring() {
    assumeTrue(stored.isPresent(), "storedState() is empty: this sink does not store in the CRS layout");
  }

  /**
   * After a flush whose stage completed: every event offered so far was accepted (the sink is open)
   * and is in the store.
   */
  private void assertStoredAfterFlush() {
    if (stored.isPresent()) {
      assertStoredExactlyTheAcceptedEvents("after flush()");
    }
  }

  /**
   * The complete totals hashes of every key and account the test offered events for equal the
   * independent sums over the accepted events (those whose record stage completed normally); a key
   * or account with only rejected events has no hash.
   */
  private void assertStoredExactlyTheAcceptedEvents(String when) {
    List<UsageEvent> accepted = new ArrayList<>();
    Set<String> keys = new TreeSet<>();
    Set<String> accounts = new TreeSet<>();
    int i = 0;
    for (Offer o : offered) {
      Optional<Throwable> failure = outcome(o.stage(), "record stage #" + i++);
      if (failure.isEmpty()) {
        accepted.add(o.event());
      }
      Optional.ofNullable(o.event().keyId()).ifPresent(keys::add);
      Optional.ofNullable(o.event().accountId()).ifPresent(accounts::add);
    }
    keys.add(keyId);
    accounts.add(accountId);
    for (String key : keys) {
      assertThat(readTotals(StoredTotals.keyHash(key))).as("every field of usage:%s %s (%d events accepted)", key,
          when, accepted.size()).isEqualTo(StoredTotals.ofKey(key, accepted));
    }
    for (String account : accounts) {
      assertThat(readTotals(StoredTotals.accountHash(account))).as("every field of account_usage:%s %s", account,
          when).isEqualTo(StoredTotals.ofAccount(account, accepted));
    }
  }

  private StoredTotals readTotals(String hashKey) {
    return StoredTotals.read(stored.orElseThrow(), hashKey);
  }

  /**
   * The accounting invariant of {@link SinkStats} after a successful flush or a close; a storing
   * sink drops nothing, so everything recorded is stored.
   */
  private void assertSettled(SinkStats s, long recorded) {
    assertThat(s.recorded()).as("recorded in %s", s).isEqualTo(recorded);
    assertThat(s.pending()).as("pending in %s", s).isZero();
    assertThat(s.failed()).as("failed in %s", s).isZero();
    assertThat(s.stored() + s.failed() + s.dropped()).as("stored + failed + dropped in %s", s).isEqualTo(recorded);
    if (stored.isPresent()) {
      assertThat(s.dropped()).as("dropped in %s (a storing sink drops nothing)", s).isZero();
    }
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

  /** Waits for the stage; empty when it completed normally, else its failure. */
  private Optional<Throwable> outcome(CompletionStage<?> stage, String what) {
    try {
      stage.toCompletableFuture().get(awaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return Optional.empty();
    } catch (ExecutionException e) {
      return Optional.of(e.getCause());
    } catch (TimeoutException e) {
      return fail(what + " did not complete within " + awaitTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted waiting for " + what);
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

  /** An event the kit offered, and the stage {@code record} returned for it. */
  private record Offer(UsageEvent event, CompletionStage<Void> stage) {}

  private static <T> T assertDoesNotThrow(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException | Error e) {
      return fail("expected no exception but got " + e, e);
    }
  }
}
