package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The layout reads and checks its own settings: names, defaults and the exact messages. */
class LayoutSettingsTest {

  private static LayoutSettings from(
      Map<String, String> properties, Map<String, String> environment) {
    return LayoutSettings.from(ConfigProperties.of(properties, environment));
  }

  private static ConfigurationException failure(
      Map<String, String> properties, Map<String, String> environment) {
    try {
      from(properties, environment);
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError(
        "expected a ConfigurationException for " + properties + " / " + environment);
  }

  @Test
  void nothingSetGivesTheDefaults() {
    assertThat(from(Map.of(), Map.of())).isEqualTo(LayoutSettings.DEFAULTS);
    assertThat(LayoutSettings.DEFAULTS.zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(LayoutSettings.DEFAULTS.metricsWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(LayoutSettings.DEFAULTS.keyPrefix()).isEqualTo("usagesink:");
    assertThat(LayoutSettings.DEFAULTS.statsPolicy()).isEqualTo(StatsPolicy.ALL);
  }

  @Test
  void everyPropertyIsRead() {
    assertThat(
            from(
                Map.of(
                    "usagesink.zone",
                    "+08:00",
                    "usagesink.metrics-window",
                    "10m",
                    "usagesink.key-prefix",
                    "us:",
                    "usagesink.layout",
                    "Compact"),
                Map.of()))
        .isEqualTo(
            new LayoutSettings(
                "compact", ZoneOffset.ofHours(8), Duration.ofMinutes(10), StatsPolicy.ALL, "us:"));
  }

  @Test
  void everyEnvironmentVariableIsRead() {
    assertThat(
            from(
                Map.of(),
                Map.of(
                    "USAGESINK_ZONE",
                    "Asia/Shanghai",
                    "USAGESINK_METRICS_WINDOW",
                    "PT2M",
                    "USAGESINK_KEY_PREFIX",
                    "x:",
                    "USAGESINK_LAYOUT",
                    "crs")))
        .isEqualTo(
            new LayoutSettings(
                "crs", ZoneId.of("Asia/Shanghai"), Duration.ofMinutes(2), StatsPolicy.ALL, "x:"));
  }

  @Test
  void theTypedSettersOfSinkConfigWriteWhatIsReadHere() {
    SinkConfig c =
        SinkConfig.builder()
            .zone(ZoneOffset.ofHours(-3))
            .metricsWindow(Duration.ofMinutes(7))
            .keyPrefix("p:")
            .build();
    assertThat(LayoutSettings.from(c))
        .isEqualTo(
            new LayoutSettings(
                "crs", ZoneOffset.ofHours(-3), Duration.ofMinutes(7), StatsPolicy.ALL, "p:"));
    StatsPolicy odd = new StatsPolicy(true, false, true, false, true);
    SinkConfig.Builder b = SinkConfig.builder();
    odd.switches().forEach(b::property);
    assertThat(LayoutSettings.from(b.build()).statsPolicy()).isEqualTo(odd);
  }

  @Test
  void theMetricsWindowMustBeWholeMinutes() {
    assertThat(failure(Map.of(), Map.of("USAGESINK_METRICS_WINDOW", "90s")))
        .hasMessage(
            "Invalid value for environment variable USAGESINK_METRICS_WINDOW=90s. "
                + "Must be a whole number of minutes like 5m.");
    assertThat(failure(Map.of("usagesink.metrics-window", "PT1M30S"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.metrics-window=PT1M30S. "
                + "Must be a whole number of minutes like 5m.");
    assertThat(from(Map.of("usagesink.metrics-window", "120s"), Map.of()).metricsWindow())
        .isEqualTo(Duration.ofMinutes(2));
    // one minute, the smallest window, is accepted; anything shorter (zero included) is not
    assertThat(from(Map.of("usagesink.metrics-window", "1m"), Map.of()).metricsWindow())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(failure(Map.of("usagesink.metrics-window", "30s"), Map.of()))
        .hasMessageEndingWith("Must be a whole number of minutes like 5m.");
    assertThat(failure(Map.of("usagesink.metrics-window", "0m"), Map.of()))
        .hasMessageEndingWith("Must be a whole number of minutes like 5m.");
    assertThat(failure(Map.of("usagesink.metrics-window", "100000000000000000m"), Map.of()))
        .hasMessageEndingWith("Must be a whole number of minutes like 5m.");
  }

  @Test
  void theZoneMustBeAZoneId() {
    assertThat(failure(Map.of("usagesink.zone", "Mars/Olympus"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.zone=Mars/Olympus. "
                + "Must be a zone id like UTC, +08:00 or Asia/Shanghai.");
  }

  @Test
  void theLayoutMustBeCrsOrCompact() {
    assertThat(failure(Map.of(), Map.of("USAGESINK_LAYOUT", "fast")))
        .hasMessage(
            "Invalid value for environment variable USAGESINK_LAYOUT=fast. Must be crs or"
                + " compact.");
  }

  @Test
  void theConstructorChecksItsValues() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new LayoutSettings(
                    "crs", ZoneOffset.UTC, Duration.ofSeconds(90), StatsPolicy.ALL, "k:"))
        .withMessage("metricsWindow must be a positive whole number of minutes but was PT1M30S");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new LayoutSettings(
                    "crs", ZoneOffset.UTC, Duration.ofMinutes(1), StatsPolicy.ALL, ""))
        .withMessage("keyPrefix must not be empty");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new LayoutSettings(
                    "wide", ZoneOffset.UTC, Duration.ofMinutes(1), StatsPolicy.ALL, "k:"))
        .withMessage("layout must be crs or compact but was \"wide\"");
  }

  @Test
  void anEmptyKeyPrefixCountsAsNotSet() {
    assertThat(from(Map.of("usagesink.key-prefix", ""), Map.of()).keyPrefix())
        .isEqualTo("usagesink:");
  }

  @Test
  void theStatsSwitches() {
    assertThat(
            from(
                    Map.of(),
                    Map.of(
                        "ENABLE_HOURLY_STATS",
                        "false",
                        "ENABLE_MINUTE_STATS",
                        "false",
                        "ENABLE_MODEL_STATS",
                        "true",
                        "ENABLE_DETAILED_CACHE_STATS",
                        "false"))
                .statsPolicy())
        .isEqualTo(new StatsPolicy(true, false, false, true, false));
    assertThat(
            from(
                    Map.of(),
                    Map.of("ENABLE_USAGE_STATISTICS", "false", "ENABLE_HOURLY_STATS", "true"))
                .statsPolicy())
        .isEqualTo(StatsPolicy.OFF);
    assertThat(
            from(
                    Map.of(),
                    Map.of(
                        "ENABLE_HOURLY_STATS",
                        "0",
                        "ENABLE_MINUTE_STATS",
                        "no",
                        "ENABLE_MODEL_STATS",
                        "off"))
                .statsPolicy())
        .isEqualTo(StatsPolicy.ALL);
    assertThat(
            from(Map.of("ENABLE_MINUTE_STATS", "true"), Map.of("ENABLE_MINUTE_STATS", "false"))
                .statsPolicy()
                .minute())
        .as("a property of the same name wins over the environment")
        .isTrue();
  }

  @Test
  void aSinkConfigFailsOnlyWhenTheLayoutIsRead() {
    SinkConfig c = SinkConfig.from(Map.of("usagesink.zone", "Mars/Olympus"), Map.of());
    assertThatExceptionOfType(ConfigurationException.class)
        .isThrownBy(() -> UsageLayouts.of(c))
        .withMessageStartingWith("Invalid value for property usagesink.zone=Mars/Olympus.");
  }
}
