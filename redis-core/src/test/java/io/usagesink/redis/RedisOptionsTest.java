package io.usagesink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Redis backends read and check their own settings: names, defaults and the exact messages. */
class RedisOptionsTest {

  private static RedisOptions from(
      Map<String, String> properties, Map<String, String> environment) {
    return RedisOptions.from(ConfigProperties.of(properties, environment));
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
    assertThat(from(Map.of(), Map.of()))
        .isEqualTo(
            new RedisOptions(
                Optional.empty(),
                Optional.empty(),
                Duration.ofSeconds(10),
                Duration.ofMinutes(10),
                RedisOptions.Connect.BACKGROUND));
  }

  @Test
  void everyPropertyIsRead() {
    assertThat(
            from(
                Map.of(
                    "usagesink.redis.uri",
                    "rediss://app:s3cret@redis.example:6380/0",
                    "usagesink.redis.cluster",
                    "true",
                    "usagesink.command-timeout",
                    "750ms",
                    "usagesink.guard-ttl",
                    "1h",
                    "usagesink.redis.connect",
                    "fail"),
                Map.of()))
        .isEqualTo(
            new RedisOptions(
                Optional.of("rediss://app:s3cret@redis.example:6380/0"),
                Optional.of(true),
                Duration.ofMillis(750),
                Duration.ofHours(1),
                RedisOptions.Connect.FAIL));
  }

  @Test
  void everyEnvironmentVariableIsRead() {
    assertThat(
            from(
                Map.of(),
                Map.of(
                    "REDIS_URL",
                    "redis://localhost:6379",
                    "USAGESINK_REDIS_CLUSTER",
                    "FALSE",
                    "USAGESINK_COMMAND_TIMEOUT",
                    "2s",
                    "USAGESINK_GUARD_TTL",
                    "1d",
                    "USAGESINK_REDIS_CONNECT",
                    "Background")))
        .isEqualTo(
            new RedisOptions(
                Optional.of("redis://localhost:6379"),
                Optional.of(false),
                Duration.ofSeconds(2),
                Duration.ofDays(1),
                RedisOptions.Connect.BACKGROUND));
  }

  @Test
  void aPropertyWinsOverTheEnvironmentAndBlankCountsAsNotSet() {
    assertThat(
            from(
                    Map.of("usagesink.redis.uri", "redis://from-property"),
                    Map.of("REDIS_URL", "redis://from-env"))
                .uri())
        .contains("redis://from-property");
    assertThat(from(Map.of(), Map.of("REDIS_URL", "")).uri()).isEmpty();
  }

  @Test
  @SuppressWarnings("deprecation")
  void theTypedSettersOfSinkConfigWriteWhatIsReadHereAndItsOldGettersAgree() {
    SinkConfig c =
        SinkConfig.builder()
            .redisUri("redis://:pw@h:1")
            .redisCluster(true)
            .commandTimeout(Duration.ofSeconds(3))
            .guardTtl(Duration.ofSeconds(4))
            .build();
    RedisOptions o = RedisOptions.from(c);
    assertThat(o)
        .isEqualTo(
            new RedisOptions(
                Optional.of("redis://:pw@h:1"),
                Optional.of(true),
                Duration.ofSeconds(3),
                Duration.ofSeconds(4),
                RedisOptions.Connect.BACKGROUND));
    assertThat(c.redisUri()).isEqualTo(o.uri());
    assertThat(c.redisCluster()).isEqualTo(o.cluster());
    assertThat(c.commandTimeout()).isEqualTo(o.commandTimeout());
    assertThat(c.guardTtl()).isEqualTo(o.guardTtl());
    SinkConfig d = SinkConfig.from(Map.of(), Map.of("REDIS_URL", "redis://e"));
    assertThat(d.redisUri()).isEqualTo(RedisOptions.from(d).uri());
    assertThat(SinkConfig.DEFAULT_COMMAND_TIMEOUT).isEqualTo(RedisOptions.DEFAULT_COMMAND_TIMEOUT);
    assertThat(SinkConfig.DEFAULT_GUARD_TTL).isEqualTo(RedisOptions.DEFAULT_GUARD_TTL);
  }

  @Test
  void aZeroTimeoutIsRejected() {
    assertThat(failure(Map.of("usagesink.command-timeout", "0ms"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.command-timeout=0ms. "
                + "Must be a positive duration like 500ms or 60s.");
  }

  @Test
  void theGuardTtlMustBeAtLeastOneSecond() {
    assertThat(failure(Map.of("usagesink.guard-ttl", "500ms"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.guard-ttl=500ms. Must be a duration of at least"
                + " 1s like 10m.");
    assertThat(failure(Map.of("usagesink.guard-ttl", "soon"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.guard-ttl=soon. Must be a duration like 500ms or"
                + " 60s.");
  }

  @Test
  void clusterMustBeTrueOrFalse() {
    assertThat(failure(Map.of(), Map.of("USAGESINK_REDIS_CLUSTER", "yes")))
        .hasMessage(
            "Invalid value for environment variable USAGESINK_REDIS_CLUSTER=yes. Must be true or"
                + " false.");
  }

  @Test
  void connectMustBeBackgroundOrFail() {
    assertThat(failure(Map.of("usagesink.redis.connect", "later"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.redis.connect=later. Must be background or"
                + " fail.");
  }

  @Test
  void anInvalidRedisUriIsShownMasked() {
    assertThat(failure(Map.of(), Map.of("REDIS_URL", "http://user:hunter2@cache:6379")))
        .hasMessage(
            "Invalid value for environment variable REDIS_URL=http://user:***@cache:6379. "
                + "Must start with redis://, rediss://, redis-socket:// or redis-sentinel://.");
    assertThat(failure(Map.of("usagesink.redis.uri", "redis://:hunter2@"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.redis.uri=redis://:***@. "
                + "Must name a host, like redis://localhost:6379.");
  }

  @Test
  void aRedisUriNamesABadPortDatabaseOrTimeout() {
    assertThat(failure(Map.of("usagesink.redis.uri", "redis://app:hunter2@h:abc"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.redis.uri=redis://app:***@h:abc. "
                + "Must give the port as a number from 1 to 65535, but the port of h is \"abc\".");
    assertThat(failure(Map.of(), Map.of("REDIS_URL", "redis://h:6379?timeout=abc")))
        .hasMessage(
            "Invalid value for environment variable REDIS_URL=redis://h:6379?timeout=abc. Must give"
                + " the parameter timeout as a positive duration like timeout=500ms or timeout=10s"
                + " (units ns, us, ms, s, m, h, d), but it is timeout=abc.");
    assertThat(failure(Map.of("usagesink.redis.uri", "redis://h:6379?database=abc"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.redis.uri=redis://h:6379?database=abc. Must give"
                + " the parameter database as a whole number from 0 (like database=2), but it is"
                + " database=abc.");
  }

  @Test
  void theConstructorChecksItsValues() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new RedisOptions(
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ZERO,
                    Duration.ofMinutes(1),
                    RedisOptions.Connect.FAIL))
        .withMessage("commandTimeout must be positive but was PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new RedisOptions(
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ofSeconds(1),
                    Duration.ofMillis(10),
                    RedisOptions.Connect.FAIL))
        .withMessage("guardTtl must be at least 1s but was PT0.01S");
  }

  @Test
  void aMissingUriSaysHowToSetIt() {
    org.assertj.core.api.Assertions.assertThatExceptionOfType(ConfigurationException.class)
        .isThrownBy(() -> from(Map.of(), Map.of()).requireUri())
        .withMessage(
            "usagesink.redis.uri (or REDIS_URL) is not set; set it to the Redis to write to, e.g. "
                + "redis://localhost:6379 or rediss://user:password@host:6380/0");
  }
}
