package io.usagesink.noop;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import org.junit.jupiter.api.Test;

/**
 * The noop jar is found by the real ServiceLoader (module-info {@code provides} /
 * META-INF/services).
 */
class NoopDiscoveryTest {

  @Test
  void noopIsTheOnlyBackendOnThisClassPath() {
    assertThat(UsageSinks.availableBackends()).containsExactly("noop");
  }

  @Test
  void openByNameReturnsANoopSink() {
    try (UsageSink sink = UsageSinks.open(SinkConfig.builder().backend("noop").build())) {
      assertThat(sink).isInstanceOf(NoopUsageSink.class);
    }
  }

  @Test
  void openWithoutANameChoosesTheSingleProvider() {
    try (UsageSink sink = UsageSinks.open(SinkConfig.builder().build())) {
      assertThat(sink).isInstanceOf(NoopUsageSink.class);
    }
  }

  @Test
  void nameIsMatchedIgnoringCase() {
    try (UsageSink sink = UsageSinks.open(SinkConfig.builder().backend(" NOOP ").build())) {
      assertThat(sink).isInstanceOf(NoopUsageSink.class);
    }
  }
}
