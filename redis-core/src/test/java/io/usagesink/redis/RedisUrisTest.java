package io.usagesink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import io.usagesink.SinkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Masking and validation of Redis URIs: the password never leaks. */
class RedisUrisTest {

  private static final String PASSWORD = "Pa55-w0rd";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://:Pa55-w0rd@host:6379/0 | redis://:***@host:6379/0",
        "redis://app:Pa55-w0rd@host | redis://app:***@host",
        "rediss://default:Pa55-w0rd@cache.example.com:6380 |"
            + " rediss://default:***@cache.example.com:6380",
        "redis://Pa55-w0rd@h1:7000,h2:7001,h3:7002 | redis://***@h1:7000,h2:7001,h3:7002",
        "redis-sentinel://:Pa55-w0rd@s1:26379,s2:26379/0#mymaster |"
            + " redis-sentinel://:***@s1:26379,s2:26379/0#mymaster",
        "redis-socket://:Pa55-w0rd@/tmp/redis.sock | redis-socket://:***@/tmp/redis.sock",
        "redis://:p@55@w0rd@host | redis://:***@host",
        "redis://host:6379?password=Pa55-w0rd&timeout=5s |"
            + " redis://host:6379?password=***&timeout=5s",
        "user:Pa55-w0rd@host:6379 | user:***@host:6379",
        "redis://host:6379/0 | redis://host:6379/0",
        "redis://h1:1,h2:2 | redis://h1:1,h2:2"
      })
  void maskHidesEveryPassword(String uri, String masked) {
    assertThat(RedisUriMask.mask(uri)).isEqualTo(masked);
  }

  @Test
  void maskOfNullIsNull() {
    assertThat(RedisUriMask.mask(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://localhost",
        "redis://localhost:6379/2",
        "rediss://u:p@h:6380",
        "redis://p@h1:1,h2:2",
        "redis-socket:///var/run/redis.sock",
        "redis-sentinel://s1:26379,s2:26379/0#mymaster",
        "REDIS://LOCALHOST",
        "redis://h:65535",
        "redis://h:1?timeout=500ms&database=3",
        "redis://h?db=0&timeout=5",
        "redis://[::1]:6380",
        "redis://[::1]",
        "redis://h/",
        "redis://u:p@h1,h2:7001/0?timeout=10s#x",
        "redis://h?clientName=x"
      })
  void usableUrisHaveNoProblem(String uri) {
    assertThat(RedisUris.problem(uri)).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "localhost:6379 | Must start with redis://, rediss://, redis-socket:// or"
            + " redis-sentinel://",
        "redis:// | Must name a host, like redis://localhost:6379",
        "redis:///0 | Must name a host, like redis://localhost:6379",
        "redis://:pw@?timeout=1s | Must name a host, like redis://localhost:6379",
        "redis://:pass word@host | Must be a valid URI; percent-encode special characters (such as"
            + " space, # or %) in the password",
        "redis://h:abc | Must give the port as a number from 1 to 65535, but the port of h is"
            + " \"abc\"",
        "redis://:pw@h:0/1 | Must give the port as a number from 1 to 65535, but the port of h is"
            + " \"0\"",
        "redis://h1:7000,h2:99999 | Must give the port as a number from 1 to 65535, but the port of"
            + " h2 is \"99999\"",
        "redis://h: | Must give the port as a number from 1 to 65535, but the port of h is \"\"",
        "redis://[::1]:70000 | Must give the port as a number from 1 to 65535, but the port of"
            + " [::1] is \"70000\"",
        "redis://h1,,h2 | Must name a host between the commas of a seed list, like"
            + " redis://h1:7000,h2:7001",
        "redis://h:6379/abc | Must give the database after the host as a whole number like /0, but"
            + " it is /abc"
      })
  void problemsAreDescribedWithoutTheUri(String uri, String problem) {
    assertThat(RedisUris.problem(uri)).isEqualTo(problem);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://h:6379?timeout=abc | abc",
        "redis://h?timeout=0s | 0s",
        "redis://h?db=1&TimeOut=-1s | -1s"
      })
  void aTimeoutParameterMustBeAPositiveDuration(String uri, String value) {
    assertThat(RedisUris.problem(uri))
        .isEqualTo(
            "Must give the parameter timeout as a positive duration like"
                + " timeout=500ms or timeout=10s (units ns, us, ms, s, m, h, d), but it is timeout="
                + value);
  }

  @Test
  void aDatabaseParameterMustBeAWholeNumber() {
    assertThat(RedisUris.problem("redis://h:6379?database=abc"))
        .isEqualTo(
            "Must give the parameter database as a"
                + " whole number from 0 (like database=2), but it is database=abc");
    assertThat(RedisUris.problem("redis://h?password=pw&db="))
        .isEqualTo(
            "Must give the parameter db as a" + " whole number from 0 (like db=2), but it is db=");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://:Pa55-w0rd@host",
        "redis://:Pa55-w0rd@",
        "redis://:Pa55-w0rd x@host",
        "Pa55-w0rd@host",
        "redis://:Pa55-w0rd%@host",
        "redis://user:Pa55-w0rd@host/#a#b"
      })
  void noPasswordInAnyExceptionMessage(String uri) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new RedisOptions(
                    java.util.Optional.of(uri),
                    java.util.Optional.empty(),
                    RedisOptions.DEFAULT_COMMAND_TIMEOUT,
                    RedisOptions.DEFAULT_GUARD_TTL,
                    RedisOptions.Connect.BACKGROUND))
        .withMessageNotContaining(PASSWORD)
        .withMessageStartingWith("uri ");
    ConfigurationException fromProperty = catchConfig(Map.of("usagesink.redis.uri", uri), Map.of());
    ConfigurationException fromEnv = catchConfig(Map.of(), Map.of("REDIS_URL", uri));
    for (Throwable t = fromProperty; t != null; t = t.getCause()) {
      assertThat(t.getMessage()).doesNotContain(PASSWORD);
    }
    for (Throwable t = fromEnv; t != null; t = t.getCause()) {
      assertThat(t.getMessage()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void constructorMessageNamesTheSettingAndTheMaskedUri() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new RedisOptions(
                    java.util.Optional.of("tcp://a:Pa55-w0rd@h"),
                    java.util.Optional.empty(),
                    RedisOptions.DEFAULT_COMMAND_TIMEOUT,
                    RedisOptions.DEFAULT_GUARD_TTL,
                    RedisOptions.Connect.BACKGROUND))
        .withMessage(
            "uri tcp://a:***@h is invalid. "
                + "Must start with redis://, rediss://, redis-socket:// or redis-sentinel://.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://:Pa55-w0rd@host:6379",
        "rediss://user:Pa55-w0rd@host",
        "redis://Pa55-w0rd@h1:1,h2:2",
        "redis://host?password=Pa55-w0rd"
      })
  void noPasswordInToString(String uri) {
    SinkConfig config = SinkConfig.builder().redisUri(uri).build();
    assertThat(config.toString()).doesNotContain(PASSWORD);
    assertThat(RedisOptions.from(config).toString()).doesNotContain(PASSWORD).contains("***");
    assertThat(SinkConfig.from(Map.of(), Map.of("REDIS_URL", uri)).toString())
        .doesNotContain(PASSWORD);
  }

  private static ConfigurationException catchConfig(
      Map<String, String> properties, Map<String, String> env) {
    try {
      RedisOptions.from(SinkConfig.from(properties, env));
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigurationException");
  }
}
