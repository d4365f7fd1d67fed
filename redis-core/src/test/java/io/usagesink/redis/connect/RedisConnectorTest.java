package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code usagesink.redis.connect} setting and the classification of NOPERM, without a server.
 */
class RedisConnectorTest {

  private static SinkConfig with(String value) {
    return SinkConfig.builder().property(RedisConnector.CONNECT_PROPERTY, value).build();
  }

  @Test
  void backgroundIsTheDefault() {
    assertThat(RedisConnector.background(SinkConfig.builder().build())).isTrue();
    assertThat(RedisConnector.background(with(" "))).isTrue();
    assertThat(RedisConnector.background(with("background"))).isTrue();
  }

  @Test
  void failRestoresFailingAtStart() {
    assertThat(RedisConnector.background(with("fail"))).isFalse();
    assertThat(RedisConnector.background(with(" FAIL "))).isFalse();
    SinkConfig fromEnvironment =
        SinkConfig.from(Map.of(), Map.of("USAGESINK_REDIS_CONNECT", "fail"));
    assertThat(RedisConnector.background(fromEnvironment)).isFalse();
  }

  @Test
  void anyOtherValueIsAConfigurationError() {
    assertThatThrownBy(() -> RedisConnector.background(with("lazy")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.redis.connect=lazy. Must be background or fail.");
  }

  @Test
  void onlyANoPermToRunACommandIsACommandNoPerm() {
    assertThat(
            FailurePolicy.isCommandNoPerm(
                "NOPERM this user has no permissions to run the 'info' command"))
        .isTrue();
    assertThat(
            FailurePolicy.isCommandNoPerm(
                "NOPERM User app has no permissions to run the 'evalsha' command"))
        .isTrue();
    assertThat(
            FailurePolicy.isCommandNoPerm(
                "NOPERM this user has no permissions to access one of the keys used as arguments"))
        .isFalse();
    assertThat(FailurePolicy.isCommandNoPerm("NOPERM No permissions to access a key")).isFalse();
    assertThat(FailurePolicy.isCommandNoPerm("WRONGPASS invalid username-password pair")).isFalse();
  }
}
