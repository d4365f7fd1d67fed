package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExternalRedisServerTest {
  @Test
  void parsesCredentialsAndStripsThemFromUriAndToString() {
    try (ExternalRedisServer server =
        ExternalRedisServer.parse("redis://app:p%40ss@10.1.2.3:6390/2")) {
      assertThat(server.host()).isEqualTo("10.1.2.3");
      assertThat(server.port()).isEqualTo(6390);
      assertThat(server.username()).contains("app");
      assertThat(server.password()).contains("p@ss");
      assertThat(server.uri()).isEqualTo("redis://10.1.2.3:6390/2");
      assertThat(server.authenticatedUri()).isEqualTo("redis://app:p%40ss@10.1.2.3:6390/2");
      assertThat(server.toString()).isEqualTo("external Redis[redis://app:***@10.1.2.3:6390/2]");
      assertThat(server.supportsProcessControl()).isFalse();
    }
  }

  @Test
  void killIsUnsupportedWithTheReason() {
    try (ExternalRedisServer server =
        ExternalRedisServer.parse("rediss://secret@redis.example:6380")) {
      assertThat(server.tlsEnabled()).isTrue();
      assertThat(server.username()).isEmpty();
      assertThatThrownBy(server::kill)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageStartingWith(
              "kill() needs a redis-server process started by the fixture, but external"
                  + " Redis[rediss://***@redis.example:6380] is EXTERNAL")
          .hasMessageNotContaining("secret");
    }
  }

  @Test
  void rejectsClusterAndSentinelSchemes() {
    assertThatThrownBy(() -> ExternalRedisServer.parse("redis-sentinel://:pw@h:26379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "USAGESINK_TEST_REDIS_URL=redis-sentinel://:***@h:26379 must start with redis:// or"
                + " rediss://");
  }
}
