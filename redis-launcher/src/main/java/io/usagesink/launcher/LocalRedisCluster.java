package io.usagesink.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Three cluster-enabled local redis-server processes joined into one cluster with plain commands
 * ({@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER SET-CONFIG-EPOCH}, {@code CLUSTER MEET}) - what
 * {@code redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes} does, without its fixed
 * one-second waits (redis-cli needs ~3 s; this needs ~2 s, the time a fresh master waits before it
 * declares itself writable).
 */
final class LocalRedisCluster implements RedisClusterHandle {
  static final int SLOTS = 16384;
  static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

  private final List<LocalRedisServer> nodes;
  private volatile boolean closed;

  private LocalRedisCluster(List<LocalRedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  static LocalRedisCluster start(Path executable, ServerSpec spec) {
    List<LocalRedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(LocalRedisServer.start(executable, null, spec, true));
      }
      for (int i = 0; i < MASTERS; i++) {
        LocalRedisServer node = nodes.get(i);
        node.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(firstSlot(i)), Integer.toString(firstSlot(i + 1) - 1));
        node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
      }
      // every pair meets directly: waiting for gossip to introduce the others costs about a second
      for (int i = 0; i < MASTERS; i++) {
        for (int j = i + 1; j < MASTERS; j++) {
          LocalRedisServer other = nodes.get(j);
          nodes.get(i).call("CLUSTER", "MEET", LocalRedisServer.HOST, Integer.toString(other.port()),
              Integer.toString(other.clusterBusPort()));
        }
      }
      LocalRedisCluster cluster = new LocalRedisCluster(nodes);
      cluster.awaitHealthy(FORM_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(LocalRedisServer::close);
      throw e;
    }
  }

  static int firstSlot(int node) {
    return node * SLOTS / MASTERS;
  }

  @Override
  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public String uri() {
    return nodes.get(0).uri();
  }

  @Override
  public String seedUri() {
    return "redis://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
  }

  @Override
  public List<String> nodeUris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  @Override
  public int slot(String key) {
    return slotOf(key);
  }

  /** Lettuce's {@code SlotHash}: CRC16 mod 16384 of the key or of its {@code {hash tag}}, as Redis computes it. */
  static int slotOf(String key) {
    return io.lettuce.core.cluster.SlotHash.getSlot(key);
  }


  @Override
  public RedisServer nodeForKey(String key) {
    int slot = slot(key);
    for (int i = MASTERS - 1; i >= 0; i--) {
      if (slot >= firstSlot(i)) {
        return nodes.get(i);
      }
    }
    throw new AssertionError("slot " + slot);
  }

  @Override
  public void flushAll() {
    nodes.forEach(LocalRedisServer::flushAll);
  }

  @Override
  public long dbSize() {
    return nodes.stream().mapToLong(LocalRedisServer::dbSize).sum();
  }

  @Override
  public CommandStats commandStats() {
    return nodes.stream().map(LocalRedisServer::commandStats).reduce(CommandStats.empty(), CommandStats::plus);
  }

  @Override
  public void resetStats() {
    nodes.forEach(LocalRedisServer::resetStats);
  }

  @Override
  public long killClients() {
    return nodes.stream().mapToLong(LocalRedisServer::killClients).sum();
  }

  @Override
  public void scriptFlush() {
    nodes.forEach(LocalRedisServer::scriptFlush);
  }

  @Override
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!healthy()) {
      if (System.nanoTime() > deadline) {
        throw new RedisFixtureException("the local Redis Cluster did not reach cluster_state:ok within "
            + timeout.toSeconds() + " s: " + states());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisFixtureException("interrupted while waiting for the Redis Cluster", e);
      }
    }
  }

  private boolean healthy() {
    for (LocalRedisServer node : nodes) {
      if (!node.isRunning()) {
        return false;
      }
      Map<String, String> info;
      try {
        info = Info.parse((String) node.call("CLUSTER", "INFO"));
      } catch (RedisFixtureException e) {
        return false;
      }
      if (!"ok".equals(info.get("cluster_state"))
          || !Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"))
          || !Integer.toString(MASTERS).equals(info.get("cluster_known_nodes"))) {
        return false;
      }
    }
    return true;
  }

  private String states() {
    StringBuilder sb = new StringBuilder();
    for (LocalRedisServer node : nodes) {
      sb.append("\n  ").append(node).append(": ");
      try {
        Map<String, String> info = Info.parse((String) node.call("CLUSTER", "INFO"));
        sb.append("cluster_state=").append(info.get("cluster_state"))
            .append(" slots_ok=").append(info.get("cluster_slots_ok"))
            .append(" known_nodes=").append(info.get("cluster_known_nodes"));
      } catch (RuntimeException e) {
        sb.append(e.getMessage());
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      nodes.forEach(LocalRedisServer::close);
    }
  }

  @Override
  public String toString() {
    return "local Redis Cluster" + nodes.stream().map(n -> n.host() + ":" + n.port()).toList();
  }
}
