package io.usagesink.cli.faults;

import io.usagesink.SinkConfig;
import io.usagesink.testkit.redis.RedisClusterHandle;
import io.usagesink.testkit.redis.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failure-semantics matrix on the shared 3-master cluster (emptied before each test): the poisoned key
 * is set on the master that owns it, maxmemory and the ACL user on every master.
 */
@DisplayName("failure semantics on a 3-master Redis Cluster")
@ExtendWith(RedisExtension.class)
class FailureSemanticsClusterIT extends FailureSemanticsMatrix {
  private RedisClusterHandle cluster;

  @BeforeEach
  void useSharedCluster(RedisClusterHandle shared) {
    this.cluster = shared;
  }

  @Override
  SinkConfig.Builder base() {
    return SinkConfig.builder().redisUri(cluster.uri()).redisCluster(true);
  }

  @Override
  String uriWithUser(String user, String password) {
    return cluster.uri().replace("redis://", "redis://" + user + ":" + password + "@");
  }

  @Override
  RedisServer nodeFor(String key) {
    return cluster.nodeForKey(key);
  }

  @Override
  List<RedisServer> nodes() {
    return cluster.nodes();
  }

  @Override
  String topology() {
    return "a 3-master cluster";
  }
}
