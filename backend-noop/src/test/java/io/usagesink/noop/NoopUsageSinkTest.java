package io.usagesink.noop;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.testkit.contract.StoredState;
import io.usagesink.testkit.contract.UsageSinkContract;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The noop backend passes the contract, and drops everything it accepts. */
class NoopUsageSinkTest extends UsageSinkContract {

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return NoopUsageSink.create();
  }

  /** Stores nothing, so the kit checks only the stats (noop drops every event by design). */
  @Override
  protected Optional<StoredState> storedState() {
    return Optional.empty();
  }

  @Test
  void dropsEveryAcceptedEventAndSendsNothing() {
    for (int i = 0; i < 5; i++) {
      sink().record(event(keyId(), i));
    }
    assertThat(sink().stats()).isEqualTo(new SinkStats(5, 0, 0, 0, 0, 5, 0, 0, 0, 0));
  }

  @Test
  void returnsTheSameCompletedStageForEveryEvent() {
    UsageEvent e = event(keyId(), 0);
    Object first = sink().record(e);
    assertThat(first).isSameAs(sink().record(e));
    assertThat(sink().record(e).toCompletableFuture()).isCompletedWithValue(null);
  }
}
