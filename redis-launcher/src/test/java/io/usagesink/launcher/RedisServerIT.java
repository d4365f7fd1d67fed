package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fixture's standalone server against a real redis-server, driven through Lettuce. */
class RedisServerIT {
  private static ClientResources resources;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void createResources() {
    resources = DefaultClientResources.create();
  }

  @AfterAll
  static void shutdownResources() {
    resources.shutdown();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private RedisServer start(RedisFixture.Builder builder) {
    RedisServer server = builder.start();
    toClose.add(server);
    return server;
  }

  private StatefulRedisConnection<String, String> connect(String uri) {
    RedisClient client = RedisClient.create(resources, uri);
    toClose.add(client::shutdown);
    StatefulRedisConnection<String, String> connection = client.connect();
    toClose.add(connection);
    return connection;
  }

  @Test
  void startsOnAFreeLoopbackPortAndIsGoneAfterClose() {
    RedisServer server = RedisFixture.builder().start();

    assertThat(server.uri())
        .matches("redis://127\\.0\\.0\\.1:\\d+")
        .isEqualTo("redis://127.0.0.1:" + server.port());
    assertThat(server.port()).isNotEqualTo(6379);
    assertThat(server.isRunning()).isTrue();
    assertThat(server.command("PING")).isEqualTo("PONG");

    server.close();

    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
        .isInstanceOf(IOException.class);
    assertThatThrownBy(server::flushAll)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is closed");
  }

  @Test
  void flushAllEmptiesEveryDatabase() {
    RedisServer server = start(RedisFixture.builder());
    var redis = connect(server.uri()).sync();
    redis.set("a", "1");
    redis.select(1);
    redis.set("b", "2");

    server.flushAll();

    assertThat(server.dbSize()).isZero();
    assertThat(redis.dbsize()).isZero();
  }

  @Test
  void commandStatsCountEachHincrby() {
    RedisServer server = start(RedisFixture.builder());
    var redis = connect(server.uri()).sync();
    CommandStats before = server.commandStats();

    redis.hincrby("h", "a", 1);
    redis.hincrby("h", "b", 2);
    redis.hincrby("h", "a", 3);

    CommandStats delta = server.commandStats().minus(before);
    assertThat(delta.calls("hincrby")).isEqualTo(3);
    assertThat(delta.without("info", "hello", "client|setinfo").asMap())
        .containsOnlyKeys("hincrby");
  }

  @Test
  void commandsRunInsideAScriptAreCountedUnderTheirOwnName() {
    RedisServer server = start(RedisFixture.builder());
    var redis = connect(server.uri()).sync();
    String sha =
        redis.scriptLoad(
            "redis.call('hincrby', KEYS[1], 'a', 1); redis.call('hincrby', KEYS[1], 'b', 1);"
                + " return redis.call('hincrby', KEYS[1], 'c', 1)");
    server.resetStats();

    Long result = redis.evalsha(sha, ScriptOutputType.INTEGER, "h");

    assertThat(result).isEqualTo(1);
    CommandStats stats = server.commandStats();
    assertThat(stats.calls("evalsha")).isEqualTo(1);
    assertThat(stats.calls("hincrby")).isEqualTo(3);
  }

  @Test
  void resetStatsZeroesTheCounts() {
    RedisServer server = start(RedisFixture.builder());
    connect(server.uri()).sync().set("k", "v");

    server.resetStats();

    assertThat(server.commandStats().calls("set")).isZero();
  }

  @Test
  void killClientsDropsALettuceConnectionWhichReconnects() {
    RedisServer server = start(RedisFixture.builder());
    StatefulRedisConnection<String, String> connection = connect(server.uri());
    connection.sync().set("k", "v");
    Long idBefore = connection.sync().clientId();

    long killed = server.killClients();

    assertThat(killed).isEqualTo(1);
    assertThat(eventually(() -> connection.sync().clientId())).isNotEqualTo(idBefore);
    assertThat(connection.sync().get("k")).isEqualTo("v");
    assertThat(server.command("PING")).isEqualTo("PONG"); // the admin connection was skipped
  }

  @Test
  void scriptFlushMakesEvalshaFailWithNoscript() {
    RedisServer server = start(RedisFixture.builder());
    var redis = connect(server.uri()).sync();
    String sha = redis.scriptLoad("return 1");

    server.scriptFlush();

    assertThatThrownBy(() -> redis.evalsha(sha, ScriptOutputType.INTEGER))
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageStartingWith("NOSCRIPT");
  }

  @Test
  void pauseMakesACommandTimeOut() {
    RedisServer server = start(RedisFixture.builder());
    StatefulRedisConnection<String, String> connection = connect(server.uri());
    connection.sync().ping();
    connection.setTimeout(Duration.ofMillis(100));

    server.pause(Duration.ofMillis(600));

    assertThatThrownBy(() -> connection.sync().set("k", "v"))
        .isInstanceOf(RedisCommandTimeoutException.class);
    assertThat(server.dbSize())
        .isEqualTo(1); // admin calls wait for the pause; then the SET has run
  }

  @Test
  void pauseWritesLetsReadsThrough() {
    RedisServer server = start(RedisFixture.builder());
    StatefulRedisConnection<String, String> connection = connect(server.uri());
    connection.sync().set("k", "v");
    connection.setTimeout(Duration.ofMillis(100));

    server.pauseWrites(Duration.ofMillis(600));

    assertThat(connection.sync().get("k")).isEqualTo("v");
    assertThatThrownBy(() -> connection.sync().set("k", "w"))
        .isInstanceOf(RedisCommandTimeoutException.class);
  }

  @Test
  void killAndRestartWithAofAlwaysKeepsEveryAcknowledgedWrite() {
    RedisServer server =
        start(RedisFixture.builder().persistence(Persistence.AOF_ALWAYS).processControl(true));
    int port = server.port();
    StatefulRedisConnection<String, String> connection = connect(server.uri());
    for (int i = 0; i < 100; i++) {
      connection.sync().hincrby("counts", "n", 1);
    }

    server.kill();
    assertThat(server.isRunning()).isFalse();
    server.restart();

    assertThat(server.port()).isEqualTo(port);
    assertThat(server.isRunning()).isTrue();
    assertThat(eventually(() -> connection.sync().hget("counts", "n"))).isEqualTo("100");
  }

  @Test
  void killAndRestartWithoutAofLosesTheData() {
    RedisServer server = start(RedisFixture.builder().processControl(true));
    StatefulRedisConnection<String, String> connection = connect(server.uri());
    connection.sync().set("k", "v");

    server.kill();
    server.restart();

    assertThat(eventually(() -> connection.sync().exists("k"))).isZero();
    assertThat(server.dbSize()).isZero();
  }

  @Test
  void stopThenRestartWithAofKeepsTheData() {
    RedisServer server =
        start(RedisFixture.builder().persistence(Persistence.AOF_EVERYSEC).processControl(true));
    connect(server.uri()).sync().set("k", "v");

    server.stop();
    assertThat(server.isRunning()).isFalse();
    server.restart();

    assertThat(server.command("GET", "k")).isEqualTo("v");
  }

  @Test
  void aclUserAuthenticatesAndAWrongPasswordFailsWithoutShowingIt() {
    RedisServer server = start(RedisFixture.builder().aclUser("app", "s3cret-pw!"));

    assertThat(server.username()).contains("app");
    assertThat(server.authenticatedUri())
        .isEqualTo("redis://app:s3cret-pw%21@127.0.0.1:" + server.port());
    assertThat(connect(server.authenticatedUri()).sync().aclWhoami()).isEqualTo("app");

    RedisURI wrong =
        RedisURI.builder()
            .withHost("127.0.0.1")
            .withPort(server.port())
            .withAuthentication("app", "not-the-password")
            .build();
    RedisClient client = RedisClient.create(resources, wrong);
    toClose.add(client::shutdown);
    assertThatThrownBy(client::connect)
        .isInstanceOf(RedisException.class)
        .satisfies(
            e -> assertThat(messages(e)).contains("WRONGPASS").doesNotContain("not-the-password"));
    assertThat(server.toString()).doesNotContain("s3cret");
  }

  @Test
  void requirePassRefusesClientsWithoutIt() {
    RedisServer server = start(RedisFixture.builder().requirePass("adminpw"));

    assertThat(server.authenticatedUri())
        .isEqualTo("redis://default:adminpw@127.0.0.1:" + server.port());
    assertThat(connect(server.authenticatedUri()).sync().ping()).isEqualTo("PONG");
    server.flushAll(); // the fixture's admin connection authenticates
    RedisClient client = RedisClient.create(resources, server.uri());
    toClose.add(client::shutdown);
    assertThatThrownBy(
            () -> {
              try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().ping();
              }
            })
        .isInstanceOf(RedisException.class)
        .satisfies(e -> assertThat(messages(e)).contains("NOAUTH"));
  }

  @Test
  void tlsServerAcceptsATlsClientThatTrustsItsCertificate() {
    assumeThat(RedisFixture.tlsUnavailableReason()).as("TLS support").isEmpty();
    RedisServer server = start(RedisFixture.builder().tls(true));

    assertThat(server.tlsUri())
        .matches("rediss://127\\.0\\.0\\.1:\\d+")
        .isNotEqualTo("rediss://127.0.0.1:" + server.port());
    RedisClient client = RedisClient.create(resources, server.tlsUri());
    toClose.add(client::shutdown);
    client.setOptions(
        ClientOptions.builder()
            .sslOptions(
                SslOptions.builder()
                    .jdkSslProvider()
                    .trustManager(server.caCertificate().orElseThrow().toFile())
                    .build())
            .build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void tlsClientWithoutTheCertificateFailsUnlessItSkipsVerification() {
    assumeThat(RedisFixture.tlsUnavailableReason()).as("TLS support").isEmpty();
    RedisServer server = start(RedisFixture.builder().tls(true));

    RedisClient strict = RedisClient.create(resources, server.tlsUri());
    toClose.add(strict::shutdown);
    assertThatThrownBy(strict::connect).isInstanceOf(RedisException.class);

    assertThat(connect(server.tlsUri() + "?verifyPeer=NONE").sync().ping()).isEqualTo("PONG");
  }

  @Test
  void processControlIsRefusedForAServerTheFixtureDoesNotOwn() {
    RedisServer local = start(RedisFixture.builder());
    try (ExternalRedisServer external = ExternalRedisServer.connect(local.uri())) {
      external.flushAll();

      assertThat(external.supportsProcessControl()).isFalse();
      assertThatThrownBy(external::restart)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("is EXTERNAL");
    }
    assertThat(local.isRunning()).isTrue(); // closing the external handle leaves the server alone
  }

  @Test
  void anUnreachableRedisUrlSaysSo() {
    int port = FreePorts.pick(1)[0];
    assertThatThrownBy(() -> ExternalRedisServer.connect("redis://:pw@127.0.0.1:" + port))
        .isInstanceOf(RedisFixtureException.class)
        .hasMessageStartingWith(
            "USAGESINK_TEST_REDIS_URL=redis://:***@127.0.0.1:"
                + port
                + " is set but that server does not answer")
        .hasMessageNotContaining(":pw@");
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }

  /** Retries a command while Lettuce is still reconnecting (bounded; not a timing assertion). */
  private static <T> T eventually(java.util.function.Supplier<T> command) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        return command.get();
      } catch (RedisException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }
}
