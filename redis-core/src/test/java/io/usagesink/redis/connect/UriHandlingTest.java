package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** URI parsing and masking without a server (TLS, ACL, database, cluster seeds). */
class UriHandlingTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(7);

  private static RedisCredentials credentials(RedisURI u) {
    return u.getCredentialsProvider().resolveCredentials().block();
  }

  @Test
  void aRedissUriWithAclUserAndDatabaseIsParsedForTls() {
    List<RedisURI> nodes =
        RedisUriParsing.parse("rediss://app:s3cret@cache.example:6380/2", TIMEOUT);
    assertThat(nodes).hasSize(1);
    RedisURI u = nodes.get(0);
    assertThat(u.isSsl()).isTrue();
    assertThat(u.getHost()).isEqualTo("cache.example");
    assertThat(u.getPort()).isEqualTo(6380);
    assertThat(u.getDatabase()).isEqualTo(2);
    assertThat(credentials(u).getUsername()).isEqualTo("app");
    assertThat(new String(credentials(u).getPassword())).isEqualTo("s3cret");
    assertThat(u.getTimeout()).isEqualTo(TIMEOUT);
    assertThat(u.toString()).doesNotContain("s3cret");
  }

  @Test
  void aPasswordWithoutUserIsTheDefaultUsersPassword() {
    RedisURI u = RedisUriParsing.parse("redis://:pw@localhost:6379", TIMEOUT).get(0);
    assertThat(u.isSsl()).isFalse();
    assertThat(credentials(u).hasUsername()).isFalse();
    assertThat(new String(credentials(u).getPassword())).isEqualTo("pw");
  }

  @Test
  void commaSeparatedHostsAreClusterSeeds() {
    List<RedisURI> nodes = RedisUriParsing.parse("rediss://u:pw@h1:7000,h2:7001,h3", TIMEOUT);
    assertThat(nodes).extracting(RedisURI::getHost).containsExactly("h1", "h2", "h3");
    assertThat(nodes).extracting(RedisURI::getPort).containsExactly(7000, 7001, 6379);
    assertThat(nodes)
        .allSatisfy(
            n -> {
              assertThat(n.isSsl()).isTrue();
              assertThat(credentials(n).getUsername()).isEqualTo("u");
              assertThat(new String(credentials(n).getPassword())).isEqualTo("pw");
            });
  }

  @Test
  void anUnparsableUriIsAConfigurationErrorWithoutThePassword() {
    assertThatThrownBy(() -> RedisUriParsing.parse("redis://u:topsecret@host:1/x", TIMEOUT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "Invalid value for property usagesink.redis.uri=redis://u:***@host:1/x. Must be a Redis"
                + " URI like redis://[user:password@]host[:port][/database] or rediss://...")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
  }

  @Test
  void maskingHidesThePasswordAndALoneUserInfo() {
    assertThat(RedisUriMask.mask("redis://app:pw@h:1/0")).isEqualTo("redis://app:***@h:1/0");
    assertThat(RedisUriMask.mask("rediss://:pw@h")).isEqualTo("rediss://:***@h");
    assertThat(RedisUriMask.mask("redis://pw@h")).isEqualTo("redis://***@h");
    assertThat(RedisUriMask.mask("redis://h:6379")).isEqualTo("redis://h:6379");
    assertThat(RedisUriMask.passwords("redis://app:p@ss@h")).containsExactly("p@ss");
    assertThat(RedisUriMask.mask("redis://app:p@ss@h")).isEqualTo("redis://app:***@h");
    assertThat(RedisUriMask.scrub("WRONGPASS for p@ss", "redis://app:p@ss@h"))
        .isEqualTo("WRONGPASS for ***");
  }
}
