package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 3-master local cluster, one per class (forming one takes about 2 s), used through Lettuce.
 */
class RedisClusterIT {
  private static ClientResources resources;
  private static RedisClusterHandle cluster;

  @BeforeAll
  static void startCluster() {
    resources = DefaultClientResources.create();
    cluster = RedisFixture.startCluster();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    resources.shutdown();
  }

  @BeforeEach
  void empty() {
    cluster.flushAll();
    cluster.resetStats();
  }

  private static <T> T withClient(
      RedisClusterClient client, Function<StatefulRedisClusterConnection<String, String>, T> body) {
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      return body.apply(connection);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void formsWithThreeMastersOwningAllSlots() {
    assertThat(cluster.nodes()).hasSize(3);
    for (RedisServer node : cluster.nodes()) {
      String info = (String) node.command("CLUSTER", "INFO");
      assertThat(info)
          .contains(
              "cluster_state:ok",
              "cluster_slots_ok:16384",
              "cluster_known_nodes:3",
              "cluster_size:3");
    }
    assertThat(cluster.seedUri())
        .matches("redis://127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+");
    assertThat(cluster.uri()).isEqualTo(cluster.nodeUris().get(0));
  }

  @Test
  void routesKeysOfDifferentSlotsToTheirMastersAndSumsCommandStats() {
    int keys = 30;
    withClient(
        RedisClusterClient.create(resources, cluster.seedUri()),
        connection -> {
          for (int i = 0; i < keys; i++) {
            connection.sync().set("key:" + i, Integer.toString(i));
          }
          return null;
        });

    Set<RedisServer> used = new HashSet<>();
    for (int i = 0; i < keys; i++) {
      String key = "key:" + i;
      RedisServer owner = cluster.nodeForKey(key);
      used.add(owner);
      assertThat(owner.command("CLUSTER", "KEYSLOT", key)).isEqualTo((long) cluster.slot(key));
      assertThat(owner.command("GET", key)).isEqualTo(Integer.toString(i));
    }
    assertThat(used).hasSize(3);
    assertThat(cluster.dbSize()).isEqualTo(keys);
    assertThat(cluster.commandStats().calls("set")).isEqualTo(keys);

    cluster.flushAll();
    assertThat(cluster.dbSize()).isZero();
  }

  @Test
  void lettuceAcceptsOneSeedTheCommaSeparatedSeedListAndAListOfUris() {
    List<Supplier<RedisClusterClient>> clients =
        List.of(
            () -> RedisClusterClient.create(resources, cluster.uri()),
            () -> RedisClusterClient.create(resources, cluster.seedUri()),
            () ->
                RedisClusterClient.create(
                    resources, cluster.nodeUris().stream().map(RedisURI::create).toList()));
    for (Supplier<RedisClusterClient> client : clients) {
      String value =
          withClient(
              client.get(),
              connection -> {
                connection.sync().set("{tag}k", "v");
                assertThat(connection.getPartitions().size()).isEqualTo(3);
                return connection.sync().get("{tag}k");
              });
      assertThat(value).isEqualTo("v");
    }
  }

  @Test
  void killClientsDropsConnectionsOnEveryNodeAndLettuceRecovers() {
    withClient(
        RedisClusterClient.create(resources, cluster.seedUri()),
        connection -> {
          for (int i = 0; i < 10; i++) {
            connection.sync().set("key:" + i, "v");
          }

          long killed = cluster.killClients();

          assertThat(killed).isGreaterThanOrEqualTo(3);
          assertThat(eventually(() -> connection.sync().get("key:7"))).isEqualTo("v");
          return null;
        });
  }

  @Test
  void aKilledNodeRestartsIntoTheCluster() {
    RedisServer node = cluster.nodes().get(1);
    node.kill();
    assertThat(node.isRunning()).isFalse();

    node.restart();
    cluster.awaitHealthy(Duration.ofSeconds(30));

    String key = "restarted";
    withClient(
        RedisClusterClient.create(resources, cluster.seedUri()),
        connection -> {
          for (int i = 0; i < 20; i++) {
            connection.sync().set(key + i, "v");
          }
          return null;
        });
    assertThat(node.dbSize()).isPositive();
  }

  private static <T> T eventually(Supplier<T> command) {
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
