package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections from URIs against real servers: detection, ACL, wrong passwords, TLS, database index.
 */
@ExtendWith(RedisExtension.class)
class RedisConnectionIT {

  private static final String PASSWORD = "s3cret-Pw-4711";
  private static final String WRONG = "wr0ng-Pw-0815";

  private static void writeAndRead(RedisConnection c, SinkConfig config) throws Exception {
    PlanWriters.lua(c, config)
        .write(UsagePlan.builder().increment("usage:probe", "totalRequests", 1).build(), "probe")
        .get(10, TimeUnit.SECONDS);
    assertThat(UsageReader.of(c, config).key("probe", UsagePeriod.allTime()).requests())
        .isEqualTo(1);
  }

  private static String everything(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void aSingleServerIsDetectedAsNoCluster(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      assertThat(c.isCluster()).isFalse();
      writeAndRead(c, config);
    }
  }

  @Test
  void aClusterNodeIsDetectedAndCommandsAreRoutedBySlot(RedisClusterHandle cluster)
      throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(cluster.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      assertThat(c.isCluster()).isTrue();
      writeAndRead(c, config);
    }
    SinkConfig seeds = SinkConfig.builder().redisUri(cluster.seedUri()).build();
    try (RedisConnection c = RedisConnection.open(seeds)) {
      assertThat(c.isCluster()).isTrue();
    }
  }

  @Test
  void clusterModeCanBeForced(RedisServer redis) {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).redisCluster(true).build();
    // a cluster client cannot work with a server that is no cluster: a clear error, not a hang
    assertThatThrownBy(() -> RedisConnection.open(config).close())
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageContaining("Redis Cluster at " + redis.uri());
    SinkConfig off = SinkConfig.builder().redisUri(redis.uri()).redisCluster(false).build();
    try (RedisConnection c = RedisConnection.open(off)) {
      assertThat(c.isCluster()).isFalse();
    }
  }

  @Test
  void anAclUserWithItsPasswordConnects(
      @IsolatedRedis(
              aclUser = "app",
              aclPassword = PASSWORD,
              requirePass = "other-" + PASSWORD,
              processControl = false)
          RedisServer redis)
      throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.authenticatedUri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      writeAndRead(c, config);
      assertThat(c.toString()).doesNotContain(PASSWORD).contains("app:***@");
      assertThat(c.maskedUri()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void aWrongPasswordGivesAClearErrorThatNeverShowsThePassword(
      @IsolatedRedis(
              aclUser = "app",
              aclPassword = PASSWORD,
              requirePass = "other-" + PASSWORD,
              processControl = false)
          RedisServer redis) {
    String uri = redis.authenticatedUri().replace(PASSWORD, WRONG);
    SinkConfig config = SinkConfig.builder().redisUri(uri).build();
    assertThat(config.toString()).doesNotContain(WRONG);
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(() -> RedisConnection.open(config).close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "cannot authenticate to Redis at redis://app:***@127.0.0.1:" + redis.port())
        .hasMessageContaining("WRONGPASS")
        .hasMessageContaining("check the user and password of usagesink.redis.uri");
    assertThat(everything(thrown)).doesNotContain(WRONG).doesNotContain(PASSWORD);
  }

  @Test
  void anUnreachableServerGivesAClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SinkConfig config =
        SinkConfig.builder()
            .redisUri("redis://u:" + PASSWORD + "@127.0.0.1:" + port)
            .commandTimeout(java.time.Duration.ofSeconds(2))
            .build();
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(() -> RedisConnection.open(config).close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "cannot connect to Redis at redis://u:***@127.0.0.1:" + port + ": ");
    assertThat(everything(thrown)).doesNotContain(PASSWORD);
  }

  @Test
  void noUriIsAConfigurationError() {
    assertThatThrownBy(() -> RedisConnection.open(SinkConfig.builder().build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "usagesink.redis.uri (or REDIS_URL) is not set; set it to the Redis to write to, e.g. "
                + "redis://localhost:6379 or rediss://user:password@host:6380/0");
  }

  @Test
  void theDatabaseOfTheUriIsUsed(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri() + "/3").build();
    try (RedisConnection c = RedisConnection.open(config)) {
      writeAndRead(c, config);
    }
    assertThat(redis.dbSize()).as("keys in database 0").isZero();
    assertThat(redis.info("keyspace")).contains("db3:keys=");
  }

  @Test
  void tlsWithTheServersCaConnects(@IsolatedRedis(tls = true) RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.tlsUri())
            .property(
                RedisConnection.TLS_CA_FILE_PROPERTY,
                redis.caCertificate().orElseThrow().toString())
            .build();
    try (RedisConnection c = RedisConnection.open(config)) {
      writeAndRead(c, config);
    }
  }

  @Test
  void tlsWithAnUntrustedCertificateIsRefused(@IsolatedRedis(tls = true) RedisServer redis) {
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.tlsUri())
            .commandTimeout(java.time.Duration.ofSeconds(3))
            .build();
    assertThatThrownBy(() -> RedisConnection.open(config).close())
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith("cannot connect to Redis at " + redis.tlsUri());
  }

  @Test
  void aMissingCaFileIsAConfigurationError(RedisServer redis) {
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri().replace("redis://", "rediss://"))
            .property(RedisConnection.TLS_CA_FILE_PROPERTY, "/no/such/ca.pem")
            .build();
    assertThatThrownBy(() -> RedisConnection.open(config))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.redis.tls.ca-file=/no/such/ca.pem. "
                + "Must be a readable PEM file of CA certificates.");
  }
}
