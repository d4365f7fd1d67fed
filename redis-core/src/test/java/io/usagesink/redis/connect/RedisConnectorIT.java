package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.RedisConnectFailedException;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.redis.write.WriterChecks;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starting without Redis and failing at once on what a reachable Redis refuses (issue 8):
 * background connect, fail mode, wrong password, ACL users without the commands a writer needs or
 * without INFO, TLS to a plain port, close before connected.
 */
@ExtendWith(RedisExtension.class)
class RedisConnectorIT {

  private static final String PASSWORD = "s3cret-Pw-4711";
  private static final String WRONG = "wr0ng-Pw-0815";
  private static final Duration AWAIT = Duration.ofSeconds(30);

  /**
   * Ten seconds, the longest connect timeout: a first attempt that timed out on a loaded machine
   * would be transient, and {@code start} would then connect in the background instead of throwing
   * the refusal these tests expect from it.
   */
  private static SinkConfig config(String uri) {
    return SinkConfig.builder().redisUri(uri).commandTimeout(Duration.ofSeconds(10)).build();
  }

  private static String appUri(RedisServer redis, String password) {
    return "redis://app:" + password + "@127.0.0.1:" + redis.port();
  }

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

  private static Throwable failureOf(RedisConnector connector) throws InterruptedException {
    try {
      connector.connection().get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          "the connection future did not complete within " + AWAIT + ": " + connector.state());
    }
    throw new AssertionError("the connection future completed normally: " + connector.state());
  }

  @Test
  void aLiveServerIsConnectedAndCheckedAtStart(RedisServer redis) throws Exception {
    SinkConfig config = config(redis.uri());
    RedisConnector connector = RedisConnector.start(config, WriterChecks.luaWriter());
    assertThat(connector.connection()).isCompleted();
    RedisConnection c = connector.current().orElseThrow();
    assertThat(connector.state()).isEqualTo("connected to " + redis.uri());
    writeAndRead(c, config);
    connector.close();
    assertThat(c.isClosed()).isTrue();
    assertThat(connector.current()).isEmpty();
    assertThat(connector.state()).startsWith("closed");
  }

  @Test
  void redisDownAtStartIsConnectedInTheBackgroundWhenItComesUp(@IsolatedRedis RedisServer redis)
      throws Exception {
    redis.stop();
    SinkConfig config = config(redis.uri());
    try (RedisConnector connector = RedisConnector.start(config, WriterChecks.pipelineWriter())) {
      assertThat(connector.connection()).isNotDone();
      assertThat(connector.current()).isEmpty();
      assertThat(connector.state()).startsWith("connecting to " + redis.uri() + " (last error: ");
      Thread.sleep(2_500); // Redis comes up a while later
      assertThat(connector.connection()).isNotDone();
      assertThat(connector.state()).matches("connecting to .* \\(last error: .*, \\d+ attempts\\)");
      redis.restart();
      RedisConnection c = connector.connection().get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(connector.current()).containsSame(c);
      assertThat(connector.state()).isEqualTo("connected to " + redis.uri());
      writeAndRead(c, config);
    }
  }

  @Test
  void failModeThrowsWhenRedisIsDown(@IsolatedRedis RedisServer redis) {
    redis.stop();
    SinkConfig config =
        config("redis://u:" + PASSWORD + "@127.0.0.1:" + redis.port()).toBuilder()
            .property(RedisConnector.CONNECT_PROPERTY, "fail")
            .build();
    Throwable thrown =
        catchThrowable(() -> RedisConnector.start(config, ConnectionCheck.none()).close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "cannot connect to Redis at redis://u:***@127.0.0.1:" + redis.port() + ": ");
    assertThat(((RedisConnectFailedException) thrown).isFatal()).isFalse();
    assertThat(everything(thrown)).doesNotContain(PASSWORD);
  }

  @Test
  void anInvalidConnectSettingIsAConfigurationError(RedisServer redis) {
    SinkConfig config =
        config(redis.uri()).toBuilder()
            .property(RedisConnector.CONNECT_PROPERTY, "sometimes")
            .build();
    assertThatThrownBy(() -> RedisConnector.start(config, ConnectionCheck.none()).close())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.redis.connect=sometimes. Must be background or"
                + " fail.");
  }

  @Test
  void aWrongPasswordFailsStartNamingTheMaskedUri(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis) {
    Throwable thrown =
        catchThrowable(
            () ->
                RedisConnector.start(config(appUri(redis, WRONG)), WriterChecks.luaWriter())
                    .close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "cannot authenticate to Redis at redis://app:***@127.0.0.1:" + redis.port() + ": ")
        .hasMessageContaining("WRONGPASS")
        .hasMessageContaining("check the user and password of usagesink.redis.uri");
    assertThat(((RedisConnectFailedException) thrown).isFatal()).isTrue();
    assertThat(everything(thrown)).doesNotContain(WRONG).doesNotContain(PASSWORD);
  }

  @Test
  void aWrongPasswordMetInTheBackgroundFailsTheFutureAndStopsTrying(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD) RedisServer redis) throws Exception {
    redis.stop();
    try (RedisConnector connector =
        RedisConnector.start(config(appUri(redis, WRONG)), ConnectionCheck.none())) {
      assertThat(connector.connection()).isNotDone();
      redis.restart();
      Throwable failure = failureOf(connector);
      assertThat(failure)
          .isInstanceOf(RedisConnectFailedException.class)
          .hasMessageStartingWith(
              "cannot authenticate to Redis at redis://app:***@127.0.0.1:" + redis.port());
      assertThat(everything(failure)).doesNotContain(WRONG);
      assertThat(connector.state())
          .startsWith("failed to connect to redis://app:***@127.0.0.1:" + redis.port());
      assertThat(connector.current()).isEmpty();
    }
  }

  @Test
  void anAclUserWithoutEvalshaFailsTheLuaCheckAtStart(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis)
      throws Exception {
    redis.command("ACL", "SETUSER", "app", "-evalsha", "-eval");
    Throwable thrown =
        catchThrowable(
            () ->
                RedisConnector.start(config(appUri(redis, PASSWORD)), WriterChecks.luaWriter())
                    .close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "cannot use Redis at redis://app:***@127.0.0.1:"
                + redis.port()
                + ": EVALSHA is refused: NOPERM")
        .hasMessageContaining("'evalsha'")
        .hasMessageContaining("ACL SETUSER <user> +evalsha");
    assertThat(((RedisConnectFailedException) thrown).isFatal()).isTrue();
    assertThat(everything(thrown)).doesNotContain(PASSWORD);
    // the pipeline writer needs no scripting: the same user connects for it
    try (RedisConnector connector =
        RedisConnector.start(config(appUri(redis, PASSWORD)), WriterChecks.pipelineWriter())) {
      assertThat(connector.current()).isPresent();
    }
  }

  @Test
  void anAclUserWithoutHincrbyFailsThePipelineCheckAndNothingIsWritten(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis) {
    redis.command("ACL", "SETUSER", "app", "-hincrby");
    assertThatThrownBy(
            () ->
                RedisConnector.start(config(appUri(redis, PASSWORD)), WriterChecks.pipelineWriter())
                    .close())
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageContaining("HINCRBY is refused: NOPERM")
        .hasMessageContaining("ACL SETUSER <user> +hincrby");
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void anAclUserLimitedToKeyPatternsPassesTheChecks(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis)
      throws Exception {
    redis.command("ACL", "SETUSER", "app", "resetkeys", "~usage:*");
    for (ConnectionCheck check : List.of(WriterChecks.pipelineWriter(), WriterChecks.luaWriter())) {
      try (RedisConnector connector =
          RedisConnector.start(config(appUri(redis, PASSWORD)), check)) {
        assertThat(connector.current()).isPresent();
      }
    }
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void anAclUserWithoutInfoConnectsToASingleServer(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis)
      throws Exception {
    redis.command("ACL", "SETUSER", "app", "-info");
    SinkConfig config = config(appUri(redis, PASSWORD));
    try (RedisConnector connector = RedisConnector.start(config, WriterChecks.luaWriter())) {
      RedisConnection c = connector.current().orElseThrow();
      assertThat(c.isCluster()).isFalse();
      writeAndRead(c, config);
    }
    // without CLUSTER either, a single server is assumed
    redis.command("ACL", "SETUSER", "app", "-cluster");
    try (RedisConnection c = RedisConnection.open(config)) {
      assertThat(c.isCluster()).isFalse();
    }
  }

  @Test
  void anAclUserWithoutInfoIsToldAboutThePermissionNotThePassword(
      @IsolatedRedis(aclUser = "app", aclPassword = PASSWORD, processControl = false)
          RedisServer redis) {
    // forced cluster mode on a server whose user may not run CLUSTER: a permission error, not a
    // password one
    redis.command("ACL", "SETUSER", "app", "-info", "-cluster");
    SinkConfig config = config(appUri(redis, PASSWORD)).toBuilder().redisCluster(true).build();
    Throwable thrown = catchThrowable(() -> RedisConnection.open(config).close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageContaining("NOPERM")
        .hasMessageNotContaining("password");
  }

  @Test
  void tlsToAPlainPortSaysSo(RedisServer redis) {
    String uri = "rediss://127.0.0.1:" + redis.port();
    SinkConfig config =
        SinkConfig.builder().redisUri(uri).build(); // default command timeout (10 s)
    Throwable thrown =
        catchThrowable(() -> RedisConnector.start(config, ConnectionCheck.none()).close());
    assertThat(thrown)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessage(
            "cannot connect to Redis at "
                + uri
                + ": the server did not complete a TLS handshake, and a"
                + " plain (non-TLS) Redis answers on port "
                + redis.port()
                + ": rediss:// is pointing at a non-TLS"
                + " port; use redis:// or the server's tls-port");
    assertThat(((RedisConnectFailedException) thrown).isFatal()).isTrue();
    assertThatThrownBy(
            () -> RedisConnection.open(config.toBuilder().redisCluster(false).build()).close())
        .hasMessageContaining("rediss:// is pointing at a non-TLS port");
  }

  @Test
  void closingBeforeConnectedFailsTheFuture(@IsolatedRedis RedisServer redis) throws Exception {
    redis.stop();
    RedisConnector connector = RedisConnector.start(config(redis.uri()), ConnectionCheck.none());
    connector.close();
    Throwable failure = failureOf(connector);
    assertThat(failure)
        .isInstanceOf(RedisConnectFailedException.class)
        .hasMessageStartingWith(
            "the connector to " + redis.uri() + " was closed before it connected");
    assertThat(connector.state()).startsWith("closed");
    connector.close(); // idempotent
    redis.restart();
    Thread.sleep(1_500); // a stopped connector does not connect
    assertThat(connector.current()).isEmpty();
    assertThat(connector.connection()).isCompletedExceptionally();
  }

  @Test
  void aClusterIsDetectedAndCheckedForBothWriters(RedisClusterHandle cluster) throws Exception {
    SinkConfig config = config(cluster.uri());
    for (ConnectionCheck check : List.of(WriterChecks.luaWriter(), WriterChecks.pipelineWriter())) {
      try (RedisConnector connector = RedisConnector.start(config, check)) {
        assertThat(connector.current().orElseThrow().isCluster()).isTrue();
      }
    }
    try (RedisConnector connector = RedisConnector.start(config, WriterChecks.luaWriter())) {
      writeAndRead(connector.current().orElseThrow(), config);
    }
  }
}
