package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.usagesink.layout.StatsPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The typed configuration: defaults, builder validation, equality. */
class SinkConfigTest {

  @Test
  void defaultsAreTheDocumentedConstants() {
    SinkConfig c = SinkConfig.builder().build();
    assertThat(c.backend()).isEmpty();
    assertThat(c.redisUri()).isEmpty();
    assertThat(c.redisCluster()).isEmpty();
    assertThat(c.zone()).hasToString(SinkConfig.DEFAULT_ZONE);
    assertThat(c.metricsWindow()).isEqualTo(SinkConfig.DEFAULT_METRICS_WINDOW);
    assertThat(c.statsPolicy()).isEqualTo(StatsPolicy.ALL);
    assertThat(c.keyPrefix()).isEqualTo(SinkConfig.DEFAULT_KEY_PREFIX);
    assertThat(c.closeTimeout()).isEqualTo(SinkConfig.DEFAULT_CLOSE_TIMEOUT);
    assertThat(c.commandTimeout()).isEqualTo(SinkConfig.DEFAULT_COMMAND_TIMEOUT);
    assertThat(c.guardTtl()).isEqualTo(SinkConfig.DEFAULT_GUARD_TTL);
    assertThat(c.flushInterval()).isEqualTo(SinkConfig.DEFAULT_FLUSH_INTERVAL);
    assertThat(c.maxPendingCounters()).isEqualTo(SinkConfig.DEFAULT_MAX_PENDING_COUNTERS);
    assertThat(c.bufferedWriter()).isEqualTo(SinkConfig.DEFAULT_BUFFERED_WRITER);
    assertThat(c.shutdownHook()).isTrue();
  }

  @Test
  void builderRejectsBadValuesNamingTheSetting() {
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().backend(" "))
        .withMessage("backend must be null or non-blank but was \" \"");
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().flushInterval(Duration.ZERO))
        .withMessage("flushInterval must be positive but was PT0S");
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().metricsWindow(Duration.ofSeconds(90)))
        .withMessage("metricsWindow must be a positive whole number of minutes but was PT1M30S");
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().maxPendingCounters(0))
        .withMessage("maxPendingCounters must be > 0 but was 0");
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().bufferedWriter("redis"))
        .withMessage("bufferedWriter must be lua or pipeline but was \"redis\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().guardTtl(Duration.ofMillis(10)))
        .withMessage("guardTtl must be at least 1s but was PT0.01S");
    assertThatNullPointerException().isThrownBy(() -> SinkConfig.builder().zone(null)).withMessage("zone");
  }

  @Test
  void theBackendNameLosesSurroundingSpace() {
    assertThat(SinkConfig.builder().backend(" redis-lua ").build().backend()).contains("redis-lua");
  }

  @Test
  void equalConfigurationsAreEqualAndToBuilderCopiesEverything() {
    InstantSource clock = InstantSource.fixed(Instant.parse("2025-08-01T00:00:00Z"));
    SinkConfig a = SinkConfig.builder()
        .backend("buffered").redisUri("redis://:pw@h:1").redisCluster(true).zone(ZoneOffset.ofHours(8))
        .metricsWindow(Duration.ofMinutes(3)).statsPolicy(StatsPolicy.CORE).keyPrefix("k:")
        .closeTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(3)).guardTtl(Duration.ofSeconds(4))
        .flushInterval(Duration.ofMillis(5)).maxPendingCounters(6).bufferedWriter("pipeline").shutdownHook(false)
        .clock(clock).property("usagesink.custom", "x")
        .build();
    SinkConfig copy = a.toBuilder().build();
    assertThat(copy).isEqualTo(a).hasSameHashCodeAs(a).hasToString(a.toString());
    assertThat(a.toBuilder().flushInterval(Duration.ofMillis(6)).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().property("usagesink.custom", "y").build()).isNotEqualTo(a);
  }

  @Test
  void toStringListsSettingsButOnlyTheNamesOfRawProperties() {
    SinkConfig c = SinkConfig.builder().backend("noop").property("usagesink.kafka.password", "hush").build();
    assertThat(c.toString())
        .contains("backend=noop", "properties=[usagesink.kafka.password]")
        .doesNotContain("hush");
  }
}
