package io.usagesink.buffered;

import static io.usagesink.redis.testing.Waits.await;
import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSinkProvider;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.buffered.internal.BufferedSinkProvider;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.UsagePlan;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The buffering logic, with an in-memory writer: merging, buckets, batches, retries, cap, close.
 */
class BufferedSinkTest {

  private static final ZoneOffset PLUS_8 = ZoneOffset.ofHours(8);
  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");
  private static final String[] MODELS = {
    "claude-sonnet-4-20250514",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "claude-3-opus:latest",
    "claude-3-haiku-20240307",
    "unknown"
  };

  private final List<BufferedSink> sinks = new ArrayList<>();
  private final UsageLayout layout = UsageLayouts.crs(config().build());

  @AfterEach
  void closeSinks() {
    sinks.forEach(BufferedSink::close);
  }

  private static SinkConfig.Builder config() {
    return SinkConfig.builder()
        .zone(PLUS_8)
        .shutdownHook(false)
        .closeTimeout(Duration.ofSeconds(10));
  }

  private BufferedSink sink(SinkConfig.Builder config, ScriptedWriter writer, ManualClock clock) {
    BufferedSink s = BufferedSink.builder(config.build()).writer(writer).clock(clock).build();
    sinks.add(s);
    return s;
  }

  private BufferedSink sink(ScriptedWriter writer) {
    return sink(config().flushInterval(Duration.ofHours(1)), writer, new ManualClock(T0));
  }

  /** The state of planning and applying every event on its own, as the per-event backends do. */
  private InMemoryRedis reference(List<UsageEvent> events) {
    InMemoryRedis r = new InMemoryRedis();
    for (UsageEvent e : events) {
      r.apply(layout.plan(e), null);
    }
    return r;
  }

  private static UsageEvent event(
      Instant at, String key, String account, String model, long in, long out) {
    return UsageEvent.builder()
        .at(at)
        .keyId(key)
        .accountId(account)
        .model(model)
        .inputTokens(in)
        .outputTokens(out)
        .build();
  }

  @Test
  void mergedBatchGivesTheStateOfPlanningEachEventAlone() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(1, 5_000, T0, Duration.ofDays(3));
    events.forEach(sink::record);
    await(sink.flush());

    assertThat(writer.calls).hasSize(1);
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    assertThat(writer.redis.ttls()).isEqualTo(reference(events).ttls());
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(5_000);
    assertThat(s.stored()).isEqualTo(5_000);
    assertThat(s.pending()).isZero();
    assertThat(s.flushes()).isEqualTo(1);
    assertThat(s.commands()).isEqualTo(1);
  }

  @Test
  void eachKeyAppearsOncePerBatchWithItsTtlOnce() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    for (int i = 0; i < 1_000; i++) {
      sink.record(event(T0.plusMillis(i), "k1", "a1", MODELS[0], 10, 1));
    }
    await(sink.flush());
    UsagePlan plan = writer.calls.get(0).plan();
    UsagePlan single = layout.plan(event(T0, "k1", "a1", MODELS[0], 10, 1));
    assertThat(plan.counters()).hasSameSizeAs(single.counters());
    assertThat(plan.expiries()).isEqualTo(single.expiries());
    assertThat(writer.redis.field("usage:k1", "totalRequests")).isEqualTo(1_000);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(10_000);
    assertThat(sink.stats().pending()).isZero();
  }

  @Test
  void eventTimeDecidesTheBucketAcrossHourDayAndMonthAtPlus8EvenWhenFlushedLate() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    ManualClock clock = new ManualClock(Instant.parse("2025-12-31T15:00:00Z"));
    BufferedSink sink = sink(config().flushInterval(Duration.ofHours(6)), writer, clock);
    List<UsageEvent> events =
        List.of(
            event(
                Instant.parse("2025-12-31T14:59:59.900Z"),
                "k1",
                "a1",
                MODELS[0],
                100,
                1), // 22:59 on Dec 31
            event(
                Instant.parse("2025-12-31T15:00:00.100Z"), "k1", "a1", MODELS[0], 200, 2), // 23:00
            event(
                Instant.parse("2025-12-31T15:59:59.999Z"),
                "k1",
                "a1",
                MODELS[0],
                400,
                4), // 23:59, last of 2025
            event(
                Instant.parse("2025-12-31T16:00:00.000Z"),
                "k1",
                "a1",
                MODELS[0],
                800,
                8)); // 00:00 Jan 1 2026
    events.forEach(sink::record);
    clock.set(Instant.parse("2026-01-01T03:00:00Z")); // flushed hours later
    await(sink.flush());

    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    assertThat(writer.redis.field("usage:hourly:k1:2025-12-31:22", "inputTokens")).isEqualTo(100);
    assertThat(writer.redis.field("usage:hourly:k1:2025-12-31:23", "inputTokens")).isEqualTo(600);
    assertThat(writer.redis.field("usage:hourly:k1:2026-01-01:00", "inputTokens")).isEqualTo(800);
    assertThat(writer.redis.field("usage:daily:k1:2025-12-31", "inputTokens")).isEqualTo(700);
    assertThat(writer.redis.field("usage:daily:k1:2026-01-01", "inputTokens")).isEqualTo(800);
    assertThat(writer.redis.field("usage:monthly:k1:2025-12", "inputTokens")).isEqualTo(700);
    assertThat(writer.redis.field("account_usage:monthly:a1:2026-01", "inputTokens"))
        .isEqualTo(800);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(1_500);
  }

  @Test
  void retriedFlushKeepsItsBatchIdAndContentAndIsAppliedOnce() throws Exception {
    // 1: fails before applying; 2: applies but the reply is lost; 3: finds it applied
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(n -> n == 1 ? Outcome.FAIL : n == 2 ? Outcome.APPLY_THEN_FAIL : Outcome.APPLY);
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(2, 500, T0, Duration.ofHours(5));
    events.forEach(sink::record);
    CompletionStage<Void> firstFlush = sink.flush();
    assertThatThrownBy(() -> await(firstFlush))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("scripted failure before applying");
    eventually(() -> sink.stats().stored() == 500);

    assertThat(writer.calls).hasSize(3);
    assertThat(writer.calls.stream().map(ScriptedWriter.Call::guardId).distinct()).hasSize(1);
    assertThat(writer.calls.stream().map(ScriptedWriter.Call::plan).distinct()).hasSize(1);
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    SinkStats s = sink.stats();
    assertThat(s.retries()).isEqualTo(2);
    assertThat(s.flushes()).isEqualTo(1);
    assertThat(s.failed()).isZero();
    assertThat(s.pending()).isZero();
  }

  @Test
  void eventsRecordedWhileABatchFailsGoIntoTheNextBatch() throws Exception {
    CountDownLatch recover = new CountDownLatch(1);
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> recover.getCount() > 0 ? Outcome.FAIL : Outcome.APPLY);
    BufferedSink sink = sink(writer);
    List<UsageEvent> first = Workloads.random(3, 300, T0, Duration.ofHours(1));
    List<UsageEvent> second = Workloads.random(4, 300, T0, Duration.ofHours(1));
    first.forEach(sink::record);
    sink.flush();
    eventually(() -> writer.calls.size() >= 2); // batch 1 is failing and retried
    second.forEach(sink::record);
    CompletionStage<Void> later = sink.flush(); // fails while batch 1 fails; the data stays pending
    eventually(() -> later.toCompletableFuture().isCompletedExceptionally());
    recover.countDown();
    eventually(() -> sink.stats().stored() == 300);
    await(sink.flush());

    List<String> ids =
        writer.calls.stream()
            .map(ScriptedWriter.Call::guardId)
            .distinct()
            .collect(Collectors.toList());
    assertThat(ids).hasSize(2);
    List<UsageEvent> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(writer.redis.hashes()).isEqualTo(reference(all).hashes());
    long keyRequests = 0;
    for (int k = 0; k < 6; k++) {
      keyRequests += writer.redis.field("usage:k" + k, "totalRequests");
    }
    assertThat(keyRequests).isEqualTo(all.stream().filter(e -> e.keyId() != null).count());
    assertThat(writer.maxInFlight.get()).isEqualTo(1);
    assertThat(sink.stats().stored()).isEqualTo(600);
  }

  @Test
  void aFlushInProgressIsNotStartedTwiceAndALaterFlushCoversWhatCameBefore() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean firstCall = new AtomicBoolean(true);
    ScriptedWriter writer =
        new ScriptedWriter()
            .beforeEachCall(
                () -> {
                  if (firstCall.getAndSet(false)) {
                    entered.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    BufferedSink sink = sink(writer);
    sink.record(event(T0, "k1", null, MODELS[0], 1, 1));
    CompletionStage<Void> f1 = sink.flush();
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
    sink.record(event(T0, "k1", null, MODELS[0], 2, 2));
    CompletionStage<Void> f2 = sink.flush();
    CompletionStage<Void> f3 = sink.flush();
    assertThat(f1.toCompletableFuture().isDone()).isFalse();
    assertThat(f2.toCompletableFuture().isDone()).isFalse();
    release.countDown();
    await(f1);
    await(f2);
    await(f3);

    assertThat(writer.maxInFlight.get()).isEqualTo(1);
    assertThat(writer.calls).hasSize(2); // f2 and f3 share the second batch
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(3);
  }

  @Test
  void flushWithNothingPendingCompletesWithoutWriting() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    await(sink.flush());
    assertThat(writer.calls).isEmpty();
    assertThat(sink.stats().flushes()).isZero();
  }

  @Test
  void atTheCapTheColdestCountersAreWrittenEarlyAndNothingIsDropped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ScriptedWriter writer =
        new ScriptedWriter()
            .beforeEachCall(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    BufferedSink sink =
        sink(
            config().flushInterval(Duration.ofHours(1)).maxPendingCounters(2),
            writer,
            new ManualClock(T0));
    await(sink.record(event(T0, "k1", null, MODELS[0], 1, 0)));
    eventually(
        () ->
            writer.calls.size()
                == 1); // threshold (1) reached: an early flush is blocked in the writer
    List<CompletionStage<Void>> stages = new ArrayList<>();
    for (int k = 2; k <= 9; k++) { // 8 new counters in the next generation, whose cache holds 2
      stages.add(sink.record(event(T0, "k" + k, null, MODELS[0], k, 0)));
    }
    stages.add(sink.record(event(T0, "k2", null, MODELS[0], 5, 0)));
    for (CompletionStage<Void> s : stages) {
      await(s);
    }
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(10);
    assertThat(s.dropped()).isZero();
    // the batch in flight and every counter of the next one, evicted or not (k2 twice if it was
    // evicted)
    assertThat(s.pending()).isBetween(9L, 10L);
    assertThat(sink.evictedCounters()).isPositive();
    release.countDown();
    await(sink.flush());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(1);
    assertThat(writer.redis.field("usage:k2", "totalInputTokens")).isEqualTo(7);
    for (int k = 3; k <= 9; k++) {
      assertThat(writer.redis.field("usage:k" + k, "totalInputTokens")).as("k%d", k).isEqualTo(k);
    }
    s = sink.stats();
    assertThat(s.stored()).isEqualTo(10);
    assertThat(s.pending()).isZero();
  }

  @Test
  void closeStoresEverythingPendingAndLaterRecordsAreRejected() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    List<UsageEvent> events = Workloads.random(5, 2_000, T0, Duration.ofDays(1));
    events.forEach(sink::record);
    sink.close();
    sink.close(); // once

    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    CompletionStage<Void> late = sink.record(events.get(0));
    assertThatThrownBy(() -> await(late))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    await(sink.flush());
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(2_000);
    assertThat(s.stored()).isEqualTo(2_000);
    assertThat(s.rejected()).isEqualTo(1);
    assertThat(s.pending()).isZero();
  }

  @Test
  void closeGivesUpAtItsDeadlineAndCountsWhatCouldNotBeStored() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.FAIL);
    BufferedSink sink =
        sink(
            config().flushInterval(Duration.ofHours(1)).closeTimeout(Duration.ofMillis(500)),
            writer,
            new ManualClock(T0));
    Workloads.random(6, 100, T0, Duration.ofHours(1)).forEach(sink::record);
    sink.close();

    SinkStats s = sink.stats();
    assertThat(s.failed()).isEqualTo(100);
    assertThat(s.stored()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(writer.calls).isNotEmpty();
    assertThat(writer.redis.hashes()).isEmpty();
  }

  @Test
  void aBatchIsGivenUpWhenItsRetriesWouldOutliveTheGuard() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> down.get() ? Outcome.FAIL : Outcome.APPLY);
    BufferedSink sink =
        sink(
            config()
                .flushInterval(Duration.ofHours(1))
                .guardTtl(Duration.ofSeconds(1))
                .commandTimeout(Duration.ofMillis(700)),
            writer,
            new ManualClock(T0));
    sink.record(event(T0, "k1", null, MODELS[0], 1, 0));
    sink.flush();
    eventually(() -> sink.stats().failed() == 1); // window: 1 s guard - 0.7 s command timeout
    down.set(false);
    sink.record(event(T0, "k1", null, MODELS[0], 2, 0));
    await(sink.flush());

    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(2);
    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.pending()).isZero();
  }

  @Test
  void aWriterThatThrowsDoesNotStopTheWorker() throws Exception {
    ScriptedWriter writer =
        new ScriptedWriter().script(n -> n <= 2 ? Outcome.THROW : Outcome.APPLY);
    BufferedSink sink = sink(writer);
    sink.record(event(T0, "k1", null, MODELS[0], 7, 0));
    sink.flush();
    eventually(() -> sink.stats().stored() == 1);
    sink.record(event(T0, "k1", null, MODELS[0], 1, 0));
    await(sink.flush());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(8);
    assertThat(sink.stats().retries()).isEqualTo(2);
  }

  @Test
  void theIntervalOnTheInjectedClockCutsBatchesFromRecord() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink = sink(config().flushInterval(Duration.ofSeconds(1)), writer, clock);
    sink.record(event(T0, "k1", null, MODELS[0], 1, 0));
    sink.record(event(T0, "k1", null, MODELS[0], 2, 0));
    clock.advance(Duration.ofMillis(1_500));
    sink.record(
        event(T0.plusMillis(1_500), "k1", null, MODELS[0], 4, 0)); // due: cuts before merging
    eventually(() -> writer.calls.size() == 1);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(3);

    clock.advance(Duration.ofSeconds(1)); // no event: the worker reads the clock itself
    eventually(() -> writer.calls.size() == 2);
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(7);
  }

  @Test
  void withAnEventClockEveryIntervalIsItsOwnBatchHoweverFastEventsArrive() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().beforeEachCall(() -> sleep(20)); // a slow Redis
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink = sink(config().flushInterval(Duration.ofSeconds(60)), writer, clock);
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) { // two events per simulated minute, replayed at full speed
      for (int j = 0; j < 2; j++) {
        Instant at = T0.plusSeconds(60L * i + 20L * j + 1);
        clock.set(at);
        UsageEvent e = event(at, "k1", "a1", MODELS[0], 10, 1);
        events.add(e);
        sink.record(e);
      }
    }
    await(sink.flush());
    assertThat(writer.calls).hasSize(10);
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
  }

  /**
   * 8 threads record a fixed number of events while a thread flushes in a loop. Whatever the
   * scheduling, batches are cut while threads record: every thread stops at half its events until a
   * flush of the first halves completed (a latch, not a timing), then records the rest.
   */
  @Test
  void concurrentRecordsRacingFlushesGiveExactTotals() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    int threads = 8;
    int perThread = 20_000;
    CountDownLatch halfway = new CountDownLatch(threads);
    CountDownLatch flushedMidway = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    AtomicBoolean recording = new AtomicBoolean(true);
    long flushesMidway;
    try {
      Future<?> flusher =
          pool.submit(
              () -> {
                while (recording.get()) {
                  sink.flush();
                  Thread.yield();
                }
              });
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    if (i == perThread / 2) {
                      halfway.countDown();
                      assertThat(flushedMidway.await(60, TimeUnit.SECONDS))
                          .as("midway flush done within 60 s")
                          .isTrue();
                    }
                    // a few hot counters shared by all threads, and per-thread ones across minutes
                    String key = i % 2 == 0 ? "hot" + (i % 3) : "t" + thread;
                    sink.record(
                        event(T0.plusSeconds(i % 600), key, "a" + (i % 2), MODELS[i % 2], 3, 1));
                  }
                  return null;
                }));
      }
      assertThat(halfway.await(60, TimeUnit.SECONDS))
          .as("every thread halfway within 60 s")
          .isTrue();
      await(sink.flush()); // stores every first half (or the looping flusher already did)
      flushesMidway = sink.stats().flushes();
      assertThat(sink.stats().stored())
          .as("stored midway")
          .isEqualTo((long) threads * (perThread / 2));
      flushedMidway.countDown();
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
      recording.set(false);
      flusher.get(60, TimeUnit.SECONDS);
    } finally {
      flushedMidway.countDown();
      pool.shutdownNow();
    }
    await(sink.flush());

    long total = (long) threads * perThread;
    long keyRequests = 0;
    for (String key :
        List.of("hot0", "hot1", "hot2", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7")) {
      keyRequests += writer.redis.field("usage:" + key, "totalRequests");
    }
    assertThat(keyRequests).isEqualTo(total);
    assertThat(
            writer.redis.field("account_usage:a0", "totalInputTokens")
                + writer.redis.field("account_usage:a1", "totalInputTokens"))
        .isEqualTo(3 * total);
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(total);
    assertThat(s.stored()).isEqualTo(total);
    assertThat(s.pending()).isZero();
    assertThat(flushesMidway)
        .as("batches written before the second halves were recorded")
        .isPositive();
    assertThat(s.flushes())
        .as("batches: at least one more for the second halves")
        .isGreaterThan(flushesMidway);
    assertThat(writer.maxInFlight.get()).isEqualTo(1);
  }

  @Test
  void anEventThatWouldOverflowAPendingSumIsRejectedAndNothingOfItIsWritten() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    long big = Accumulator.LIMIT - 5;
    await(sink.record(event(T0, "k1", null, MODELS[0], big, 0)));
    CompletionStage<Void> over = sink.record(event(T0, "k1", null, MODELS[0], 10, 3));
    assertThatThrownBy(() -> await(over))
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("would exceed");
    await(sink.flush());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(big);
    assertThat(writer.redis.field("usage:k1", "totalOutputTokens")).isZero();
    assertThat(writer.redis.field("usage:k1", "totalRequests")).isEqualTo(1);
    assertThat(sink.stats().rejected()).isEqualTo(1);
  }

  @Test
  void aPoisonedKeyFailsOnlyTheEventsThatTouchItNamesItAndIsNotRetried() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    writer.redis.poison("usage:k1");
    BufferedSink sink = sink(writer);
    for (int i = 0; i < 3; i++) {
      sink.record(event(T0, "k0", "a1", MODELS[0], 10, 1));
    }
    sink.record(event(T0, "k1", "a1", MODELS[0], 100, 1));
    sink.record(event(T0, "k1", "a1", MODELS[0], 100, 1));
    CompletionStage<Void> flushed = sink.flush();
    assertThatThrownBy(() -> await(flushed))
        .hasCauseInstanceOf(io.usagesink.redis.PoisonedKeysException.class)
        .hasMessageContaining("usage:k1");

    assertThat(writer.calls).as("a poisoned key is not retried").hasSize(1);
    SinkStats s = sink.stats();
    assertThat(s.stored()).isEqualTo(3);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.retries()).isZero();
    assertThat(s.pending()).isZero();
    assertThat(sink.failureReasons())
        .containsOnlyKeys(
            "usage:k1: WRONGTYPE Operation against a key holding the wrong kind of value");
    assertThat(sink.failureReasons()).containsValue(2L);
    // every other update of the batch was applied exactly once, the failed events' other keys
    // included
    assertThat(writer.redis.field("usage:k0", "totalInputTokens")).isEqualTo(30);
    assertThat(writer.redis.field("usage:k0", "totalRequests")).isEqualTo(3);
    assertThat(writer.redis.field("account_usage:a1", "totalInputTokens")).isEqualTo(230);
    assertThat(writer.redis.field("usage:k1", "totalRequests")).isZero();
  }

  @Test
  void pendingSumsUpToTheLargestRedisCounterAreAccepted() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    long threeEighths = 3L << 60; // 3 * 2^60: above 2^61, where the old cap refused, far below 2^63
    await(sink.record(event(T0, "k1", null, MODELS[0], threeEighths, 0)));
    await(sink.record(event(T0, "k1", null, MODELS[0], threeEighths, 0)));
    await(sink.flush());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(6917529027641081856L);
    assertThat(writer.redis.field("usage:k1", "totalRequests")).isEqualTo(2);
    assertThat(sink.stats().rejected()).isZero();
  }

  @Test
  void anEventWhoseAllTokenTotalWouldOverflowIsRejected() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink = sink(writer);
    await(sink.record(event(T0, "k1", null, MODELS[0], Long.MAX_VALUE - 100, 0)));
    // the output sum alone fits, but input + output of the pending sums would pass Long.MAX_VALUE
    CompletionStage<Void> over = sink.record(event(T0, "k1", null, MODELS[0], 0, 101));
    assertThatThrownBy(() -> await(over))
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all-token total");
    await(sink.flush());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(Long.MAX_VALUE - 100);
    assertThat(writer.redis.field("usage:k1", "totalOutputTokens")).isZero();
    assertThat(sink.stats().rejected()).isEqualTo(1);
    assertThat(sink.stats().stored()).isEqualTo(1);
  }

  @Test
  void theProviderIsFoundAsBufferedWithPriority30() {
    List<UsageSinkProvider> found =
        ServiceLoader.load(UsageSinkProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p instanceof BufferedSinkProvider)
            .collect(Collectors.toList());
    assertThat(found).hasSize(1);
    assertThat(found.get(0).name()).isEqualTo("buffered");
    assertThat(found.get(0).priority()).isEqualTo(30);
  }

  @Test
  void nullEventIsRefusedWithNullPointerException() {
    BufferedSink sink = sink(new ScriptedWriter());
    assertThatThrownBy(() -> sink.record(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("event");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
