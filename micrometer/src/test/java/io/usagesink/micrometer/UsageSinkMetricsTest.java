package io.usagesink.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UsageSinkMetricsTest {

  /** A sink that never touches Redis: its stats are whatever the test sets. */
  static class FakeSink implements UsageSink {
    final AtomicReference<SinkStats> stats = new AtomicReference<>(SinkStats.EMPTY);
    final AtomicInteger statsCalls = new AtomicInteger();

    @Override
    public CompletionStage<Void> record(UsageEvent event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}

    @Override
    public SinkStats stats() {
      statsCalls.incrementAndGet();
      return stats.get();
    }
  }

  private final FakeSink sink = new FakeSink();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double events(String outcome) {
    return registry.get(UsageSinkMetrics.EVENTS).tag("outcome", outcome).functionCounter().count();
  }

  @Test
  void theSinksOwnGaugesSuchAsTheJournalsDiskUseArePublishedTaggedWithTheBackend() {
    AtomicReference<java.util.Map<String, Long>> gauges =
        new AtomicReference<>(java.util.Map.of("journal.bytes", 4096L, "journal.segments", 2L));
    FakeSink journaled =
        new FakeSink() {
          @Override
          public java.util.Map<String, Long> gauges() {
            return gauges.get();
          }
        };
    new UsageSinkMetrics(journaled, "buffered").bindTo(registry);
    Gauge bytes = registry.get(UsageSinkMetrics.JOURNAL_BYTES).tag("backend", "buffered").gauge();
    assertThat(bytes.value()).isEqualTo(4096);
    assertThat(bytes.getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(registry.get("usagesink.journal.segments").gauge().value()).isEqualTo(2);
    gauges.set(java.util.Map.of("journal.bytes", 8192L, "journal.segments", 3L));
    assertThat(bytes.value()).isEqualTo(8192);
  }

  @Test
  void aSinkWithoutGaugesGetsNoJournalMeter() {
    new UsageSinkMetrics(sink, "redis-lua").bindTo(registry);
    assertThat(registry.find(UsageSinkMetrics.JOURNAL_BYTES).gauge()).isNull();
  }

  @Test
  void everyMeterReadsItsStatsCounterWhenSampled() {
    new UsageSinkMetrics(sink, "redis-lua").bindTo(registry);
    sink.stats.set(new SinkStats(10, 1, 7, 2, 3, 4, 50, 20, 6, 5, 8));

    assertThat(events("recorded")).isEqualTo(10);
    assertThat(events("rejected")).isEqualTo(1);
    assertThat(events("stored")).isEqualTo(7);
    assertThat(events("failed")).isEqualTo(3);
    assertThat(events("dropped")).isEqualTo(4);
    assertThat(events("deferred")).isEqualTo(8);
    assertThat(registry.get(UsageSinkMetrics.PENDING).gauge().value()).isEqualTo(2);
    assertThat(registry.get(UsageSinkMetrics.COMMANDS).functionCounter().count()).isEqualTo(50);
    assertThat(registry.get(UsageSinkMetrics.ROUND_TRIPS).functionCounter().count()).isEqualTo(20);
    assertThat(registry.get(UsageSinkMetrics.FLUSHES).functionCounter().count()).isEqualTo(6);
    assertThat(registry.get(UsageSinkMetrics.RETRIES).functionCounter().count()).isEqualTo(5);

    sink.stats.set(new SinkStats(12, 1, 12, 0, 3, 4, 55, 21, 7, 5));
    assertThat(events("recorded")).isEqualTo(12);
    assertThat(registry.get(UsageSinkMetrics.PENDING).gauge().value()).isZero();
  }

  @Test
  void bindingReadsNothingUntilARegistrySamples() {
    new UsageSinkMetrics(sink, "noop").bindTo(registry);
    assertThat(sink.statsCalls).hasValue(0);
    events("stored");
    assertThat(sink.statsCalls).hasValue(1);
  }

  @Test
  void everyMeterIsTaggedWithTheBackendAndTheUserTags() {
    new UsageSinkMetrics(sink, " buffered ", Tags.of("app", "gateway")).bindTo(registry);

    assertThat(registry.getMeters())
        .hasSize(11)
        .allSatisfy(
            m -> {
              assertThat(m.getId().getTag("backend")).isEqualTo("buffered");
              assertThat(m.getId().getTag("app")).isEqualTo("gateway");
            });
    assertThat(registry.getMeters())
        .filteredOn(m -> m.getId().getName().equals(UsageSinkMetrics.EVENTS))
        .extracting(m -> m.getId().getTag("outcome"))
        .containsExactlyInAnyOrder(
            "recorded", "stored", "failed", "dropped", "deferred", "rejected");
    assertThat(registry.getMeters())
        .extracting(m -> m.getId().getType())
        .containsOnly(Meter.Type.COUNTER, Meter.Type.GAUGE);
    assertThat(registry.find(UsageSinkMetrics.PENDING).meter()).isInstanceOf(Gauge.class);
    assertThat(registry.find(UsageSinkMetrics.FLUSHES).meter()).isInstanceOf(FunctionCounter.class);
  }

  @Test
  void twoSinksWithDifferentBackendsHaveTheirOwnMeters() {
    FakeSink other = new FakeSink();
    new UsageSinkMetrics(sink, "redis-lua").bindTo(registry);
    new UsageSinkMetrics(other, "buffered").bindTo(registry);
    sink.stats.set(new SinkStats(3, 0, 3, 0, 0, 0, 3, 3, 0, 0));
    other.stats.set(new SinkStats(9, 0, 0, 9, 0, 0, 0, 0, 0, 0));

    assertThat(
            registry
                .get(UsageSinkMetrics.EVENTS)
                .tags("backend", "redis-lua", "outcome", "recorded")
                .functionCounter()
                .count())
        .isEqualTo(3);
    assertThat(
            registry
                .get(UsageSinkMetrics.EVENTS)
                .tags("backend", "buffered", "outcome", "recorded")
                .functionCounter()
                .count())
        .isEqualTo(9);
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> new UsageSinkMetrics(null, "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sink");
    assertThatThrownBy(() -> new UsageSinkMetrics(sink, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("backend");
    assertThatThrownBy(() -> new UsageSinkMetrics(sink, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backend must be a non-blank name like redis-lua but was \" \"");
    assertThatThrownBy(() -> new UsageSinkMetrics(sink, "noop", Tags.of("outcome", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tags must not contain the tag outcome (set by UsageSinkMetrics) but had outcome=x");
  }
}
