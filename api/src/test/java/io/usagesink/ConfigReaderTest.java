package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.usagesink.layout.StatsPolicy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ConfigReader}: names, precedence, parsing and the exact error messages. */
class ConfigReaderTest {

  private static SinkConfig fromProperties(Map<String, String> properties) {
    return SinkConfig.from(properties, Map.of());
  }

  private static SinkConfig fromEnvironment(Map<String, String> environment) {
    return SinkConfig.from(Map.of(), environment);
  }

  private static ConfigurationException failure(Map<String, String> properties, Map<String, String> environment) {
    try {
      SinkConfig.from(properties, environment);
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigurationException for " + properties + " / " + environment);
  }

  @Test
  void nothingSetGivesTheDefaults() {
    assertThat(SinkConfig.from(Map.of(), Map.of())).isEqualTo(SinkConfig.builder().build());
  }

  @Test
  void everyPropertyIsRead() {
    Map<String, String> p = new HashMap<>();
    p.put("usagesink.backend", "buffered");
    p.put("usagesink.redis.uri", "rediss://app:s3cret@redis.example:6380/0");
    p.put("usagesink.redis.cluster", "true");
    p.put("usagesink.zone", "+08:00");
    p.put("usagesink.metrics-window", "10m");
    p.put("usagesink.key-prefix", "us:");
    p.put("usagesink.close-timeout", "5s");
    p.put("usagesink.command-timeout", "750ms");
    p.put("usagesink.guard-ttl", "1h");
    p.put("usagesink.buffered.flush-interval", "PT60S");
    p.put("usagesink.buffered.max-pending-counters", "5000");
    p.put("usagesink.buffered.writer", "pipeline");
    p.put("usagesink.buffered.shutdown-hook", "false");

    SinkConfig c = fromProperties(p);

    assertThat(c.backend()).contains("buffered");
    assertThat(c.redisUri()).contains("rediss://app:s3cret@redis.example:6380/0");
    assertThat(c.redisCluster()).contains(true);
    assertThat(c.zone()).isEqualTo(ZoneId.of("+08:00"));
    assertThat(c.metricsWindow()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.keyPrefix()).isEqualTo("us:");
    assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.guardTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.maxPendingCounters()).isEqualTo(5000);
    assertThat(c.bufferedWriter()).isEqualTo("pipeline");
    assertThat(c.shutdownHook()).isFalse();
  }

  @Test
  void everyEnvironmentVariableIsRead() {
    Map<String, String> e = new HashMap<>();
    e.put("USAGESINK_BACKEND", "redis-lua");
    e.put("REDIS_URL", "redis://localhost:6379");
    e.put("USAGESINK_REDIS_CLUSTER", "FALSE");
    e.put("USAGESINK_ZONE", "Asia/Shanghai");
    e.put("USAGESINK_METRICS_WINDOW", "PT2M");
    e.put("USAGESINK_KEY_PREFIX", "x:");
    e.put("USAGESINK_CLOSE_TIMEOUT", "1m");
    e.put("USAGESINK_COMMAND_TIMEOUT", "2s");
    e.put("USAGESINK_GUARD_TTL", "1d");
    e.put("USAGESINK_BUFFERED_FLUSH_INTERVAL", "500ms");
    e.put("USAGESINK_BUFFERED_MAX_PENDING_COUNTERS", "7");
    e.put("USAGESINK_BUFFERED_WRITER", "lua");
    e.put("USAGESINK_BUFFERED_SHUTDOWN_HOOK", "true");

    SinkConfig c = fromEnvironment(e);

    assertThat(c.backend()).contains("redis-lua");
    assertThat(c.redisUri()).contains("redis://localhost:6379");
    assertThat(c.redisCluster()).contains(false);
    assertThat(c.zone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(c.metricsWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.keyPrefix()).isEqualTo("x:");
    assertThat(c.closeTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.guardTtl()).isEqualTo(Duration.ofDays(1));
    assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxPendingCounters()).isEqualTo(7);
    assertThat(c.bufferedWriter()).isEqualTo("lua");
    assertThat(c.shutdownHook()).isTrue();
  }

  @Test
  void aPropertyWinsOverTheEnvironment() {
    SinkConfig c = SinkConfig.from(
        Map.of("usagesink.backend", "noop", "usagesink.redis.uri", "redis://from-property"),
        Map.of("USAGESINK_BACKEND", "redis-lua", "REDIS_URL", "redis://from-env"));
    assertThat(c.backend()).contains("noop");
    assertThat(c.redisUri()).contains("redis://from-property");
  }

  @Test
  void blankValuesCountAsNotSet() {
    SinkConfig c = SinkConfig.from(
        Map.of("usagesink.backend", " ", "usagesink.buffered.flush-interval", ""),
        Map.of("USAGESINK_BACKEND", "redis-lua", "REDIS_URL", ""));
    assertThat(c.backend()).as("blank property falls through to the environment").contains("redis-lua");
    assertThat(c.redisUri()).isEmpty();
    assertThat(c.flushInterval()).isEqualTo(SinkConfig.DEFAULT_FLUSH_INTERVAL);
  }

  @Test
  void nonStringPropertiesAreIgnored() {
    Properties p = new Properties();
    p.put("usagesink.backend", 42);
    p.put(7, "x");
    p.setProperty("usagesink.zone", "UTC");
    SinkConfig c = SinkConfig.from(p, Map.of());
    assertThat(c.backend()).isEmpty();
    assertThat(c.zone()).isEqualTo(ZoneId.of("UTC"));
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

  @Nested
  class Durations {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S", "60s, PT60S", "5m, PT5M", "1h, PT1H", "2d, PT48H", "PT1S, PT1S", "pt1m30s, PT1M30S",
        "' 15s ', PT15S", "0s, PT0S"})
    void acceptedForms(String text, String iso) {
      assertThat(ConfigReader.parseDuration(text)).isEqualTo(Duration.parse(iso));
    }

    @Test
    void anUnparsableDurationNamesThePropertyAndTheValue() {
      assertThat(failure(Map.of("usagesink.buffered.flush-interval", "abc"), Map.of()))
          .hasMessage("Invalid value for property usagesink.buffered.flush-interval=abc. "
              + "Must be a duration like 500ms or 60s.");
    }

    @Test
    void anUnparsableDurationFromTheEnvironmentNamesTheVariable() {
      assertThat(failure(Map.of(), Map.of("USAGESINK_BUFFERED_FLUSH_INTERVAL", "10 seconds")))
          .hasMessage("Invalid value for environment variable USAGESINK_BUFFERED_FLUSH_INTERVAL=10 seconds. "
              + "Must be a duration like 500ms or 60s.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5s", "60", "-5s", "5 min", "99999999999999999999s", "106751991167301d"})
    void otherFormsAndOverflowsAreRejected(String text) {
      assertThat(failure(Map.of("usagesink.close-timeout", text), Map.of()))
          .hasMessage("Invalid value for property usagesink.close-timeout=" + text
              + ". Must be a duration like 500ms or 60s.");
    }

    @Test
    void aZeroOrNegativeTimeoutIsRejected() {
      assertThat(failure(Map.of("usagesink.command-timeout", "0ms"), Map.of()))
          .hasMessage("Invalid value for property usagesink.command-timeout=0ms. "
              + "Must be a positive duration like 500ms or 60s.");
      assertThat(failure(Map.of("usagesink.close-timeout", "-PT1S"), Map.of()))
          .hasMessage("Invalid value for property usagesink.close-timeout=-PT1S. "
              + "Must be a positive duration like 500ms or 60s.");
    }

    @Test
    void theMetricsWindowMustBeWholeMinutes() {
      assertThat(failure(Map.of(), Map.of("USAGESINK_METRICS_WINDOW", "90s")))
          .hasMessage("Invalid value for environment variable USAGESINK_METRICS_WINDOW=90s. "
              + "Must be a whole number of minutes like 5m.");
      assertThat(fromProperties(Map.of("usagesink.metrics-window", "120s")).metricsWindow())
          .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theGuardTtlMustBeAtLeastOneSecond() {
      assertThat(failure(Map.of("usagesink.guard-ttl", "500ms"), Map.of()))
          .hasMessage("Invalid value for property usagesink.guard-ttl=500ms. Must be a duration of at least 1s like 10m.");
    }
  }

  @Nested
  class OtherValues {

    @Test
    void clusterMustBeTrueOrFalse() {
      assertThat(failure(Map.of(), Map.of("USAGESINK_REDIS_CLUSTER", "yes")))
          .hasMessage("Invalid value for environment variable USAGESINK_REDIS_CLUSTER=yes. Must be true or false.");
    }

    @Test
    void theZoneMustBeAZoneId() {
      assertThat(failure(Map.of("usagesink.zone", "Mars/Olympus"), Map.of()))
          .hasMessage("Invalid value for property usagesink.zone=Mars/Olympus. "
              + "Must be a zone id like UTC, +08:00 or Asia/Shanghai.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "abc", "3000000000", "1_000"})
    void maxPendingCountersMustBeAPositiveInt(String text) {
      assertThat(failure(Map.of("usagesink.buffered.max-pending-counters", text), Map.of()))
          .hasMessage("Invalid value for property usagesink.buffered.max-pending-counters=" + text
              + ". Must be a positive whole number like 1000000.");
    }

    @Test
    void theWriterMustBeLuaOrPipeline() {
      assertThat(failure(Map.of("usagesink.buffered.writer", "redis"), Map.of()))
          .hasMessage("Invalid value for property usagesink.buffered.writer=redis. Must be lua or pipeline.");
    }

    @Test
    void theShutdownHookSwitchMustBeTrueOrFalse() {
      assertThat(failure(Map.of("usagesink.buffered.shutdown-hook", "maybe"), Map.of()))
          .hasMessage("Invalid value for property usagesink.buffered.shutdown-hook=maybe. Must be true or false.");
    }

    @Test
    void theGeneralShutdownHookSwitchWinsOverTheBufferedOne() {
      assertThat(fromProperties(Map.of("usagesink.shutdown-hook", "false")).shutdownHook()).isFalse();
      assertThat(fromEnvironment(Map.of("USAGESINK_SHUTDOWN_HOOK", "false")).shutdownHook()).isFalse();
      assertThat(fromProperties(Map.of("usagesink.shutdown-hook", "true", "usagesink.buffered.shutdown-hook", "false"))
          .shutdownHook()).isTrue();
      assertThat(failure(Map.of("usagesink.shutdown-hook", "no"), Map.of()))
          .hasMessage("Invalid value for property usagesink.shutdown-hook=no. Must be true or false.");
    }

    @Test
    void anInvalidRedisUriIsShownMasked() {
      assertThat(failure(Map.of(), Map.of("REDIS_URL", "http://user:hunter2@cache:6379")))
          .hasMessage("Invalid value for environment variable REDIS_URL=http://user:***@cache:6379. "
              + "Must start with redis://, rediss://, redis-socket:// or redis-sentinel://.");
      assertThat(failure(Map.of("usagesink.redis.uri", "redis://:hunter2@"), Map.of()))
          .hasMessage("Invalid value for property usagesink.redis.uri=redis://:***@. "
              + "Must name a host, like redis://localhost:6379.");
    }

    @Test
    void aRedisUriNamesABadPortDatabaseOrTimeout() {
      assertThat(failure(Map.of("usagesink.redis.uri", "redis://app:hunter2@h:abc"), Map.of()))
          .hasMessage("Invalid value for property usagesink.redis.uri=redis://app:***@h:abc. "
              + "Must give the port as a number from 1 to 65535, but the port of h is \"abc\".");
      assertThat(failure(Map.of(), Map.of("REDIS_URL", "redis://h:6379?timeout=abc")))
          .hasMessage("Invalid value for environment variable REDIS_URL=redis://h:6379?timeout=abc. "
              + "Must give the parameter timeout as a positive duration like timeout=500ms or timeout=10s"
              + " (units ns, us, ms, s, m, h, d), but it is timeout=abc.");
      assertThat(failure(Map.of("usagesink.redis.uri", "redis://h:6379?database=abc"), Map.of()))
          .hasMessage("Invalid value for property usagesink.redis.uri=redis://h:6379?database=abc. "
              + "Must give the parameter database as a whole number from 0 (like database=2), but it is database=abc.");
    }

    @Test
    void theFirstInvalidSettingIsReportedWithItsCause() {
      ConfigurationException e = failure(Map.of("usagesink.buffered.max-pending-counters", "lots"), Map.of());
      assertThat(e).hasCauseInstanceOf(NumberFormatException.class);
    }
  }

  @Nested
  class StatsSwitches {

    @Test
    void everySwitchIsOnByDefault() {
      assertThat(fromEnvironment(Map.of()).statsPolicy()).isEqualTo(StatsPolicy.ALL);
    }

    @Test
    void eachSwitchTurnsOffItsDimension() {
      SinkConfig c = fromEnvironment(Map.of(
          "ENABLE_HOURLY_STATS", "false",
          "ENABLE_MINUTE_STATS", "false",
          "ENABLE_MODEL_STATS", "true",
          "ENABLE_DETAILED_CACHE_STATS", "false"));
      assertThat(c.statsPolicy()).isEqualTo(new StatsPolicy(true, false, false, true, false));
    }

    @Test
    void usageStatisticsOffTurnsEverythingOff() {
      assertThat(fromEnvironment(Map.of("ENABLE_USAGE_STATISTICS", "false", "ENABLE_HOURLY_STATS", "true"))
          .statsPolicy()).isEqualTo(StatsPolicy.OFF);
    }

    @Test
    void onlyFalseSwitchesOffAsInTheOriginatingSystem() {
      assertThat(fromEnvironment(Map.of("ENABLE_HOURLY_STATS", "0", "ENABLE_MINUTE_STATS", "no",
          "ENABLE_MODEL_STATS", "off")).statsPolicy()).isEqualTo(StatsPolicy.ALL);
    }

    @Test
    void aPropertyOfTheSameNameWinsOverTheEnvironment() {
      SinkConfig c = SinkConfig.from(Map.of("ENABLE_MINUTE_STATS", "true"), Map.of("ENABLE_MINUTE_STATS", "false"));
      assertThat(c.statsPolicy().minute()).isTrue();
    }
  }

  @Nested
  class RawProperties {

    @Test
    void usagesinkPropertiesAreKeptForCustomBackends() {
      SinkConfig c = fromProperties(Map.of("usagesink.kafka.topic", "usage", "java.home", "/opt/jdk"));
      assertThat(c.property("usagesink.kafka.topic")).contains("usage");
      assertThat(c.property("java.home")).isEmpty();
    }

    @Test
    void aUsagesinkEnvironmentVariableAnswersForItsProperty() {
      SinkConfig c = SinkConfig.from(Map.of("usagesink.kafka.topic", "from-property"),
          Map.of("USAGESINK_KAFKA_TOPIC", "from-env", "USAGESINK_KAFKA_CLIENT_ID", "gateway-1", "HOME", "/root"));
      assertThat(c.property("usagesink.kafka.topic")).contains("from-property");
      assertThat(c.property("usagesink.kafka.client-id")).contains("gateway-1");
      assertThat(c.property("home")).isEmpty();
    }

    @Test
    void knownSettingsAreKeptToo() {
      assertThat(fromProperties(Map.of("usagesink.buffered.flush-interval", "2s"))
          .property("usagesink.buffered.flush-interval")).contains("2s");
    }
  }
}
