package io.usagesink.redis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.event.MovedRedirectionEvent;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The pipeline writer through a {@code CLUSTER FAILOVER} while it writes, on a 3-master, 3-replica
 * cluster: how fast its writes follow the new master.
 *
 * <p>Measured before the writer answered {@code MOVED} itself: Lettuce redirected every command
 * answered {@code MOVED} to the new master one by one (one write and one flush each on its I/O
 * threads, about 50 commands per event for the moved slots), which starved the I/O threads its own
 * topology refresh runs on: the refresh took 4-8 s, Lettuce dropped every trigger meanwhile, and
 * the old master answered 45,000 to 130,000 more {@code MOVED} after the failover had settled. Now
 * a {@code MOVED} settles the command as not applied, the write waits for a refresh of the slot
 * table that started after the reply, and only then is what remains sent again, by the new table.
 */
class RedisPipelineFailoverIT {
  private static final Pattern MOVED = Pattern.compile("errorstat_MOVED:count=(\\d+)");

  /** Generous: never a timing assertion, only a bound on hanging. */
  private static final long DEADLINE_SECONDS = 180;

  private static RedisClusterHandle cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisFixture.builder().replicasPerMaster(1).startCluster();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long movedReplies(RedisServer node) {
    Matcher m = MOVED.matcher(node.info("errorstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /**
   * Records paced events (2 ms apart) before, while and for 2 s after a failover of the master of
   * slot 0. The bound, which holds however slow the machine: once every node agrees on the new
   * master, a write answered {@code MOVED} waits, holding its place among the {@link
   * RedisPipelineSink#MAX_IN_FLIGHT} writes in flight, for a refresh that starts after the reply
   * and so reads the new owner; nothing of it is sent again before. So each write meets {@code
   * MOVED} at most once after that, and the old master's {@code MOVED} replies stay within the
   * commands of about that many events (at most 160 each). Before, the same writes met {@code
   * MOVED} again and again until Lettuce's own refresh landed (132,593 replies in one run of this
   * test). And no command is redirected by Lettuce one at a time.
   */
  @Test
  void afterAFailoverWritesFollowTheNewMasterWithoutRedirectStorm() throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(60));
    RedisServer master = cluster.masterOfSlot(0);
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(cluster.seedUri())
            .redisCluster(true)
            .shutdownHook(false)
            .closeTimeout(Duration.ofSeconds(DEADLINE_SECONDS))
            .build();
    List<UsageEvent> events = Workloads.random(41, 50_000);
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    AtomicLong redirected = new AtomicLong();
    SinkStats stats;
    long movedAtSettle;
    long movedAfter;
    long refreshes;
    RedisServer promoted;
    try (RedisConnection connection = RedisConnection.openForWriters(config)) {
      Disposable listener =
          connection
              .clusterConnection()
              .getResources()
              .eventBus()
              .get()
              .filter(MovedRedirectionEvent.class::isInstance)
              .subscribe(e -> redirected.incrementAndGet());
      try (UsageSink sink =
          RedisPipelineSink.builder().config(config).connection(connection).build()) {
        int i = 0;
        for (; i < 500; i++) {
          stages.add(sink.record(events.get(i)).toCompletableFuture());
          Thread.sleep(2);
        }
        CompletableFuture<RedisServer> failover =
            CompletableFuture.supplyAsync(
                () -> cluster.failover(master, Duration.ofSeconds(DEADLINE_SECONDS)));
        while (!failover.isDone() && i < events.size()) {
          stages.add(sink.record(events.get(i++)).toCompletableFuture());
          Thread.sleep(2);
        }
        promoted = failover.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        movedAtSettle = movedReplies(master);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < until && i < events.size()) {
          stages.add(sink.record(events.get(i++)).toCompletableFuture());
          Thread.sleep(2);
        }
        CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0]))
            .get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        movedAfter = movedReplies(master) - movedAtSettle;
        stats = sink.stats();
        refreshes = connection.topologyRefreshesAfterMoved();
      } finally {
        listener.dispose();
      }
    }
    System.out.printf(
        "failover of %s to %s: %d events; MOVED replies of the old master %d before the cluster"
            + " agreed, %d after; %d commands redirected by Lettuce; %d topology refreshes after"
            + " MOVED; %s%n",
        master,
        promoted,
        stages.size(),
        movedAtSettle,
        movedAfter,
        redirected.get(),
        refreshes,
        stats);
    assertThat(movedAtSettle + movedAfter)
        .as("MOVED replies of the demoted master (the writes met the failover)")
        .isPositive();
    assertThat(stats.stored()).as("stored: " + stats).isEqualTo(stages.size());
    assertThat(stats.failed()).as("failed: " + stats).isZero();
    assertThat(movedAfter)
        .as("MOVED replies of the old master after every node agreed on " + promoted)
        .isLessThanOrEqualTo((long) RedisPipelineSink.MAX_IN_FLIGHT * 160);
    assertThat(redirected.get())
        .as("commands Lettuce redirected one at a time after a MOVED reply")
        .isZero();
    assertThat(refreshes).as("topology refreshes the MOVED replies asked for").isBetween(1L, 20L);
  }
}
