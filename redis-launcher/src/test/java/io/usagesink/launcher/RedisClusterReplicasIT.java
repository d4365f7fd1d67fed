package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A 3-master cluster with one replica per master: formed, replicating, and promoting a replica on
 * failover.
 */
class RedisClusterReplicasIT {

  @Test
  void formsWithOneSyncedReplicaPerMasterAndFailsOverOnRequest() throws Exception {
    try (RedisClusterHandle cluster = RedisFixture.builder().replicasPerMaster(1).startCluster()) {
      assertThat(cluster.replicas()).hasSize(3);
      assertThat(cluster.allNodes()).hasSize(6);
      for (RedisServer node : cluster.allNodes()) {
        assertThat((String) node.command("CLUSTER", "INFO"))
            .contains("cluster_state:ok", "cluster_known_nodes:6");
      }
      for (int i = 0; i < 3; i++) {
        List<?> role = (List<?>) cluster.replicas().get(i).command("ROLE");
        assertThat(role.get(0)).isEqualTo("slave");
        assertThat(((Number) role.get(2)).longValue()).isEqualTo(cluster.nodes().get(i).port());
      }
      RedisServer master = cluster.nodeForKey("k");
      master.command("SET", "k", "v");
      assertThat(master.command("WAIT", "1", "10000"))
          .as("replicas that acknowledged the write")
          .isEqualTo(1L);
      RedisServer replica = cluster.replicas().get(cluster.nodes().indexOf(master));
      int slot = cluster.slot("k");
      assertThat(cluster.masterOfSlot(slot)).isEqualTo(master);

      replica.command("CLUSTER", "FAILOVER");
      await(() -> "master".equals(((List<?>) replica.command("ROLE")).get(0)));
      await(() -> "slave".equals(((List<?>) master.command("ROLE")).get(0)));
      await(() -> cluster.masterOfSlot(slot).equals(replica));
      assertThat(cluster.dbSize()).isEqualTo(1);
      cluster.flushAll(); // on the masters of now, the promoted replica included
      assertThat(cluster.dbSize()).isZero();
      cluster.awaitHealthy(java.time.Duration.ofSeconds(30));
    }
  }

  /**
   * Three failovers of one shard in a row, each asked as soon as the previous one settled: without
   * the fixture's wait, the third (the first replica again, within 2 * cluster-node-timeout of its
   * first election) "won" with its old votes and old config epoch, reported itself master for a few
   * milliseconds and went back to being a replica while the old master never stepped down.
   */
  @Test
  void failoversOfOneShardInARowEachSettle() throws Exception {
    try (RedisClusterHandle cluster = RedisFixture.builder().replicasPerMaster(1).startCluster()) {
      RedisServer master = cluster.nodes().get(0);
      for (int i = 0; i < 3; i++) {
        RedisServer promoted = cluster.failover(master, java.time.Duration.ofSeconds(90));
        assertThat(promoted).isNotEqualTo(master);
        assertThat(((List<?>) promoted.command("ROLE")).get(0)).isEqualTo("master");
        List<?> role = (List<?>) master.command("ROLE");
        assertThat(role.get(0))
            .as("ROLE of the old master after failover %d", i)
            .isEqualTo("slave");
        assertThat(((Number) role.get(2)).longValue()).isEqualTo(promoted.port());
        assertThat(cluster.masterOfSlot(0)).isEqualTo(promoted);
        master = promoted;
      }
      cluster.awaitHealthy(java.time.Duration.ofSeconds(30));
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 30 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
