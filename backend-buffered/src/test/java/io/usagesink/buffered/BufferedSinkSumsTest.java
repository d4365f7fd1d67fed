package io.usagesink.buffered;

import static io.usagesink.redis.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pending sums of the buffered sink, measure by measure: every measure of an event is summed,
 * and an event refused because one sum would pass the largest Redis counter leaves no trace in any
 * other sum, and the key it touched keeps accepting events.
 */
class BufferedSinkSumsTest {

  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");
  private static final long MAX = Long.MAX_VALUE;

  private final SinkConfig config =
      SinkConfig.builder()
          .zone(ZoneOffset.ofHours(8))
          .shutdownHook(false)
          .flushInterval(Duration.ofHours(1))
          .closeTimeout(Duration.ofSeconds(10))
          .build();
  private final UsageLayout layout = UsageLayouts.crs(config);
  private final ScriptedWriter writer = new ScriptedWriter();
  private final BufferedSink sink =
      BufferedSink.builder(config).writer(writer).clock(new ManualClock(T0)).build();

  @AfterEach
  void close() {
    sink.close();
  }

  private static UsageEvent.Builder event() {
    return UsageEvent.builder()
        .at(T0)
        .keyId("k1")
        .accountId("a1")
        .model("claude-sonnet-4-20250514");
  }

  /** Every measure non-zero, a long-context request. */
  private static UsageEvent.Builder full() {
    return event()
        .inputTokens(10)
        .outputTokens(20)
        .cacheCreateTokens(30)
        .cacheReadTokens(40)
        .ephemeral5mTokens(5)
        .ephemeral1hTokens(6)
        .longContext(true)
        .realCostMicros(7)
        .ratedCostMicros(8);
  }

  private InMemoryRedis reference(List<UsageEvent> events) {
    InMemoryRedis r = new InMemoryRedis();
    events.forEach(e -> r.apply(layout.plan(e), null));
    return r;
  }

  @Test
  void everyMeasureOfEveryEventIsSummed() throws Exception {
    List<UsageEvent> events =
        List.of(
            full().build(),
            full().longContext(false).inputTokens(1).build(),
            event().outputTokens(3).build(),
            full().build());
    for (UsageEvent e : events) {
      await(sink.record(e));
    }
    await(sink.flush());
    assertThat(writer.redis.hashes()).isEqualTo(reference(events).hashes());
    assertThat(writer.redis.field("usage:k1", "totalLongContextRequests")).isEqualTo(2);
    assertThat(writer.redis.field("usage:k1", "totalEphemeral1hTokens")).isEqualTo(18);
  }

  @Test
  void anEventRefusedForAnyOneSumLeavesEveryOtherSumAsItWas() throws Exception {
    UsageEvent first = full().build();
    await(sink.record(first));
    // each event pushes exactly one sum past the largest counter; its other measures are small and
    // non-zero
    List<UnaryOperator<UsageEvent.Builder>> overflows =
        List.of(
            b -> b.inputTokens(MAX - 9).outputTokens(1).cacheCreateTokens(1).cacheReadTokens(1),
            b -> b.outputTokens(MAX - 19).inputTokens(1).cacheCreateTokens(1).cacheReadTokens(1),
            b -> b.cacheCreateTokens(MAX - 29).inputTokens(1).outputTokens(1).cacheReadTokens(1),
            b -> b.cacheReadTokens(MAX - 39).inputTokens(1).outputTokens(1).cacheCreateTokens(1),
            b -> b.ephemeral5mTokens(MAX - 4),
            b -> b.ephemeral1hTokens(MAX - 5),
            b -> b.realCostMicros(MAX - 6),
            b -> b.ratedCostMicros(MAX - 7),
            // no single sum passes, but the all-token total of the sums does
            b ->
                b.inputTokens(MAX / 2)
                    .outputTokens(MAX / 2 - 100)
                    .cacheCreateTokens(1)
                    .cacheReadTokens(1));
    for (UnaryOperator<UsageEvent.Builder> overflow : overflows) {
      for (boolean longContext : new boolean[] {true, false}) {
        UsageEvent e = overflow.apply(full().longContext(longContext)).build();
        CompletionStage<Void> refused = sink.record(e);
        assertThatThrownBy(() -> await(refused))
            .as("%s", e)
            .hasCauseInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("would exceed 9223372036854775807");
      }
    }
    UsageEvent last = full().longContext(false).build();
    await(sink.record(last));
    await(sink.flush());

    assertThat(writer.redis.hashes()).isEqualTo(reference(List.of(first, last)).hashes());
    SinkStats s = sink.stats();
    assertThat(s.rejected()).isEqualTo(2L * overflows.size());
    assertThat(s.recorded()).isEqualTo(2);
    assertThat(s.stored()).isEqualTo(2);
    assertThat(s.pending()).isZero();
  }
}
