package io.usagesink.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *
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
 * <p><b>Stored data.</b> Every subclass declares with {@link #storedState()} whether its sink
 * stores in the reference (CRS) layout. For a storing sink the kit reads the store in
 * <em>every</em> test: after the sink was closed, the complete totals hashes ({@code usage:{keyId}}
 * and {@code account_usage:{accountId}}, every field) of every key and account the test offered
 * events for must equal {@link StoredTotals#ofKey}/{@link StoredTotals#ofAccount} over the events
 * that were accepted (an independent sum over the events' numbers); events rejected after close
 * leave no trace. Several tests also check right after {@code flush()} completed. A sink that does
 * not store in the CRS layout (a custom store, noop) returns {@link Optional#empty()} and only the
 * stats are checked.
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
   * Optional.of(RedisStoredState.of(redis))}.
   */
  protected abstract Optional<StoredState> storedState();

  /** How many events each of the {@value #THREADS} threads records in the concurrency test; 500. */
  protected int eventsPerThread() {
    return 500;
  }

  /**
   * The longest the kit waits for any stage or thread: 30 s. A bound against hangs, not a timing
   * check.
   */
  protected Duration awaitTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * The {@code n}-th event of a test for {@code keyId}: now, in the test's {@link #accountId()}, a
   * real model name, {@code 100 + n % 7} input, {@code 20 + n % 3} output, {@code 10 * (n % 5)}
   * cache-create ({@code 6 * (n % 5)} of them 5-minute, {@code 4 * (n % 5)} 1-hour) and {@code 100
   * * (n % 4)} cache-read tokens; long-context when {@code n % 10 == 3}. So every totals field
   * moves, and a test with 4 or more events has a long-context one. Override to shape events
   * differently; keep {@code keyId} and {@code accountId()}, and keep tokens small.
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
    assertNotNull(sink, "createSink(config)");
    stored =
        Objects.requireNonNull(
            storedState(), "storedState() returned null; return Optional.empty()");
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
      assertNotNull(stage, "record(event)");
      await(stage, "record(event)");
    }

    @Test
    @DisplayName("counts every accepted event as recorded and none as rejected")
    void recordCountsEveryAcceptedEvent() {
      List<CompletionStage<Void>> stages = recordMany(10);
      awaitAll(stages);
      SinkStats stats = sink.stats();
      assertEquals(10, stats.recorded(), "recorded");
      assertEquals(0L, stats.rejected(), "rejected");
    }

    @Test
    @DisplayName("throws NullPointerException for a null event and counts nothing")
    void recordOfNullThrowsNullPointerException() {
      assertThrows(NullPointerException.class, () -> sink.record(null), "record(null)");
      SinkStats stats = sink.stats();
      assertEquals(0L, stats.recorded(), "recorded");
      assertEquals(0L, stats.rejected(), "rejected");
    }

    @Test
    @DisplayName("accepts an event with only a key id, and one with only an account id")
    void recordAcceptsEventsWithOneIdOnly() {
      UsageEvent keyOnly = event(keyId, 1).toBuilder().accountId(null).build();
      UsageEvent accountOnly = event(keyId, 3).toBuilder().keyId(null).build();
      await(record(keyOnly), "record(event without accountId)");
      await(record(accountOnly), "record(event without keyId)");
      assertEquals(2, sink.stats().recorded(), "recorded");
      if (stored.isPresent()) {
        await(sink.flush(), "flush()");
        assertEquals(
            StoredTotals.ofKey(keyId, List.of(keyOnly)),
            readTotals(StoredTotals.keyHash(keyId)),
            "the key's totals: the key-only event alone");
        assertEquals(
            StoredTotals.ofAccount(accountId, List.of(accountOnly)),
            readTotals(StoredTotals.accountHash(accountId)),
            "the account's totals: the account-only event");
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
      assertEquals(0L, sink.stats().pending(), "pending");
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
      assertEquals(
          25L,
          readTotals(StoredTotals.keyHash(keyId)).fields().get("totalRequests"),
          "stored totals of " + keyId);
    }

    @Test
    @DisplayName("is idempotent: a second close returns and changes nothing")
    void closeIsIdempotent() {
      awaitAll(recordMany(3));
      sink.close();
      SinkStats afterFirst = sink.stats();
      assertDoesNotThrow(sink::close, "second close()");
      assertEquals(afterFirst, sink.stats(), "stats after the second close");
    }
  }

  @Nested
  @DisplayName("after close")
  class AfterClose {

    @Test
    @DisplayName("record does not throw but returns a stage failed with IllegalStateException")
    void recordAfterCloseFailsTheStage() {
      sink.close();
      CompletionStage<Void> stage =
          assertDoesNotThrow(() -> record(event(keyId, 0)), "record(event) after close");
      assertNotNull(stage, "record(event) after close");
      Throwable failure = awaitFailure(stage, "record(event) after close");
      assertInstanceOf(
          IllegalStateException.class, failure, "failure of record(event) after close");
      if (stored.isPresent()) {
        assertEquals(
            Map.of(),
            readTotals(StoredTotals.keyHash(keyId)).fields(),
            "usage:" + keyId + " of the rejected event");
        assertEquals(
            Map.of(),
            readTotals(StoredTotals.accountHash(accountId)).fields(),
            "account_usage:" + accountId + " of the rejected event");
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
      assertEquals(6, stats.rejected(), "rejected");
      assertEquals(2, stats.recorded(), "recorded");
      assertSettled(stats, 2);
      if (stored.isPresent()) {
        assertEquals(
            StoredTotals.ofKey(keyId, List.of(event(keyId, 0), event(keyId, 1))),
            readTotals(StoredTotals.keyHash(keyId)),
            "the key's totals: the 2 events before close only");
        assertEquals(
            Map.of(),
            readTotals(StoredTotals.keyHash(otherKey)).fields(),
            otherKey + " of rejected events only");
        assertEquals(
            Map.of(),
            readTotals(StoredTotals.accountHash(accountId + "-after-close")).fields(),
            "the account of rejected events only");
      }
    }

    @Test
    @DisplayName("record still throws NullPointerException for a null event")
    void recordOfNullAfterCloseThrowsNullPointerException() {
      sink.close();
      assertThrows(NullPointerException.class, () -> sink.record(null), "record(null)");
    }

    @Test
    @DisplayName("flush completes normally")
    void flushAfterCloseCompletes() {
      sink.close();
      await(assertDoesNotThrow(sink::flush, "flush() after close"), "flush() after close");
    }
  }

  @Nested
  @DisplayName("events")
  class Events {

    @Test
    @DisplayName("with negative tokens cannot be built; the message names the field and the value")
    void negativeTokensAreRejectedAtConstruction() {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> event(keyId, 0).toBuilder().outputTokens(-5).build());
      assertMessageNames(e, "outputTokens", "-5");
    }

    @Test
    @DisplayName("without key id and account id cannot be built; the message names both fields")
    void eventsWithoutIdsAreRejectedAtConstruction() {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> event(keyId, 0).toBuilder().keyId(null).accountId(null).build());
      assertMessageNames(e, "keyId", "accountId");
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
      ExecutorService pool =
          Executors.newFixedThreadPool(
              THREADS,
              r -> {
                Thread t = new Thread(r, "usagesink-contract-recorder");
                t.setDaemon(true);
                return t;
              });
      List<Future<List<CompletionStage<Void>>>> results = new ArrayList<>();
      try {
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          results.add(
              pool.submit(
                  () -> {
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
      assertEquals(
          List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L),
          List.of(
              s.recorded(),
              s.rejected(),
              s.stored(),
              s.pending(),
              s.failed(),
              s.dropped(),
              s.deferred()),
          "recorded, rejected, stored, pending, failed, dropped, deferred of a new sink");
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
      assertEquals(11, s.recorded() + s.rejected(), "recorded + rejected");
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
    assumeTrue(
        stored.isPresent(), "storedState() is empty: this sink does not store in the CRS layout");
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
      assertEquals(
          StoredTotals.ofKey(key, accepted),
          readTotals(StoredTotals.keyHash(key)),
          "every field of usage:"
              + key
              + " "
              + when
              + " ("
              + accepted.size()
              + " events accepted)");
    }
    for (String account : accounts) {
      assertEquals(
          StoredTotals.ofAccount(account, accepted),
          readTotals(StoredTotals.accountHash(account)),
          "every field of account_usage:" + account + " " + when);
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
    assertEquals(recorded, s.recorded(), String.format("recorded in %s", s));
    assertEquals(0L, s.pending(), String.format("pending in %s", s));
    assertEquals(0L, s.failed(), String.format("failed in %s", s));
    assertEquals(0L, s.deferred(), String.format("deferred in %s (its store is working)", s));
    assertEquals(
        recorded,
        s.stored() + s.failed() + s.dropped() + s.deferred(),
        String.format("stored + failed + dropped + deferred in %s", s));
    if (stored.isPresent()) {
      assertEquals(
          0L, s.dropped(), String.format("dropped in %s (a storing sink drops nothing)", s));
    }
  }

  private static void assertNonNegative(SinkStats s) {
    assertTrue(
        List.of(
                s.recorded(),
                s.rejected(),
                s.stored(),
                s.pending(),
                s.failed(),
                s.dropped(),
                s.deferred(),
                s.commands(),
                s.roundTrips(),
                s.flushes(),
                s.retries())
            .stream()
            .allMatch(v -> v >= 0),
        "every counter of " + s + " is >= 0");
  }

  private static void assertGrown(SinkStats before, SinkStats after) {
    assertNotShrunk("recorded", before.recorded(), after.recorded());
    assertNotShrunk("rejected", before.rejected(), after.rejected());
    assertNotShrunk("stored", before.stored(), after.stored());
    assertNotShrunk("failed", before.failed(), after.failed());
    assertNotShrunk("dropped", before.dropped(), after.dropped());
    assertNotShrunk("deferred", before.deferred(), after.deferred());
    assertNotShrunk("commands", before.commands(), after.commands());
    assertNotShrunk("roundTrips", before.roundTrips(), after.roundTrips());
    assertNotShrunk("flushes", before.flushes(), after.flushes());
    assertNotShrunk("retries", before.retries(), after.retries());
  }

  private static void assertNotShrunk(String counter, long before, long after) {
    assertTrue(after >= before, counter + " shrank from " + before + " to " + after);
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

  /**
   * Waits for the stage to fail and returns the failure; fails the test if it completes normally.
   */
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

  private static void assertMessageNames(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(
          String.valueOf(e.getMessage()).contains(part),
          "the message names " + part + ": " + e.getMessage());
    }
  }
}
