package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The shared settings: defaults, builder validation, equality; the typed setters write properties.
 */
class SinkConfigTest {

  @Test
  void defaultsAreTheDocumentedConstants() {
    SinkConfig c = SinkConfig.builder().build();
    assertThat(c.backend()).isEmpty();
    assertThat(c.closeTimeout()).isEqualTo(SinkConfig.DEFAULT_CLOSE_TIMEOUT);
    assertThat(c.shutdownHook()).isTrue();
    assertThat(c.clock()).isEqualTo(InstantSource.system());
    assertThat(c.properties()).isEqualTo(ConfigProperties.empty());
  }

  @Test
  void builderRejectsBadSharedValuesNamingTheSetting() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SinkConfig.builder().backend(" "))
        .withMessage("backend must be null or non-blank but was \" \"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SinkConfig.builder().closeTimeout(Duration.ZERO))
        .withMessage("closeTimeout must be positive but was PT0S");
    assertThatNullPointerException()
        .isThrownBy(() -> SinkConfig.builder().zone(null))
        .withMessage("zone");
    assertThatNullPointerException()
        .isThrownBy(() -> SinkConfig.builder().flushInterval(null))
        .withMessage("flushInterval");
  }

  @Test
  void typedSettersOfOtherOwnersSetTheirProperties() {
    SinkConfig c =
        SinkConfig.builder()
            .redisUri("redis://h")
            .redisCluster(true)
            .zone(ZoneOffset.ofHours(8))
            .metricsWindow(Duration.ofMinutes(3))
            .keyPrefix("k:")
            .commandTimeout(Duration.ofSeconds(3))
            .guardTtl(Duration.ofSeconds(4))
            .flushInterval(Duration.ofMillis(5))
            .maxPendingCounters(6)
            .bufferedWriter("pipeline")
            .build();
    assertThat(c.properties().properties())
        .containsOnly(
            java.util.Map.entry("usagesink.redis.uri", "redis://h"),
            java.util.Map.entry("usagesink.redis.cluster", "true"),
            java.util.Map.entry("usagesink.zone", "+08:00"),
            java.util.Map.entry("usagesink.metrics-window", "PT3M"),
            java.util.Map.entry("usagesink.key-prefix", "k:"),
            java.util.Map.entry("usagesink.command-timeout", "PT3S"),
            java.util.Map.entry("usagesink.guard-ttl", "PT4S"),
            java.util.Map.entry("usagesink.buffered.flush-interval", "PT0.005S"),
            java.util.Map.entry("usagesink.buffered.max-pending-counters", "6"),
            java.util.Map.entry("usagesink.buffered.writer", "pipeline"));
    assertThat(
            c.toBuilder().redisUri(null).redisCluster(null).build().property("usagesink.redis.uri"))
        .isEmpty();
  }

  @Test
  void theBackendNameLosesSurroundingSpace() {
    assertThat(SinkConfig.builder().backend(" redis-lua ").build().backend()).contains("redis-lua");
  }

  @Test
  void equalConfigurationsAreEqualAndToBuilderCopiesEverything() {
    InstantSource clock = InstantSource.fixed(Instant.parse("2025-08-01T00:00:00Z"));
    SinkConfig a =
        SinkConfig.builder()
            .backend("buffered")
            .redisUri("redis://:pw@h:1")
            .redisCluster(true)
            .zone(ZoneOffset.ofHours(8))
            .closeTimeout(Duration.ofSeconds(2))
            .flushInterval(Duration.ofMillis(5))
            .shutdownHook(false)
            .clock(clock)
            .property("usagesink.custom", "x")
            .build();
    SinkConfig copy = a.toBuilder().build();
    assertThat(copy).isEqualTo(a).hasSameHashCodeAs(a).hasToString(a.toString());
    assertThat(a.toBuilder().flushInterval(Duration.ofMillis(6)).build()).isNotEqualTo(a);
    assertThat(a.toBuilder().property("usagesink.custom", "y").build()).isNotEqualTo(a);
    assertThat(a.toBuilder().closeTimeout(Duration.ofSeconds(3)).build()).isNotEqualTo(a);
  }

  @Test
  void toStringListsSettingsButOnlyTheNamesOfProperties() {
    SinkConfig c =
        SinkConfig.builder()
            .backend("noop")
            .redisUri("redis://:hunter2@h")
            .property("usagesink.kafka.password", "hush")
            .build();
    assertThat(c.toString())
        .contains("backend=noop", "properties=[usagesink.kafka.password, usagesink.redis.uri]")
        .doesNotContain("hush", "hunter2");
    assertThat(
            SinkConfig.from(java.util.Map.of(), java.util.Map.of("REDIS_URL", "redis://:hunter2@h"))
                .toString())
        .doesNotContain("hunter2");
  }

  /** The getters kept for compatibility read what the setters write. */
  @Test
  @SuppressWarnings("deprecation")
  void deprecatedGettersStillAnswer() {
    SinkConfig c =
        SinkConfig.builder()
            .redisUri("redis://:pw@h")
            .redisCluster(false)
            .zone(ZoneOffset.ofHours(8))
            .metricsWindow(Duration.ofMinutes(3))
            .statsPolicy(io.usagesink.layout.StatsPolicy.CORE)
            .keyPrefix("k:")
            .commandTimeout(Duration.ofSeconds(3))
            .guardTtl(Duration.ofSeconds(4))
            .flushInterval(Duration.ofMillis(5))
            .maxPendingCounters(6)
            .bufferedWriter("pipeline")
            .build();
    assertThat(c.redisUri()).contains("redis://:pw@h");
    assertThat(c.maskedRedisUri()).contains("redis://:***@h");
    assertThat(c.redisCluster()).contains(false);
    assertThat(c.zone()).isEqualTo(ZoneOffset.ofHours(8));
    assertThat(c.metricsWindow()).isEqualTo(Duration.ofMinutes(3));
    assertThat(c.statsPolicy()).isEqualTo(io.usagesink.layout.StatsPolicy.CORE);
    assertThat(c.keyPrefix()).isEqualTo("k:");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.guardTtl()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.maxPendingCounters()).isEqualTo(6);
    assertThat(c.bufferedWriter()).isEqualTo("pipeline");
    SinkConfig d = SinkConfig.builder().build();
    assertThat(d.zone()).hasToString(SinkConfig.DEFAULT_ZONE);
    assertThat(d.metricsWindow()).isEqualTo(SinkConfig.DEFAULT_METRICS_WINDOW);
    assertThat(d.keyPrefix()).isEqualTo(SinkConfig.DEFAULT_KEY_PREFIX);
    assertThat(d.commandTimeout()).isEqualTo(SinkConfig.DEFAULT_COMMAND_TIMEOUT);
    assertThat(d.guardTtl()).isEqualTo(SinkConfig.DEFAULT_GUARD_TTL);
    assertThat(d.flushInterval()).isEqualTo(SinkConfig.DEFAULT_FLUSH_INTERVAL);
    assertThat(d.maxPendingCounters()).isEqualTo(SinkConfig.DEFAULT_MAX_PENDING_COUNTERS);
    assertThat(d.bufferedWriter()).isEqualTo(SinkConfig.DEFAULT_BUFFERED_WRITER);
  }
}
