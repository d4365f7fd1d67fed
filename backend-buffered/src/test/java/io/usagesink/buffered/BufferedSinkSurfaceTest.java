package io.usagesink.buffered;

import static io.usagesink.redis.testing.Waits.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.ScriptedWriter.Outcome;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.connect.RedisConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's surface around recording: what it says about itself (toString, gauges, journal
 * figures), the writer it builds for itself from the configuration, a close whose caller is
 * interrupted, and the interval boundary on a clock that may jump.
 */
class BufferedSinkSurfaceTest {

  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  @TempDir Path dir;

  private final List<BufferedSink> sinks = new ArrayList<>();

  @AfterEach
  void closeSinks() {
    sinks.forEach(BufferedSink::close);
  }

  private static SinkConfig.Builder config() {
    return SinkConfig.builder()
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .closeTimeout(Duration.ofSeconds(10))
        .flushInterval(Duration.ofHours(1));
  }

  private BufferedSink keep(BufferedSink s) {
    sinks.add(s);
    return s;
  }

  private static UsageEvent event(Instant at, String key, long in) {
    return UsageEvent.builder().at(at).keyId(key).model("m").inputTokens(in).build();
  }

  @Test
  void withoutAJournalThereAreNoJournalFiguresAndToStringSaysWhatTheSinkIs() {
    BufferedSink sink =
        keep(
            BufferedSink.builder(config().build())
                .writer(new ScriptedWriter())
                .clock(new ManualClock(T0))
                .build());
    assertThat(sink.journalStats()).isEmpty();
    assertThat(sink.gauges()).isEmpty();
    assertThat(sink.toString())
        .startsWith("BufferedSink{usagesink-buffered-")
        .contains("layout=", "flushInterval=PT1H", "writer=scripted")
        .doesNotContain("journal=")
        .endsWith("}");
  }

  @Test
  void withAJournalToStringNamesItsDirectoryAndTheGaugesItsDiskUse() {
    BufferedSink sink =
        keep(
            BufferedSink.builder(config().build())
                .writer(new ScriptedWriter())
                .clock(new ManualClock(T0))
                .journal(
                    JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10))
                .build());
    assertThat(sink.toString()).contains("writer=scripted, journal=" + dir.toAbsolutePath() + "}");
    assertThat(sink.journalStats()).isPresent();
    long segments = sink.journalStats().get().segments();
    assertThat(sink.gauges())
        .containsEntry(BufferedSink.JOURNAL_SEGMENTS, segments)
        .containsEntry(BufferedSink.JOURNAL_BYTES, segments * (64 << 10));
  }

  @Test
  void withoutAnInjectedWriterTheSinkBuildsTheLuaWriterByDefault() {
    // nothing listens on port 1: the sink connects in the background and nothing is written
    assertThat(keep(BufferedSink.builder(config().redisUri("redis://127.0.0.1:1").build()).build()))
        .asString()
        .contains("writer=lua");
  }

  @Test
  void withoutAnInjectedWriterTheSinkBuildsTheWriterTheConfigurationNames() {
    SinkConfig.Builder unreachable = config().redisUri("redis://127.0.0.1:1");
    assertThat(keep(BufferedSink.builder(unreachable.bufferedWriter("pipeline").build()).build()))
        .asString()
        .contains("writer=pipeline");
    assertThat(
            keep(
                BufferedSink.builder(
                        unreachable.property(UsageLayouts.LAYOUT_PROPERTY, "compact").build())
                    .build()))
        .asString()
        .contains("writer=compact");
  }

  @Test
  void anInterruptedCloseGivesPendingDataUpAtOnceAndKeepsTheInterrupt() throws Exception {
    ScriptedWriter writer = new ScriptedWriter().script(n -> Outcome.NO_REPLY);
    BufferedSink sink =
        keep(
            // a real writer fails an unanswered write at its command timeout; the worker's own
            // wait for it is 3 x that + 1 s: kept short here
            BufferedSink.builder(
                    config()
                        .closeTimeout(Duration.ofHours(1))
                        .commandTimeout(Duration.ofMillis(20))
                        .build())
                .writer(writer)
                .clock(new ManualClock(T0))
                .build());
    sink.record(event(T0, "k1", 1));
    sink.record(event(T0, "k2", 1));
    sink.flush();
    eventually(() -> writer.calls.size() == 1); // the write is in flight, never answered
    Thread.currentThread().interrupt();
    try {
      sink.close();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    // long before the hour's deadline
    eventually(() -> sink.stats().failed() == 2 && sink.stats().pending() == 0);
  }

  @Test
  void anEventAtExactlyTheIntervalsEndOpensTheNextBatch() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    ManualClock clock = new ManualClock(T0);
    BufferedSink sink =
        keep(
            BufferedSink.builder(config().flushInterval(Duration.ofSeconds(1)).build())
                .writer(writer)
                .clock(clock)
                .build());
    sink.record(event(T0, "k1", 1));
    clock.set(T0.plusSeconds(1)); // the deadline itself: the interval is over
    sink.record(event(T0.plusSeconds(1), "k1", 2));
    sink.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(writer.calls).hasSize(2);
    assertThat(writer.calls.get(0).plan().counters())
        .anySatisfy(
            c -> {
              assertThat(c.key()).isEqualTo("usage:k1");
              assertThat(c.field()).isEqualTo("totalInputTokens");
              assertThat(c.delta()).isEqualTo(1);
            });
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(3);
  }

  /**
   * close() returns once every event is counted, also when the worker counts them after the close
   * timeout, its margin and the wait for the worker to end: here a write that blocks 5 s past a 300
   * ms timeout (the margin is 1 s, the wait for the worker's end at least 2 s).
   */
  @Test
  void closeWaitsPastItsTimeoutUntilTheWorkerHasCountedEveryEvent() {
    ScriptedWriter writer =
        new ScriptedWriter()
            .script(
                n -> {
                  // the worker is stuck in a write that answers long after the close deadline
                  LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
                  return Outcome.FAIL;
                });
    BufferedSink sink =
        keep(
            BufferedSink.builder(config().closeTimeout(Duration.ofMillis(300)).build())
                .writer(writer)
                .clock(new ManualClock(T0))
                .build());
    for (int i = 0; i < 5; i++) {
      sink.record(event(T0, "k" + i, 1));
    }
    sink.close();

    assertThat(sink.stats().pending()).as("counted before close returned").isZero();
    assertThat(sink.stats().failed()).isEqualTo(5);
  }

  /** The CRS layout's frugal writes (usagesink.crs.*) apply to what the buffered sink writes. */
  @Test
  void frugalCrsWritesLeaveZeroIncrementsOut() throws Exception {
    ScriptedWriter writer = new ScriptedWriter();
    BufferedSink sink =
        keep(
            BufferedSink.builder(config().property("usagesink.crs.skip-zero", "true").build())
                .writer(writer)
                .clock(new ManualClock(T0))
                .build());
    sink.record(event(T0, "k1", 5)); // input tokens only: output, cache and cost are 0
    sink.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(writer.calls).hasSize(1);
    assertThat(writer.calls.get(0).plan().counters())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.delta()).as("%s %s", c.key(), c.field()).isNotZero());
    assertThat(writer.redis.field("usage:k1", "totalInputTokens")).isEqualTo(5);
  }

  private JournalConfig journal() {
    return JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10);
  }

  @Test
  void aBuildThatFailsAfterOpeningTheJournalReleasesItAndThrowsTheCause() {
    SinkConfig refusing =
        config()
            .redisUri("redis://127.0.0.1:1")
            .property(RedisConnector.CONNECT_PROPERTY, "fail")
            .build();
    assertThatThrownBy(() -> BufferedSink.builder(refusing).journal(journal()).build())
        .isInstanceOf(RedisConnectFailedException.class);
    assertThatThrownBy(() -> BufferedSink.builder(refusing).build())
        .as("without a journal too")
        .isInstanceOf(RedisConnectFailedException.class);
    // the journal's lock was released: another sink opens on the directory
    assertThat(
            keep(
                BufferedSink.builder(config().build())
                    .writer(new ScriptedWriter())
                    .clock(new ManualClock(T0))
                    .journal(journal())
                    .build()))
        .asString()
        .contains("journal=" + dir.toAbsolutePath());
  }

  @Test
  void theCompactLayoutWithAJournalBuildsItsOwnCompactWriterButRefusesAnInjectedLayout() {
    SinkConfig compact =
        config()
            .redisUri("redis://127.0.0.1:1")
            .property(UsageLayouts.LAYOUT_PROPERTY, "compact")
            .build();
    assertThatThrownBy(
            () ->
                BufferedSink.builder(compact)
                    .layout(UsageLayouts.compact(compact))
                    .journal(journal())
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("usagesink.layout=compact and an injected writer or layout");
    // a CRS layout injected into a compact configuration is not the compact layout: journaled
    BufferedSink crs =
        keep(
            BufferedSink.builder(compact)
                .writer(new ScriptedWriter())
                .layout(UsageLayouts.crs(compact))
                .journal(journal())
                .build());
    assertThat(crs.journalStats()).isPresent();
    crs.close();
    assertThat(keep(BufferedSink.builder(compact).journal(journal()).build()))
        .asString()
        .contains("writer=compact", "journal=" + dir.toAbsolutePath());
  }

  @Test
  void aJournalOfNullOnTheBuilderOverridesTheConfiguredJournalDirectory() {
    BufferedSink sink =
        keep(
            BufferedSink.builder(
                    config().property("usagesink.buffered.journal-dir", dir.toString()).build())
                .writer(new ScriptedWriter())
                .journal(null)
                .build());
    assertThat(sink.journalStats()).isEmpty();
    assertThat(sink.gauges()).isEmpty();
  }
}
