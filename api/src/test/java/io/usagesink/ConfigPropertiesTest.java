package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ConfigProperties} and {@link SinkConfig#from}: names, precedence, the one parser per type
 * and the exact error messages. The layout's, the Redis backends' and the buffered backend's own
 * settings are tested where they are read ({@code LayoutSettingsTest}, {@code RedisOptionsTest},
 * {@code BufferedOptionsTest}).
 */
class ConfigPropertiesTest {

  private static ConfigProperties view(
      Map<String, String> properties, Map<String, String> environment) {
    return ConfigProperties.of(properties, environment);
  }

  private static ConfigurationException failure(
      Map<String, String> properties, Map<String, String> environment) {
    try {
      SinkConfig.from(properties, environment);
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError(
        "expected a ConfigurationException for " + properties + " / " + environment);
  }

  @Test
  void nothingSetGivesTheDefaults() {
    assertThat(SinkConfig.from(Map.of(), Map.of())).isEqualTo(SinkConfig.builder().build());
  }

  @Test
  void theSharedSettingsAreReadFromPropertiesAndFromTheEnvironment() {
    SinkConfig p =
        SinkConfig.from(
            Map.of(
                "usagesink.backend",
                "buffered",
                "usagesink.close-timeout",
                "5s",
                "usagesink.buffered.shutdown-hook",
                "false"),
            Map.of());
    assertThat(p.backend()).contains("buffered");
    assertThat(p.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.shutdownHook()).isFalse();
    SinkConfig e =
        SinkConfig.from(
            Map.of(),
            Map.of(
                "USAGESINK_BACKEND",
                "redis-lua",
                "USAGESINK_CLOSE_TIMEOUT",
                "1m",
                "USAGESINK_BUFFERED_SHUTDOWN_HOOK",
                "true"));
    assertThat(e.backend()).contains("redis-lua");
    assertThat(e.closeTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(e.shutdownHook()).isTrue();
  }

  @Test
  void aPropertyWinsOverTheEnvironment() {
    ConfigProperties v =
        view(
            Map.of("usagesink.backend", "noop", "usagesink.redis.uri", "redis://from-property"),
            Map.of("USAGESINK_BACKEND", "redis-lua", "USAGESINK_REDIS_URI", "redis://from-env"));
    assertThat(v.getString("usagesink.backend")).contains("noop");
    assertThat(v.find("usagesink.redis.uri"))
        .contains(new ConfigValue("usagesink.redis.uri", "redis://from-property", false));
    assertThat(
            SinkConfig.from(
                    Map.of("usagesink.backend", "noop"), Map.of("USAGESINK_BACKEND", "redis-lua"))
                .backend())
        .contains("noop");
  }

  @Test
  void aVariableMayHaveItsOwnName() {
    ConfigProperties v = view(Map.of(), Map.of("REDIS_URL", "redis://h"));
    assertThat(v.find("usagesink.redis.uri", "REDIS_URL"))
        .contains(new ConfigValue("REDIS_URL", "redis://h", true));
    assertThat(v.find("usagesink.redis.uri")).isEmpty();
  }

  @Test
  void blankValuesCountAsNotSetAndValuesAreStripped() {
    ConfigProperties v =
        view(
            Map.of("usagesink.backend", " ", "usagesink.a", " x "),
            Map.of("USAGESINK_BACKEND", "redis-lua", "USAGESINK_B", ""));
    assertThat(v.getString("usagesink.backend"))
        .as("blank property falls through to the environment")
        .contains("redis-lua");
    assertThat(v.getString("usagesink.a")).contains("x");
    assertThat(v.getString("usagesink.b")).isEmpty();
  }

  @Test
  void nonStringPropertiesAreIgnored() {
    Properties p = new Properties();
    p.put("usagesink.backend", 42);
    p.put(7, "x");
    p.setProperty("usagesink.zone", "UTC");
    SinkConfig c = SinkConfig.from(p, Map.of());
    assertThat(c.backend()).isEmpty();
    assertThat(c.property("usagesink.zone")).contains("UTC");
  }

  @Test
  void nullValuesCountAsNotSet() {
    Map<String, String> env = new HashMap<>();
    env.put("USAGESINK_BACKEND", null);
    Map<String, Object> props = new HashMap<>();
    props.put("usagesink.zone", null);
    assertThat(SinkConfig.from(props, env)).isEqualTo(SinkConfig.builder().build());
  }

  @Test
  void fromEnvironmentReadsTheSystemProperties() {
    String name = "usagesink.config-reader-test.marker";
    System.setProperty(name, "seen");
    try {
      assertThat(SinkConfig.fromEnvironment().property(name)).contains("seen");
    } finally {
      System.clearProperty(name);
    }
  }

  @Test
  void theEnvironmentNameOfAProperty() {
    assertThat(ConfigProperties.environmentName("usagesink.buffered.max-pending-counters"))
        .isEqualTo("USAGESINK_BUFFERED_MAX_PENDING_COUNTERS");
    assertThat(ConfigProperties.environmentName("ENABLE_HOURLY_STATS"))
        .isEqualTo("ENABLE_HOURLY_STATS");
  }

  @Test
  void toStringShowsNamesNeverValues() {
    ConfigProperties v =
        view(
            Map.of("usagesink.kafka.password", "hush", "java.home", "/opt"),
            Map.of("USAGESINK_SECRET", "hush2", "HOME", "/root"));
    assertThat(v.toString())
        .isEqualTo(
            "ConfigProperties{properties=[usagesink.kafka.password],"
                + " environment=[USAGESINK_SECRET]}");
  }

  @Nested
  class Durations {

    @ParameterizedTest
    @CsvSource({
      "500ms, PT0.5S",
      "60s, PT60S",
      "5m, PT5M",
      "1h, PT1H",
      "2d, PT48H",
      "PT1S, PT1S",
      "pt1m30s, PT1M30S",
      "' 15s ', PT15S",
      "0s, PT0S"
    })
    void acceptedForms(String text, String iso) {
      assertThat(view(Map.of("usagesink.d", text), Map.of()).getDuration("usagesink.d"))
          .contains(Duration.parse(iso));
    }

    @Test
    void anUnparsableDurationNamesThePropertyAndTheValue() {
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(
              () ->
                  view(Map.of("usagesink.buffered.flush-interval", "abc"), Map.of())
                      .getDuration("usagesink.buffered.flush-interval"))
          .withMessage(
              "Invalid value for property usagesink.buffered.flush-interval=abc. "
                  + "Must be a duration like 500ms or 60s.");
    }

    @Test
    void anUnparsableDurationFromTheEnvironmentNamesTheVariable() {
      assertThat(failure(Map.of(), Map.of("USAGESINK_CLOSE_TIMEOUT", "10 seconds")))
          .hasMessage(
              "Invalid value for environment variable USAGESINK_CLOSE_TIMEOUT=10 seconds. "
                  + "Must be a duration like 500ms or 60s.");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"1.5s", "60", "-5s", "5 min", "99999999999999999999s", "106751991167301d"})
    void otherFormsAndOverflowsAreRejected(String text) {
      assertThat(failure(Map.of("usagesink.close-timeout", text), Map.of()))
          .hasMessage(
              "Invalid value for property usagesink.close-timeout="
                  + text
                  + ". Must be a duration like 500ms or 60s.");
    }

    @Test
    void aZeroOrNegativeTimeoutIsRejected() {
      assertThat(failure(Map.of("usagesink.close-timeout", "0ms"), Map.of()))
          .hasMessage(
              "Invalid value for property usagesink.close-timeout=0ms. "
                  + "Must be a positive duration like 500ms or 60s.");
      assertThat(failure(Map.of("usagesink.close-timeout", "-PT1S"), Map.of()))
          .hasMessage(
              "Invalid value for property usagesink.close-timeout=-PT1S. "
                  + "Must be a positive duration like 500ms or 60s.");
    }
  }

  @Nested
  class OtherValues {

    enum Writer {
      LUA,
      PIPELINE,
      FAST_LANE
    }

    @Test
    void aBooleanMustBeTrueOrFalse() {
      assertThat(
              view(Map.of(), Map.of("USAGESINK_REDIS_CLUSTER", "FALSE"))
                  .getBoolean("usagesink.redis.cluster"))
          .contains(false);
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(
              () ->
                  view(Map.of(), Map.of("USAGESINK_REDIS_CLUSTER", "yes"))
                      .getBoolean("usagesink.redis.cluster"))
          .withMessage(
              "Invalid value for environment variable USAGESINK_REDIS_CLUSTER=yes. Must be true or"
                  + " false.");
    }

    @Test
    void anIntMustParseAndPassItsCheck() {
      ConfigProperties v =
          view(
              Map.of("usagesink.n", "7", "usagesink.zero", "0", "usagesink.words", "lots"),
              Map.of());
      assertThat(v.getInt("usagesink.n", n -> n > 0, "Must be positive.")).contains(7);
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> v.getInt("usagesink.zero", n -> n > 0, "Must be positive."))
          .withMessage("Invalid value for property usagesink.zero=0. Must be positive.");
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> v.getLong("usagesink.words", n -> true, "Must be a number."))
          .withMessage("Invalid value for property usagesink.words=lots. Must be a number.")
          .withCauseInstanceOf(NumberFormatException.class);
    }

    @Test
    void anEnumIsWrittenInLowerCaseWithDashes() {
      ConfigProperties v =
          view(Map.of("usagesink.w", "Fast-Lane", "usagesink.bad", "redis"), Map.of());
      assertThat(v.getEnum("usagesink.w", Writer.class)).contains(Writer.FAST_LANE);
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> v.getEnum("usagesink.bad", Writer.class))
          .withMessage(
              "Invalid value for property usagesink.bad=redis. Must be lua, pipeline or"
                  + " fast-lane.");
    }

    @Test
    void theShutdownHookSwitchMustBeTrueOrFalse() {
      assertThat(failure(Map.of("usagesink.buffered.shutdown-hook", "maybe"), Map.of()))
          .hasMessage(
              "Invalid value for property usagesink.buffered.shutdown-hook=maybe. Must be true or"
                  + " false.");
    }

    @Test
    void theGeneralShutdownHookSwitchWinsOverTheBufferedOne() {
      assertThat(
              SinkConfig.from(Map.of("usagesink.shutdown-hook", "false"), Map.of()).shutdownHook())
          .isFalse();
      assertThat(
              SinkConfig.from(Map.of(), Map.of("USAGESINK_SHUTDOWN_HOOK", "false")).shutdownHook())
          .isFalse();
      assertThat(
              SinkConfig.from(
                      Map.of(
                          "usagesink.shutdown-hook",
                          "true",
                          "usagesink.buffered.shutdown-hook",
                          "false"),
                      Map.of())
                  .shutdownHook())
          .isTrue();
      assertThat(failure(Map.of("usagesink.shutdown-hook", "no"), Map.of()))
          .hasMessage(
              "Invalid value for property usagesink.shutdown-hook=no. Must be true or false.");
    }

    @Test
    void theFirstInvalidSettingIsReportedWithItsCause() {
      ConfigurationException e = failure(Map.of("usagesink.close-timeout", "lots"), Map.of());
      assertThat(e).hasCauseInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class RawProperties {

    @Test
    void everyPropertyIsKeptForTheBackends() {
      SinkConfig c =
          SinkConfig.from(
              Map.of("usagesink.kafka.topic", "usage", "ENABLE_HOURLY_STATS", "false"), Map.of());
      assertThat(c.property("usagesink.kafka.topic")).contains("usage");
      assertThat(c.property("ENABLE_HOURLY_STATS")).contains("false");
    }

    @Test
    void anEnvironmentVariableAnswersForItsProperty() {
      SinkConfig c =
          SinkConfig.from(
              Map.of("usagesink.kafka.topic", "from-property"),
              Map.of(
                  "USAGESINK_KAFKA_TOPIC",
                  "from-env",
                  "USAGESINK_KAFKA_CLIENT_ID",
                  "gateway-1",
                  "REDIS_URL",
                  "r"));
      assertThat(c.property("usagesink.kafka.topic")).contains("from-property");
      assertThat(c.property("usagesink.kafka.client-id")).contains("gateway-1");
      assertThat(c.properties().find("usagesink.redis.uri", "REDIS_URL").map(ConfigValue::value))
          .contains("r");
    }

    @Test
    void knownSettingsAreKeptToo() {
      assertThat(
              SinkConfig.from(Map.of("usagesink.buffered.flush-interval", "2s"), Map.of())
                  .property("usagesink.buffered.flush-interval"))
          .contains("2s");
    }
  }
}
