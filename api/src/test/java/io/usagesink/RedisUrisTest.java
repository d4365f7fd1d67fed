package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Masking and validation of Redis URIs: the password never leaks. */
class RedisUrisTest {

  private static final String PASSWORD = "Pa55-w0rd";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis://:Pa55-w0rd@host:6379/0 | redis://:***@host:6379/0",
      "redis://app:Pa55-w0rd@host | redis://app:***@host",
      "rediss://default:Pa55-w0rd@cache.example.com:6380 | rediss://default:***@cache.example.com:6380",
      "redis://Pa55-w0rd@h1:7000,h2:7001,h3:7002 | redis://***@h1:7000,h2:7001,h3:7002",
      "redis-sentinel://:Pa55-w0rd@s1:26379,s2:26379/0#mymaster | redis-sentinel://:***@s1:26379,s2:26379/0#mymaster",
      "redis-socket://:Pa55-w0rd@/tmp/redis.sock | redis-socket://:***@/tmp/redis.sock",
      "redis://:p@55@w0rd@host | redis://:***@host",
      "redis://host:6379?password=Pa55-w0rd&timeout=5s | redis://host:6379?password=***&timeout=5s",
      "user:Pa55-w0rd@host:6379 | user:***@host:6379",
      "redis://host:6379/0 | redis://host:6379/0",
      "redis://h1:1,h2:2 | redis://h1:1,h2:2"})
  void maskHidesEveryPassword(String uri, String masked) {
    assertThat(RedisUris.mask(uri)).isEqualTo(masked);
  }

  @Test
  void maskOfNullIsNull() {
    assertThat(RedisUris.mask(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "redis://localhost", "redis://localhost:6379/2", "rediss://u:p@h:6380", "redis://p@h1:1,h2:2",
      "redis-socket:///var/run/redis.sock", "redis-sentinel://s1:26379,s2:26379/0#mymaster",
      "REDIS://LOCALHOST"})
  void usableUrisHaveNoProblem(String uri) {
    assertThat(RedisUris.problem(uri)).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "localhost:6379 | Must start with redis://, rediss://, redis-socket:// or redis-sentinel://",
      "redis:// | Must name a host, like redis://localhost:6379",
      "redis:///0 | Must name a host, like redis://localhost:6379",
      "redis://:pw@?timeout=1s | Must name a host, like redis://localhost:6379",
      "redis://:pass word@host | Must be a valid URI; percent-encode special characters (such as space, # or %) in the password"})
  void problemsAreDescribedWithoutTheUri(String uri, String problem) {
    assertThat(RedisUris.problem(uri)).isEqualTo(problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://:Pa55-w0rd@host", "redis://:Pa55-w0rd@", "redis://:Pa55-w0rd x@host", "Pa55-w0rd@host",
      "redis://:Pa55-w0rd%@host", "redis://user:Pa55-w0rd@host/#a#b"})
  void noPasswordInAnyExceptionMessage(String uri) {
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().redisUri(uri))
        .withMessageNotContaining(PASSWORD)
        .withMessageStartingWith("redisUri ");
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
  void builderMessageNamesTheSettingAndTheMaskedUri() {
    assertThatIllegalArgumentException().isThrownBy(() -> SinkConfig.builder().redisUri("tcp://a:Pa55-w0rd@h"))
        .withMessage("redisUri tcp://a:***@h is invalid. "
            + "Must start with redis://, rediss://, redis-socket:// or redis-sentinel://.");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "redis://:Pa55-w0rd@host:6379", "rediss://user:Pa55-w0rd@host", "redis://Pa55-w0rd@h1:1,h2:2",
      "redis://host?password=Pa55-w0rd"})
  void noPasswordInToString(String uri) {
    SinkConfig config = SinkConfig.builder().redisUri(uri).build();
    assertThat(config.toString()).doesNotContain(PASSWORD).contains("***");
    assertThat(config.maskedRedisUri()).hasValueSatisfying(m -> assertThat(m).doesNotContain(PASSWORD));
    assertThat(SinkConfig.from(Map.of(), Map.of("REDIS_URL", uri)).toString()).doesNotContain(PASSWORD);
  }

  private static ConfigurationException catchConfig(Map<String, String> properties, Map<String, String> env) {
    try {
      SinkConfig.from(properties, env);
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigurationException");
  }
}
