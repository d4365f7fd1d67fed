package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The failure-semantics matrix on the shared 3-master cluster (emptied before each test): the
 * poisoned key is set on the master that owns it, maxmemory and the ACL user on every master; plus
 * a cluster of the class's own whose masters are all down when the sink opens and up a few seconds
 * later.
 */
@DisplayName("failure semantics on a 3-master Redis Cluster")
@ExtendWith(RedisExtension.class)
class FailureSemanticsClusterIT extends FailureSemanticsMatrix {
  private static final long DOWN_MILLIS = 2_500;
  private static RedisClusterHandle own;
  private RedisClusterHandle cluster;

  @BeforeAll
  static void ownCluster(@IsolatedRedis RedisClusterHandle isolated) {
    own = isolated;
  }

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

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void everyMasterDownAtOpenAndUpLaterStoresEveryEventOnce(Backend backend) throws Exception {
    for (RedisServer node : own.nodes()) {
      node.stop();
    }
    SinkConfig config =
        backend
            .configure(SinkConfig.builder().redisUri(own.seedUri()).redisCluster(true))
            .closeTimeout(Duration.ofSeconds(90))
            .shutdownHook(false)
            .build();
    List<UsageEvent> events = FaultWorkload.events(7, 200);
    String what = "every master down at open through " + backend + " on a 3-master cluster";
    CompletableFuture<Void> restarted = new CompletableFuture<>();
    SinkRun.Outcome o;
    try (UsageSink sink = UsageSinks.open(config)) {
      assertThat(own.nodes())
          .as(what + ": open() returned while every master was still down")
          .noneMatch(RedisServer::isRunning);
      SinkRun run = new SinkRun(sink).record(events);
      assertThat(sink.stats().stored()).as(what + ": nothing stored while down").isZero();
      Thread restarter =
          new Thread(
              () -> {
                try {
                  Thread.sleep(DOWN_MILLIS);
                  for (RedisServer node : own.nodes()) {
                    node.restart();
                  }
                  own.awaitHealthy(Duration.ofSeconds(60));
                  restarted.complete(null);
                } catch (Throwable t) {
                  restarted.completeExceptionally(t);
                }
              },
              "faults-cluster-restarter");
      restarter.start();
      o = run.close(); // closes while the cluster is still down: must wait for it, up to the close
      // timeout
      restarter.join(TimeUnit.SECONDS.toMillis(SinkRun.STAGE_DEADLINE_SECONDS));
    }
    restarted.get(1, TimeUnit.SECONDS);
    System.out.println(what + ": " + o);
    new Checks()
        .check(() -> o.assertAccounted(events.size()))
        .check(() -> assertThat(o.stats().failed()).as(what + ": failed").isZero())
        .check(
            () ->
                Expected.assertSameState(
                    Expected.dump(own.nodes()), Expected.state(config, events), what + ": exact"))
        .done();
  }
}
