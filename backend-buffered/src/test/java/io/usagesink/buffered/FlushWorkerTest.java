package io.usagesink.buffered;

import static io.usagesink.redis.testing.Waits.await;
import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCommandExecutionException;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.layout.StatsPolicy;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.layout.UsageTally;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.PoisonedKeysException;
import io.usagesink.redis.RedisNotConnectedException;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.internal.CrsPlanFilter;
import io.usagesink.redis.internal.SinkCounters;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.testkit.workload.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The flush worker's failure paths against the scripted writer, each outcome one a real Redis
 * writer produces: a write applied in part (one slot group stored, the connection lost before the
 * other), keys refused for good within such a write, error replies that pass ({@code OOM}) and that
 * do not ({@code NOPERM}), a write never answered at the close deadline, a writer not connected yet
 * or never, retries of an idempotent writer past the guard window, plans that write nothing and
 * merged counters past {@code Long.MAX_VALUE}. The worker is driven by a {@link BufferedSink}, or
 * built directly where the writer's connection is the point.
 */
class FlushWorkerTest {

  private static final ZoneOffset PLUS_8 = ZoneOffset.ofHours(8);
  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");
  private static final String MODEL = "claude-sonnet-4-20250514";

  private final List<BufferedSink> sinks = new ArrayList<>();
  private final List<FlushWorker> workers = new ArrayList<>();
  private final UsageLayout layout = UsageLayouts.crs(config().build());

  @AfterEach
  void closeAll() throws InterruptedException {
    sinks.forEach(BufferedSink::close);
    for (FlushWorker w : workers) {
      w.beginClose(System.nanoTime());
      w.join(10_000);
    }
  }

  private static SinkConfig.Builder config() {
    return SinkConfig.builder()
        .zone(PLUS_8)
        .shutdownHook(false)
        .closeTimeout(Duration.ofSeconds(10))
        .flushInterval(Duration.ofHours(1));
  }

  private BufferedSink sink(SinkConfig.Builder config, ScriptedWriter writer, ManualClock clock) {
    BufferedSink s = BufferedSink.builder(config.build()).writer(writer).clock(clock).build();
    sinks.add(s);
    return s;
  }

  private BufferedSink sink(ScriptedWriter writer) {
    return sink(config(), writer, new ManualClock(T0));
  }

  private InMemoryRedis reference(List<UsageEvent> events) {
    InMemoryRedis r = new InMemoryRedis();
    for (UsageEvent e : events) {
      r.apply(layout.plan(e), null);
    }
    return r;
  }

  private static UsageEvent event(Instant at, String key, long in, long out) {
    return UsageEvent.builder()
        .at(at)
        .keyId(key)
        .accountId("a1")
        .model(MODEL)
        .inputTokens(in)
        .outputTokens(out)
        .build();
  }

  @Test
  void aWriteAppliedInPartIsRetriedWithOnlyItsRemainderUnderTheSameGuardId() throws Exception {
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> n == 1 ? Outcome.PARTIAL : Outcome.APPLY);
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(11, 300, T0, Duration.ofHours(3));
    events.forEach(sink::record);
    CompletionStage<Void> first = sink.flush();
    assertThatThrownBy(() -> await(first))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IncompleteWriteException.class)
        .hasMessageContaining("connection lost after the first group");
    eventually(() -> sink.stats().stored() == 300);

    assertThat(writer.calls).hasSize(2);
    UsagePlan whole = writer.calls.get(0).plan();
    UsagePlan retried = writer.calls.get(1).plan();
    List<CounterDelta> counters = whole.counters();
    assertThat(retried.counters())
        .as("only the counters the first attempt did not apply")
        .containsExactlyInAnyOrderElementsOf(
            counters.subList((counters.size() + 1) / 2, counters.size()));
    assertThat(retried.expiries()).isEqualTo(whole.expiries());
    assertThat(writer.calls.get(1).guardId()).isEqualTo(writer.calls.get(0).guardId());
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    assertThat(writer.redis.ttls()).isEqualTo(reference(events).ttls());
    SinkStats s = sink.stats();
    assertThat(s.retries()).isEqualTo(1);
    assertThat(s.flushes()).isEqualTo(1);
    // the partial attempt's 2 commands in 1 round trip, then the retry's 1 in 1
    assertThat(s.commands()).isEqualTo(3);
    assertThat(s.roundTrips()).isEqualTo(2);
    assertThat(s.failed()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(writer.abandoned).isEmpty();
  }

  @Test
  void aKeyRefusedWithinAPartlyAppliedWriteFailsOnlyTheEventsThatTouchIt() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    String[] poisoned = new String[1];
    writer.script(
        n -> {
          if (n == 1) { // an API key's total, in the group that is applied, is refused
            List<CounterDelta> all = writer.calls.get(0).plan().counters();
            poisoned[0] =
                all.subList(0, (all.size() + 1) / 2).stream()
                    .map(CounterDelta::key)
                    .filter(k -> k.matches("usage:k[0-9]+"))
                    .findFirst()
                    .orElseThrow();
            writer.redis.poison(poisoned[0]);
            return Outcome.PARTIAL;
          }
          return Outcome.APPLY;
        });
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(12, 200, T0, Duration.ofHours(2));
    events.forEach(sink::record);
    CompletionStage<Void> first = sink.flush();
    assertThatThrownBy(() -> await(first)).hasCauseInstanceOf(IncompleteWriteException.class);
    eventually(() -> sink.stats().stored() + sink.stats().failed() == 200);

    long touching =
        events.stream()
            .filter(
                e -> layout.plan(e).counters().stream().anyMatch(c -> c.key().equals(poisoned[0])))
            .count();
    assertThat(touching).isPositive().isLessThan(200);
    SinkStats s = sink.stats();
    assertThat(s.failed()).isEqualTo(touching);
    assertThat(s.stored()).isEqualTo(200 - touching);
    assertThat(s.pending()).isZero();
    assertThat(sink.failureReasons())
        .containsEntry(
            poisoned[0] + ": WRONGTYPE Operation against a key holding the wrong kind of value",
            touching);
    assertThat(writer.redis.hashes()).doesNotContainKey(poisoned[0]);
    assertThat(writer.calls).hasSize(2);
  }

  @Test
  void aKeyRefusedInAWholeWriteFailsItsEventsAndTheFlushNamesIt() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    writer.redis.poison("usage:daily:k1:2025-08-15");
    BufferedSink sink = sink(writer);
    sink.record(event(T0, "k0", 5, 1));
    sink.record(event(T0, "k1", 7, 1));
    sink.record(event(T0.plusSeconds(60), "k1", 9, 1)); // a second accumulator of k1
    CompletionStage<Void> flushed = sink.flush();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(PoisonedKeysException.class)
        .hasMessageContaining("usage:daily:k1:2025-08-15");
    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.flushes()).isEqualTo(1);
    assertThat(s.pending()).isZero();
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(16);
    assertThat(writer.redis.field("usage:k0", "totalInputTokens")).isEqualTo(5);
    // the next batch is cut and stored as usual
    sink.record(event(T0, "k0", 1, 0));
    await(sink.flush());
    assertThat(writer.redis.field("usage:k0", "totalInputTokens")).isEqualTo(6);
  }

  @Test
  void anOomReplyIsRetriedWithTheSamePlanAndStoredOnce() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> n <= 2 ? Outcome.OOM : Outcome.APPLY);
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(13, 100, T0, Duration.ofHours(1));
    events.forEach(sink::record);
    CompletionStage<Void> first = sink.flush();
    assertThatThrownBy(() -> await(first))
        .hasCauseInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("OOM");
    eventually(() -> sink.stats().stored() == 100);
    assertThat(writer.calls).hasSize(3);
    assertThat(writer.calls.stream().map(ScriptedWriter.Call::plan).distinct()).hasSize(1);
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    assertThat(sink.stats().retries()).isEqualTo(2);
    assertThat(sink.stats().commands()).isEqualTo(1);
  }

  @Test
  void aFatalReplyGivesTheBatchUpAtOnceNamingItAndIntervalCutsResume() throws Exception {
    CountDownLatch reply = new CountDownLatch(1);
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(
                n -> {
                  if (n != 1) {
                    return Outcome.APPLY;
                  }
                  awaitUninterruptibly(reply);
                  return Outcome.NOPERM;
                });
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink = sink(config().flushInterval(Duration.ofSeconds(1)), writer, clock);
    for (int i = 0; i < 3; i++) {
      sink.record(event(T0, "k1", 10, 1));
    }
    CompletionStage<Void> flushed = sink.flush();
    // attached before the reply: runs as the stage fails, and must see the batch counted failed
    // (awaited itself: the flush's waiter may wake before the worker has run this dependent)
    CompletableFuture<SinkStats> whenFailed =
        flushed.toCompletableFuture().handle((v, t) -> sink.stats());
    reply.countDown();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("NOPERM");
    assertThat(whenFailed.get(10, TimeUnit.SECONDS).failed())
        .as("failed, as the caller's stage failed")
        .isEqualTo(3);
    SinkStats s = sink.stats();
    assertThat(s.retries()).isZero();
    assertThat(s.stored()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.abandoned).containsExactly(writer.calls.get(0).guardId());
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "RedisCommandExecutionException: NOPERM User sink has no permissions to run the"
                + " 'evalsha' command");

    // cuts are no longer held: the interval alone cuts and stores the next batch
    sink.record(event(T0, "k1", 1, 0));
    clock.advance(Duration.ofSeconds(2));
    eventually(() -> writer.calls.size() == 2);
    eventually(() -> sink.stats().stored() == 1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(1);
  }

  @Test
  void afterABatchIsStoredOnARetryIntervalCutsResume() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> n == 1 ? Outcome.FAIL : Outcome.APPLY);
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink = sink(config().flushInterval(Duration.ofSeconds(1)), writer, clock);
    sink.record(event(T0, "k1", 2, 0));
    sink.flush();
    eventually(() -> sink.stats().stored() == 1);
    sink.record(event(T0, "k1", 3, 0));
    clock.advance(Duration.ofSeconds(2));
    eventually(() -> sink.stats().stored() == 2);
    assertThat(writer.calls).hasSize(3);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(5);
  }

  @Test
  void aWriteUnansweredAtTheCloseDeadlineIsCountedFailedWithItsOutcomeUnknown() {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.NO_REPLY);
    BufferedSink sink =
        sink(config().closeTimeout(Duration.ofMillis(300)), writer, new ManualClock(T0));
    for (int i = 0; i < 5; i++) {
      sink.record(event(T0, "k" + i, 1, 1));
    }
    sink.close();

    SinkStats s = sink.stats();
    assertThat(s.failed()).isEqualTo(5);
    assertThat(s.stored()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(s.retries()).isZero();
    assertThat(writer.calls).as("a write in flight is never sent again").hasSize(1);
    assertThat(writer.abandoned).containsExactly(writer.calls.get(0).guardId());
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "the close deadline passed while Redis had not answered the write (its outcome is"
                + " unknown)");
  }

  @Test
  void aWaitForAReplyThatBeganBeforeCloseEndsAtTheCloseDeadline() throws InterruptedException {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.NO_REPLY);
    // a wait slice of 3 x 60 s + 1 s: close must not wait for its end
    BufferedSink sink =
        sink(
            config().closeTimeout(Duration.ofMillis(300)).commandTimeout(Duration.ofSeconds(60)),
            writer,
            new ManualClock(T0));
    for (int i = 0; i < 5; i++) {
      sink.record(event(T0, "k" + i, 1, 1));
    }
    sink.flush();
    eventually(() -> writer.calls.size() == 1); // the worker waits for the reply now
    sink.close();

    SinkStats s = sink.stats();
    assertThat(s.pending()).as("counted by close, not left in the wait").isZero();
    assertThat(s.failed()).isEqualTo(5);
    assertThat(writer.calls).as("a write in flight is never sent again").hasSize(1);
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "the close deadline passed while Redis had not answered the write (its outcome is"
                + " unknown)");
  }

  @Test
  void aBatchStillFailingAtTheCloseDeadlineNamesTheDeadlineAndTheLastError() {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink sink =
        sink(config().closeTimeout(Duration.ofMillis(300)), writer, new ManualClock(T0));
    sink.record(event(T0, "k1", 1, 1));
    sink.record(event(T0, "k2", 1, 1));
    sink.close();

    SinkStats s = sink.stats();
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.pending()).isZero();
    assertThat(sink.failureReasons()).hasSize(1);
    String reason = sink.failureReasons().keySet().iterator().next();
    assertThat(reason)
        .startsWith("the close deadline passed")
        .contains("RedisConnectionException: scripted failure before applying");
    assertThat(writer.abandoned).containsOnly(writer.calls.get(0).guardId());
  }

  @Test
  void anIdempotentWriterIsRetriedPastTheGuardWindowUntilStored() throws Exception {
    // window: 1 s guard - 0.7 s command timeout = 300 ms; four failures back off at least 375 ms
    ScriptedWriter writer =
        new ScriptedWriter()
            .idempotentRetries(true)
            .script(n -> n <= 4 ? Outcome.FAIL : Outcome.APPLY);
    BufferedSink sink =
        sink(
            config().guardTtl(Duration.ofSeconds(1)).commandTimeout(Duration.ofMillis(700)),
            writer,
            new ManualClock(T0));
    sink.record(event(T0, "k1", 4, 0));
    sink.flush();
    eventually(() -> sink.stats().stored() == 1);
    assertThat(sink.stats().failed()).isZero();
    assertThat(sink.stats().retries()).isEqualTo(4);
    assertThat(writer.calls).hasSize(5);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(4);
  }

  @Test
  void aLayoutThatWritesNothingStoresEveryEventWithoutAWrite() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink s =
        BufferedSink.builder(config().build())
            .writer(writer)
            .clock(new ManualClock(T0))
            .layout(UsageLayouts.crs(PLUS_8, Duration.ofMinutes(5), StatsPolicy.OFF))
            .build();
    sinks.add(s);
    for (int i = 0; i < 4; i++) {
      s.record(event(T0, "k" + (i % 2), 3, 3));
    }
    await(s.flush());
    assertThat(writer.calls).isEmpty();
    SinkStats stats = s.stats();
    assertThat(stats.stored()).isEqualTo(4);
    assertThat(stats.pending()).isZero();
    assertThat(stats.flushes()).isZero();
    assertThat(stats.failed()).isZero();
  }

  @Test
  void countersWhoseMergedSumWouldPassTheLargestRedisCounterFailOnlyTheirOwnEvents()
      throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    long big = Long.MAX_VALUE - 10;
    // two accumulators of k1 (different hours) that fit alone but not merged, and k2
    sink.record(event(T0, "k1", big, 0));
    sink.record(event(T0.plus(Duration.ofHours(1)), "k1", big, 0));
    sink.record(event(T0, "k2", 1, 0));
    await(sink.flush());

    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(2);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.pending()).isZero();
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(big);
    assertThat(writer.redis.field("usage:k1", "totalRequests")).isEqualTo(1);
    assertThat(writer.redis.field("usage:k2", "totalInputTokens")).isEqualTo(1);
    assertThat(sink.failureReasons()).hasSize(1);
    assertThat(sink.failureReasons().keySet().iterator().next())
        .matches(
            "usage of \\(key k1, account a1, model "
                + MODEL
                + "\\) cannot be stored: counter \\S+ \\S+ would pass "
                + Long.MAX_VALUE
                + ": "
                + big
                + " \\+ "
                + big);
  }

  /**
   * The CRS layout, plus an index of each account's keys (a set {@code keys:<account>}, as a custom
   * layout may add); a tally of key {@code unplannable} cannot be planned.
   */
  private final class IndexingLayout implements UsageLayout {
    @Override
    public void plan(UsageTally tally, UsagePlan.Builder into) {
      if (tally.keyId().equals("unplannable")) {
        throw new IllegalArgumentException("no plan for this key");
      }
      layout.plan(tally, into);
      into.indexAdd("keys:" + tally.accountId(), tally.keyId(), 0);
    }

    @Override
    public Instant bucketStart(Instant at) {
      return layout.bucketStart(at);
    }

    @Override
    public StatsPolicy policy() {
      return layout.policy();
    }
  }

  private BufferedSink indexingSink(ScriptedWriter writer) {
    BufferedSink s =
        BufferedSink.builder(config().build())
            .writer(writer)
            .clock(new ManualClock(T0))
            .layout(new IndexingLayout())
            .build();
    sinks.add(s);
    return s;
  }

  @Test
  void aTallyTheLayoutCannotPlanFailsOnlyItsOwnEventsNamingTheReason() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = indexingSink(writer);
    sink.record(event(T0, "k1", 5, 1));
    sink.record(event(T0, "unplannable", 7, 1));
    sink.record(event(T0, "unplannable", 7, 1));
    sink.record(event(T0, "k2", 3, 1));
    await(sink.flush());

    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(2);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.pending()).isZero();
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "usage of (key unplannable, account a1, model "
                + MODEL
                + ") cannot be stored: no plan for this key");
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(5);
    assertThat(writer.redis.field("usage:k2", "totalInputTokens")).isEqualTo(3);
    assertThat(writer.redis.sets()).containsEntry("keys:a1", java.util.Set.of("k1", "k2"));
  }

  @Test
  void aRefusedIndexSetFailsOnlyTheEventsWhoseUsageAddsToIt() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    writer.redis.poison("keys:a2");
    BufferedSink sink = indexingSink(writer);
    sink.record(event(T0, "k1", 5, 1));
    sink.record(
        UsageEvent.builder()
            .at(T0)
            .keyId("k2")
            .accountId("a2")
            .model(MODEL)
            .inputTokens(3)
            .build());
    CompletionStage<Void> flushed = sink.flush();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(PoisonedKeysException.class)
        .hasMessageContaining("keys:a2");

    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "keys:a2: WRONGTYPE Operation against a key holding the wrong kind of value");
  }

  // ---- the worker built directly: the writer's connection is the point ----

  /** A worker without journal over its own generations; events go in as record() puts them. */
  private final class Harness {
    final PendingCount pending = new PendingCount(1_000);
    final SinkCounters counters =
        new SinkCounters(LoggerFactory.getLogger(FlushWorkerTest.class), "test");
    final GenerationClock generations =
        new GenerationClock(
            new ManualClock(T0),
            Duration.ofHours(1).toMillis(),
            null,
            (id, sealedAtStart) -> new Generation(id, sealedAtStart, 2_000, pending));
    final AtomicBoolean connectionClosed = new AtomicBoolean();
    final FlushWorker worker;

    Harness(CompletableFuture<PlanWriter> writer, SinkConfig.Builder config) {
      worker =
          new FlushWorker(
              "test",
              generations,
              writer,
              "scripted",
              () -> connectionClosed.set(true),
              layout,
              CrsPlanFilter.none(),
              config.build(),
              pending,
              counters,
              "test:",
              null);
      workers.add(worker);
      worker.start();
    }

    void record(UsageEvent e) {
      AccumulatorKey key =
          AccumulatorKey.probe()
              .set(e.keyId(), e.accountId(), e.model(), layout.bucketStart(e.at()));
      for (; ; ) {
        Generation g = generations.current();
        Accumulator a = g.get(key);
        if (a == null) {
          a = g.insert(key);
        }
        if (a != null && a.tryEnter()) {
          try {
            assertThat(a.add(e)).isTrue();
          } finally {
            a.exit();
          }
          counters.recorded.increment();
          return;
        }
      }
    }

    CompletionStage<Void> flush() {
      return worker.requestFlush(generations.current().id);
    }

    void close(Duration timeout) throws InterruptedException {
      worker.beginClose(System.nanoTime() + timeout.toNanos());
      assertThat(worker.join(60_000)).isTrue();
    }
  }

  @Test
  void theWorkerIsANamedDaemonThreadSoASinkNeverClosedDoesNotKeepTheJvmAlive() throws Exception {
    Harness h = new Harness(new CompletableFuture<>(), config());
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().equals("test-flush"))
        .isNotEmpty()
        .allMatch(Thread::isDaemon, "daemon");
    h.close(Duration.ofMillis(100));
  }

  @Test
  void aBatchWaitsForTheConnectionAndIsStoredOnceItIsReady() throws Exception {
    CompletableFuture<PlanWriter> ready = new CompletableFuture<>();
    Harness h = new Harness(ready, config());
    h.record(event(T0, "k1", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    ScriptedWriter writer = new ScriptedWriter();
    ready.complete(writer);
    await(flushed);
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
    assertThat(h.counters.stored.sum()).isEqualTo(1);
    assertThat(h.pending.pending()).isZero();
    h.close(Duration.ofSeconds(10));
    assertThat(h.connectionClosed).as("the owned connection is closed at the end").isTrue();
    assertThat(h.flush().toCompletableFuture()).as("after the worker ended").isCompleted();
  }

  @Test
  void aConnectionThatNeverComesIsNamedWhenTheCloseDeadlinePasses() throws Exception {
    Harness h = new Harness(new CompletableFuture<>(), config());
    h.record(event(T0, "k1", 6, 1));
    h.record(event(T0, "k2", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    h.close(Duration.ofMillis(300));
    assertThat(flushed.toCompletableFuture()).isCompletedExceptionally();
    assertThat(h.counters.failed.sum()).isEqualTo(2);
    assertThat(h.counters.stored.sum()).isZero();
    assertThat(h.pending.pending()).isZero();
    assertThat(h.counters.failureReasons()).hasSize(1);
    assertThat(h.counters.failureReasons().keySet().iterator().next())
        .startsWith("the close deadline passed");
    assertThat(h.connectionClosed).isTrue();
  }

  @Test
  void aConnectionThatFailedForGoodGivesTheBatchUpWithItsCause() throws Exception {
    CompletableFuture<PlanWriter> failed = new CompletableFuture<>();
    failed.completeExceptionally(new IllegalStateException("no usable Redis"));
    Harness h = new Harness(failed, config());
    h.record(event(T0, "k1", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no usable Redis");
    assertThat(h.counters.failed.sum()).isEqualTo(1);
    assertThat(h.counters.retries.sum()).isZero();
    assertThat(h.counters.failureReasons())
        .containsOnlyKeys("IllegalStateException: no usable Redis");
    assertThat(h.pending.pending()).isZero();
  }

  @Test
  void aBatchWhoseRetriesWouldOutliveTheGuardIsGivenUpNamingTheRetryWindow() throws Exception {
    // window: 1 s guard - 0.7 s command timeout = 300 ms; the backoffs of the first four failures
    // are at least 25 + 50 + 100 + 200 ms, so the fourth failure gives up at the latest
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink sink =
        sink(
            config()
                .guardTtl(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofMillis(700))
                .property(CrsPlanFilter.EXPIRE_MEMO, "1h"),
            writer,
            new ManualClock(T0));
    sink.record(event(T0, "k1", 4, 0));
    sink.record(event(T0, "k2", 4, 0));
    CompletionStage<Void> flushed = sink.flush();
    assertThatThrownBy(() -> await(flushed)).isInstanceOf(ExecutionException.class);
    eventually(() -> sink.stats().failed() == 2);

    SinkStats s = sink.stats();
    assertThat(s.stored()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(writer.calls).as("given up within the window").hasSizeBetween(1, 4);
    assertThat(s.retries()).isEqualTo(writer.calls.size() - 1);
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "its retries would outlive the exactly-once guard (retry window 300 ms ="
                + " usagesink.guard-ttl minus the command timeout); last error:"
                + " RedisConnectionException: scripted failure before applying");
    assertThat(writer.abandoned).containsExactly(writer.calls.get(0).guardId());

    // Redis is back: the next batch is stored as usual, with the expiries the given-up batch
    // carried (forgotten by the expire memo, so sent again)
    writer.script(n -> Outcome.APPLY);
    UsageEvent next = event(T0, "k1", 1, 0);
    sink.record(next);
    await(sink.flush());
    assertThat(sink.stats().stored()).isEqualTo(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(1);
    assertThat(writer.redis.ttls()).isEqualTo(reference(List.of(next)).ttls());
  }

  @Test
  void aBatchRefusedForGoodForgetsItsExpiriesSoTheNextBatchSendsThem() throws Exception {
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> n == 1 ? Outcome.NOPERM : Outcome.APPLY);
    BufferedSink sink =
        sink(config().property(CrsPlanFilter.EXPIRE_MEMO, "1h"), writer, new ManualClock(T0));
    UsageEvent e = event(T0, "k1", 10, 1);
    sink.record(e);
    CompletionStage<Void> refused = sink.flush();
    assertThatThrownBy(() -> await(refused)).hasMessageContaining("NOPERM");
    sink.record(e);
    await(sink.flush());

    assertThat(writer.calls).hasSize(2);
    assertThat(writer.calls.get(0).plan().expiries())
        .as("the refused batch carried expiries")
        .isNotEmpty();
    assertThat(writer.calls.get(1).plan().expiries())
        .containsExactlyInAnyOrderElementsOf(writer.calls.get(0).plan().expiries());
    assertThat(writer.redis.ttls()).isEqualTo(reference(List.of(e)).ttls());
    // a third batch within the hour: the memo leaves out what the second one sent
    sink.record(e);
    await(sink.flush());
    assertThat(writer.calls.get(2).plan().expiries())
        .hasSizeLessThan(writer.calls.get(1).plan().expiries().size());
  }

  @Test
  void retriesWithinTheGuardWindowGoOnUntilTheBatchIsStored() throws Exception {
    // window: 2 s guard - 0.7 s command timeout = 1.3 s; three failures back off at most 350 ms
    ScriptedWriter writer = new ScriptedWriter().script(n -> n <= 3 ? Outcome.FAIL : Outcome.APPLY);
    BufferedSink sink =
        sink(
            config().guardTtl(Duration.ofSeconds(2)).commandTimeout(Duration.ofMillis(700)),
            writer,
            new ManualClock(T0));
    sink.record(event(T0, "k1", 4, 0));
    sink.flush();
    eventually(() -> sink.stats().stored() == 1);
    SinkStats s = sink.stats();
    assertThat(s.failed()).isZero();
    assertThat(s.retries()).isEqualTo(3);
    assertThat(s.pending()).isZero();
    assertThat(writer.calls).hasSize(4);
    assertThat(writer.abandoned).isEmpty();
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(4);
  }

  @Test
  void halfTheCounterCapPendingFlushesBeforeTheIntervalEndsAgainAndAgain() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    // the interval is an hour and nobody calls flush(): only the pending counters start a write
    BufferedSink sink = sink(config().maxPendingCounters(4), writer, new ManualClock(T0));
    sink.record(event(T0, "k1", 1, 0));
    sink.record(event(T0, "k2", 1, 0)); // 2 counters pending: half the cap
    eventually(() -> !writer.calls.isEmpty());
    // the event that crossed the threshold may have raced with the cut into the next batch
    await(sink.flush());
    assertThat(sink.stats().stored()).isEqualTo(2);
    assertThat(sink.stats().pending()).as("the stored batches' counters are released").isZero();

    int before = writer.calls.size();
    sink.record(event(T0, "k3", 1, 0));
    sink.record(event(T0, "k4", 1, 0));
    eventually(() -> writer.calls.size() > before);
    await(sink.flush());
    assertThat(sink.stats().stored()).isEqualTo(4);
    assertThat(sink.stats().pending()).isZero();
  }

  @Test
  void aBatchLeftInTheJournalAtTheCloseDeadlineIsAbandonedAndCountedDeferred(@TempDir Path dir)
      throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    try (JournaledSinks journaled = new JournaledSinks(dir)) {
      BufferedSink sink = journaled.open(writer, config().closeTimeout(Duration.ofMillis(300)));
      sink.record(event(T0, "k1", 1, 0));
      sink.record(event(T0, "k2", 1, 0));
      sink.record(event(T0, "k2", 1, 0));
      CompletableFuture<Void> flushed = sink.flush().toCompletableFuture();
      eventually(() -> writer.calls.size() >= 1);
      sink.close();

      assertThat(flushed).isCompletedExceptionally();
      SinkStats s = sink.stats();
      assertThat(s.deferred()).isEqualTo(3);
      assertThat(s.failed()).isZero();
      assertThat(s.stored()).isZero();
      assertThat(s.pending()).as("the kept batch's counters are released").isZero();
      assertThat(writer.abandoned)
          .as("the writer must not store it later: the next sink does, from the journal")
          .containsExactly(writer.calls.get(0).guardId());
    }
  }

  @Test
  void aFlushWaitingForABatchLeftInTheJournalAtTheCloseDeadlineFails(@TempDir Path dir)
      throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.NO_REPLY);
    try (JournaledSinks journaled = new JournaledSinks(dir)) {
      BufferedSink sink = journaled.open(writer, config().closeTimeout(Duration.ofMillis(300)));
      sink.record(event(T0, "k1", 1, 0));
      CompletableFuture<Void> flushed = sink.flush().toCompletableFuture();
      eventually(() -> writer.calls.size() == 1);
      assertThat(flushed).as("no failure yet: Redis has not answered").isNotDone();
      sink.close();

      assertThat(flushed)
          .as("stored or not is unknown: the caller must not be told it was")
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(TimeoutException.class)
          .withMessageContaining("the close deadline passed while Redis had not answered");
      SinkStats s = sink.stats();
      assertThat(s.deferred()).isEqualTo(1);
      assertThat(s.failed()).isZero();
      assertThat(s.stored()).isZero();
    }
  }

  @Test
  void aReplyArrivingAfterCloseBeganButBeforeItsDeadlineIsStored() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.NO_REPLY);
    // a short command timeout: one wait slice is 3 x 100 ms + 1 s
    Harness h =
        new Harness(
            CompletableFuture.completedFuture(writer),
            config().commandTimeout(Duration.ofMillis(100)));
    h.record(event(T0, "k1", 6, 1));
    h.record(event(T0, "k2", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    eventually(() -> writer.unanswered.size() == 1);
    h.worker.beginClose(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    ScriptedWriter.Call call = writer.calls.get(0);
    writer.redis.apply(call.plan(), call.guardId());
    writer.unanswered.get(0).complete(new WriteResult(1, 1, call.plan().size(), 1, 0, true));
    await(flushed);
    assertThat(h.worker.join(60_000)).isTrue();

    assertThat(h.counters.stored.sum()).isEqualTo(2);
    assertThat(h.counters.failed.sum()).isZero();
    assertThat(h.pending.pending()).isZero();
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.abandoned).isEmpty();
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
  }

  @Test
  void aCloseRequestShortensALongBackoffSoTheBatchIsStoredBeforeTheDeadline() throws Exception {
    AtomicBoolean redisBack = new AtomicBoolean();
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> redisBack.get() ? Outcome.APPLY : Outcome.FAIL);
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    h.record(event(T0, "k1", 6, 1));
    h.flush();
    // the sixth failure backs off 800 to 1,600 ms, longer than the close timeout below
    eventually(() -> writer.calls.size() == 6);
    redisBack.set(true);
    h.close(Duration.ofMillis(700));

    assertThat(h.counters.stored.sum()).isEqualTo(1);
    assertThat(h.counters.failed.sum()).isZero();
    assertThat(h.pending.pending()).isZero();
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
  }

  @Test
  void aFlushIsServedOnceItsBatchIsStoredWhileNewerEventsKeepComing() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    AtomicBoolean recording = new AtomicBoolean(true);
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    // every write sees a newer event recorded meanwhile: the current generation is never empty
    writer.beforeEachCall(
        () -> {
          if (recording.get()) {
            h.record(event(T0, "k2", 1, 0));
          }
        });
    h.record(event(T0, "k1", 6, 1));
    await(h.flush());
    recording.set(false);

    assertThat(writer.calls).as("only the batch the flush needed").hasSize(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
    assertThat(h.counters.stored.sum()).isEqualTo(1);
    h.close(Duration.ofSeconds(10));
    assertThat(h.counters.stored.sum()).as("the newer event, stored at close").isEqualTo(2);
  }

  @Test
  void aCloseWhoseDeadlineHasPassedWritesNothingAndCountsThePendingBatchFailed() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    h.record(event(T0, "k1", 6, 1));
    h.record(event(T0, "k2", 6, 1));
    h.close(Duration.ZERO);

    assertThat(writer.calls).as("nothing is sent after the deadline").isEmpty();
    assertThat(h.counters.failed.sum()).isEqualTo(2);
    assertThat(h.counters.stored.sum()).isZero();
    assertThat(h.pending.pending()).isZero();
    assertThat(h.counters.failureReasons())
        .containsOnlyKeys("the close deadline passed before it was stored");
    assertThat(writer.abandoned).hasSize(1);
  }

  @Test
  void eventsRecordedWhileABatchIsFailingMergeIntoOneBatchWhateverTheIntervalsPassed()
      throws Exception {
    AtomicBoolean redisBack = new AtomicBoolean();
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> redisBack.get() ? Outcome.APPLY : Outcome.FAIL);
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink = sink(config(), writer, clock);
    sink.record(event(T0, "k0", 1, 0));
    sink.flush();
    eventually(() -> writer.calls.size() >= 2); // failed once: interval cuts are held
    clock.advance(Duration.ofHours(2));
    sink.record(event(T0, "k1", 1, 0));
    clock.advance(Duration.ofHours(2)); // a second interval passed with an event pending
    sink.record(event(T0, "k2", 1, 0));
    redisBack.set(true);
    eventually(() -> sink.stats().stored() >= 1); // then the worker cuts what waited
    await(sink.flush());

    assertThat(sink.stats().stored()).isEqualTo(3);
    UsagePlan last = writer.calls.get(writer.calls.size() - 1).plan();
    assertThat(last.counters().stream().map(CounterDelta::key))
        .as("one batch after the failing one")
        .contains("usage:k1", "usage:k2");
  }

  @Test
  void aFlushAskedForTheBatchBeingWrittenIsServedByItWithoutCuttingTheNext() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    AtomicReference<Harness> harness = new AtomicReference<>();
    AtomicReference<CompletionStage<Void>> askedMeanwhile = new AtomicReference<>();
    // while batch 1 is written: a newer event, and a flush() that only needs batch 1
    writer.beforeEachCall(
        () -> {
          if (askedMeanwhile.get() == null) {
            harness.get().record(event(T0, "k2", 1, 0));
            askedMeanwhile.set(harness.get().worker.requestFlush(1));
          }
        });
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    harness.set(h);
    h.record(event(T0, "k1", 6, 1));
    h.worker.requestEarlyFlush(); // cuts batch 1 (no flush() is waiting for it)
    eventually(() -> askedMeanwhile.get() != null);
    await(askedMeanwhile.get());

    assertThat(writer.calls).as("the newer event waits for its own cut").hasSize(1);
    assertThat(h.counters.stored.sum()).isEqualTo(1);
  }

  @Test
  void aBatchFailingAfterCloseBeganIsRetriedUntilTheDeadlineAndStored() throws Exception {
    AtomicReference<Harness> harness = new AtomicReference<>();
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(
                n -> {
                  if (n == 1) { // close is asked while the first attempt is on its way
                    harness.get().worker.beginClose(System.nanoTime() + 30_000_000_000L);
                    return Outcome.FAIL;
                  }
                  return Outcome.APPLY;
                });
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    harness.set(h);
    h.record(event(T0, "k1", 6, 1));
    h.flush();
    assertThat(h.worker.join(60_000)).isTrue();

    assertThat(writer.calls).hasSize(2);
    assertThat(h.counters.stored.sum()).isEqualTo(1);
    assertThat(h.counters.failed.sum()).isZero();
    assertThat(h.counters.retries.sum()).isEqualTo(1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
  }

  @Test
  void aWriteSentWhileClosingWaitsForItsReplyUntilTheDeadline() throws Exception {
    AtomicReference<Harness> harness = new AtomicReference<>();
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(
                n -> { // close is asked as the write goes out; Redis answers later
                  harness.get().worker.beginClose(System.nanoTime() + 60_000_000_000L);
                  return Outcome.NO_REPLY;
                });
    // a short command timeout: one wait slice is 3 x 100 ms + 1 s
    Harness h =
        new Harness(
            CompletableFuture.completedFuture(writer),
            config().commandTimeout(Duration.ofMillis(100)));
    harness.set(h);
    h.record(event(T0, "k1", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    eventually(() -> writer.unanswered.size() == 1);
    ScriptedWriter.Call call = writer.calls.get(0);
    writer.redis.apply(call.plan(), call.guardId());
    writer.unanswered.get(0).complete(new WriteResult(1, 1, call.plan().size(), 1, 0, true));
    await(flushed);
    assertThat(h.worker.join(60_000)).isTrue();

    assertThat(h.counters.stored.sum()).isEqualTo(1);
    assertThat(h.counters.failed.sum()).isZero();
    assertThat(writer.calls).hasSize(1);
  }

  @Test
  void aReplyThatArrivedIsCountedEvenWhenTheCloseDeadlineHasPassed() throws Exception {
    AtomicReference<Harness> harness = new AtomicReference<>();
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(
                n -> { // close is asked with a deadline already past; Redis answers at once
                  harness.get().worker.beginClose(System.nanoTime() - 1);
                  return Outcome.APPLY;
                });
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    harness.set(h);
    h.record(event(T0, "k1", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    await(flushed);
    assertThat(h.worker.join(60_000)).isTrue();

    assertThat(h.counters.stored.sum()).as("Redis applied it and said so").isEqualTo(1);
    assertThat(h.counters.failed.sum()).isZero();
    assertThat(writer.abandoned).as("nothing to abandon").isEmpty();
  }

  @Test
  void aConnectionThatNeverComesIsGivenUpWhenItsRetriesWouldOutliveTheGuard() throws Exception {
    // window: 1 s guard - 0.7 s command timeout = 300 ms; each attempt waits 1 s for the connection
    Harness h =
        new Harness(
            new CompletableFuture<>(),
            config().guardTtl(Duration.ofSeconds(1)).commandTimeout(Duration.ofMillis(700)));
    h.record(event(T0, "k1", 6, 1));
    h.record(event(T0, "k2", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(RedisNotConnectedException.class)
        .hasMessageContaining("not connected to Redis");
    eventually(() -> h.counters.failed.sum() == 2); // the flush failed with the first attempt
    assertThat(h.counters.retries.sum()).isZero();
    assertThat(h.pending.pending()).isZero();
    assertThat(h.counters.failureReasons())
        .containsOnlyKeys(
            "its retries would outlive the exactly-once guard (retry window 300 ms ="
                + " usagesink.guard-ttl minus the command timeout); last error:"
                + " RedisNotConnectedException: not connected to Redis");
  }

  @Test
  void aStrayInterruptOfTheWorkerIsATransientFailureAndTheBatchIsStoredOnceConnected()
      throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    AtomicBoolean interrupted = new AtomicBoolean();
    // the first wait for the connection is interrupted (nobody does on purpose)
    CompletableFuture<PlanWriter> ready =
        new CompletableFuture<>() {
          @Override
          public PlanWriter get(long timeout, TimeUnit unit)
              throws InterruptedException, ExecutionException, TimeoutException {
            if (interrupted.compareAndSet(false, true)) {
              Thread.currentThread().interrupt();
            }
            return super.get(timeout, unit);
          }
        };
    Harness h = new Harness(ready, config());
    h.record(event(T0, "k1", 6, 1));
    CompletionStage<Void> flushed = h.flush();
    assertThatThrownBy(() -> await(flushed)).hasCauseInstanceOf(InterruptedException.class);
    ready.complete(writer);
    await(h.flush());

    assertThat(h.counters.failed.sum()).isZero();
    assertThat(h.counters.stored.sum()).isEqualTo(1);
    assertThat(h.counters.retries.sum()).isPositive();
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6);
  }

  @Test
  void aFlushAskedWhileCloseWritesTheLastBatchCompletesWhenTheWorkerEnds() throws Exception {
    CountDownLatch[] release = {new CountDownLatch(1), new CountDownLatch(1)};
    ScriptedWriter writer = new ScriptedWriter();
    writer.beforeEachCall(() -> awaitUninterruptibly(release[writer.calls.size() - 1]));
    Harness h = new Harness(CompletableFuture.completedFuture(writer), config());
    h.record(event(T0, "k1", 6, 1));
    h.worker.requestEarlyFlush(); // batch 1 is written (and held by the writer)
    eventually(() -> writer.calls.size() == 1);
    h.record(event(T0, "k2", 6, 1)); // batch 2, cut by close
    h.worker.beginClose(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    release[0].countDown();
    eventually(() -> writer.calls.size() == 2);
    // the current generation is now the sealed, empty one close installed: nothing to write
    CompletableFuture<Void> flushed = h.flush().toCompletableFuture();
    assertThat(flushed).isNotDone();
    release[1].countDown();
    assertThat(h.worker.join(60_000)).isTrue();

    assertThat(flushed).isCompleted();
    assertThat(h.counters.stored.sum()).isEqualTo(2);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the writer");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
