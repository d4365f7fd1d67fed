package io.usagesink.testkit.redis.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.launcher.Persistence;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a test class using the extension sees: the shared server, own servers, the shared cluster.
 */
@ExtendWith(RedisExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisExtensionIT {
  private static RedisServer sharedFromBeforeAll;

  @BeforeAll
  static void rememberShared(RedisServer redis) {
    sharedFromBeforeAll = redis;
  }

  @Test
  @Order(1)
  void theSharedServerIsTheSameInstanceEverywhere(RedisServer redis) {
    assertThat(redis).isSameAs(sharedFromBeforeAll);
    assertThat(redis.uri()).startsWith("redis://");
  }

  @Test
  @Order(2)
  void leavesDataAndStatsBehind(RedisServer redis) {
    redis.command("SET", "left", "behind");
    redis.command("HINCRBY", "h", "f", "1");
    assertThat(redis.dbSize()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void startsEachTestOnAnEmptyServerWithZeroedStats(RedisServer redis) {
    assertThat(redis.dbSize()).isZero();
    assertThat(redis.commandStats().calls("hincrby")).isZero();
  }

  @Test
  @Order(4)
  void killsTheSharedServer(RedisServer redis) {
    if (redis.supportsProcessControl()) {
      redis.kill();
      assertThat(redis.isRunning()).isFalse();
    }
  }

  @Test
  @Order(5)
  void findsAKilledSharedServerRestarted(RedisServer redis) {
    assertThat(redis.isRunning()).isTrue();
    assertThat(redis.command("PING")).isEqualTo("PONG");
  }

  @Test
  @Order(6)
  void anIsolatedServerIsAnotherProcessWithItsOptions(
      RedisServer shared, @IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer own) {
    assertThat(own.port()).isNotEqualTo(shared.port());
    assertThat(own.supportsProcessControl()).isTrue();
    assertThat(own.info("persistence")).contains("aof_enabled:1");
    own.command("SET", "k", "v");
    own.kill();
    own.restart();
    assertThat(own.command("GET", "k")).isEqualTo("v");
    assertThat(shared.dbSize()).isZero();
  }

  @Test
  @Order(7)
  void anIsolatedServerCanRequireAnAclUser(
      @IsolatedRedis(aclUser = "app", aclPassword = "pw-1") RedisServer own) {
    assertThat(own.authenticatedUri()).startsWith("redis://app:pw-1@127.0.0.1:");
    assertThat(own.command("ACL", "WHOAMI")).isEqualTo("default");
    assertThat(own.command("ACL", "LIST").toString()).contains("user app on");
  }

  @Test
  @Order(8)
  void theSharedClusterIsInjectedAndEmpty(RedisClusterHandle cluster) {
    assertThat(cluster.nodes()).hasSize(3);
    assertThat(cluster.dbSize()).isZero();
    cluster.nodeForKey("x").command("SET", "x", "1");
    assertThat(cluster.dbSize()).isEqualTo(1);
  }
}
