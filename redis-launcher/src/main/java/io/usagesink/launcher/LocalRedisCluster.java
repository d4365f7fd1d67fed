package io.usagesink.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Three cluster-enabled local redis-server processes joined into one cluster with plain commands
 * ({@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER SET-CONFIG-EPOCH}, {@code CLUSTER MEET}) - what
 * {@code redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes} does, without its fixed
 * one-second waits (redis-cli needs ~3 s; this needs ~2 s, the time a fresh master waits before it
 * declares itself writable). With replicas, each replica is introduced the same way and then
 * attached with {@code CLUSTER REPLICATE} (masters sync without the diskless delay: {@code
 * repl-diskless-sync-delay 0}).
 */
final class LocalRedisCluster implements RedisClusterHandle {
  static final int SLOTS = 16384;
  static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

  private final List<LocalRedisServer> nodes;

  /** Replica {@code r} of master {@code m} is {@code replicas.get(r * MASTERS + m)}. */
  private final List<LocalRedisServer> replicas;

  /**
   * Redis's manual failover window ({@code CLUSTER_MF_TIMEOUT}): a request not carried out by then
   * is dropped silently.
   */
  static final Duration MANUAL_FAILOVER_WINDOW = Duration.ofSeconds(5);

  /**
   * When each node's last election asked by {@link #failover} ended ({@link System#nanoTime()}), by
   * port.
   */
  private final Map<Integer, Long> lastElection = new ConcurrentHashMap<>();

  private volatile boolean closed;

  private LocalRedisCluster(List<LocalRedisServer> nodes, List<LocalRedisServer> replicas) {
    this.nodes = List.copyOf(nodes);
    this.replicas = List.copyOf(replicas);
  }

  static LocalRedisCluster start(Path executable, ServerSpec spec) {
    return start(executable, spec, 0);
  }

  /** Starts {@value #MASTERS} masters and {@code replicasPerMaster} replicas of each. */
  static LocalRedisCluster start(Path executable, ServerSpec spec, int replicasPerMaster) {
    List<LocalRedisServer> nodes = new ArrayList<>();
    List<LocalRedisServer> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(LocalRedisServer.start(executable, null, spec, true));
      }
      for (int i = 0; i < MASTERS * replicasPerMaster; i++) {
        replicas.add(LocalRedisServer.start(executable, null, spec, true));
      }
      for (int i = 0; i < MASTERS; i++) {
        LocalRedisServer node = nodes.get(i);
        node.call(
            "CLUSTER",
            "ADDSLOTSRANGE",
            Integer.toString(firstSlot(i)),
            Integer.toString(firstSlot(i + 1) - 1));
        node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
        if (replicasPerMaster > 0) {
          node.call("CONFIG", "SET", "repl-diskless-sync-delay", "0");
        }
      }
      List<LocalRedisServer> all = new ArrayList<>(nodes);
      all.addAll(replicas);
      // every pair meets directly: waiting for gossip to introduce the others costs about a second
      for (int i = 0; i < all.size(); i++) {
        for (int j = i + 1; j < all.size(); j++) {
          LocalRedisServer other = all.get(j);
          all.get(i)
              .call(
                  "CLUSTER",
                  "MEET",
                  LocalRedisServer.HOST,
                  Integer.toString(other.port()),
                  Integer.toString(other.clusterBusPort()));
        }
      }
      LocalRedisCluster cluster = new LocalRedisCluster(nodes, replicas);
      if (!replicas.isEmpty()) {
        cluster.attachReplicas();
      }
      cluster.awaitHealthy(FORM_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(LocalRedisServer::close);
      replicas.forEach(LocalRedisServer::close);
      throw e;
    }
  }

  /**
   * {@code CLUSTER REPLICATE} on every replica, once it knows its master (retried until it does).
   */
  private void attachReplicas() {
    long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
    for (int r = 0; r < replicas.size(); r++) {
      LocalRedisServer replica = replicas.get(r);
      String masterId = (String) nodes.get(r % MASTERS).call("CLUSTER", "MYID");
      while (true) {
        try {
          replica.call("CLUSTER", "REPLICATE", masterId);
          break;
        } catch (RedisFixtureException e) {
          if (System.nanoTime() > deadline) {
            throw new RedisFixtureException(
                replica
                    + " could not become a replica of "
                    + nodes.get(r % MASTERS)
                    + " within "
                    + FORM_TIMEOUT.toSeconds()
                    + " s: "
                    + e.getMessage(),
                e);
          }
          pause();
        }
      }
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
  public List<RedisServer> replicas() {
    return List.copyOf(replicas);
  }

  @Override
  public List<RedisServer> allNodes() {
    List<RedisServer> all = new ArrayList<>(nodes);
    all.addAll(replicas);
    return all;
  }

  /** Every node; with replicas, only the nodes that are masters now (a failover swaps roles). */
  private List<LocalRedisServer> currentMasters() {
    if (replicas.isEmpty()) {
      return nodes;
    }
    List<LocalRedisServer> out = new ArrayList<>();
    for (LocalRedisServer n : everyNode()) {
      if (n.isRunning() && "master".equals(((List<?>) n.call("ROLE")).get(0))) {
        out.add(n);
      }
    }
    return out;
  }

  private List<LocalRedisServer> everyNode() {
    List<LocalRedisServer> all = new ArrayList<>(nodes);
    all.addAll(replicas);
    return all;
  }

  @Override
  public RedisServer failover(RedisServer master, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    LocalRedisServer old = local(master);
    LocalRedisServer replica = replicaOf(old);
    long retryAfter = electionRetryNanos(replica);
    String what = "CLUSTER FAILOVER of " + replica + " (replica of " + old + ")";
    int attempts = 0;
    while (true) {
      awaitUntil(
          what + ": every node sees the replica as a replica of the master, its link up",
          () -> agreed(old, replica) && linkUp(replica),
          deadline,
          old,
          replica);
      Long last = lastElection.get(replica.port());
      if (last != null) {
        long wait = last + retryAfter - System.nanoTime();
        if (wait > 0) {
          if (System.nanoTime() + wait > deadline) {
            throw new RedisFixtureException(
                what
                    + ": its previous election ended "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last)
                    + " ms ago and Redis refuses a new one for 4 * cluster-node-timeout; that"
                    + " does not fit in the "
                    + timeout.toSeconds()
                    + " s asked");
          }
          sleepNanos(wait);
        }
      }
      attempts++;
      replica.call("CLUSTER", "FAILOVER");
      long attemptEnd = System.nanoTime() + MANUAL_FAILOVER_WINDOW.plusSeconds(2).toNanos();
      boolean settled =
          waitUntil(() -> agreed(replica, old) && linkUp(old), Math.min(attemptEnd, deadline));
      lastElection.put(replica.port(), System.nanoTime());
      if (settled) {
        return replica;
      }
      if (System.nanoTime() > deadline) {
        throw new RedisFixtureException(
            what
                + ": not settled within "
                + timeout.toSeconds()
                + " s ("
                + attempts
                + " attempts): "
                + views()
                + logs(old, replica));
      }
    }
  }

  /** The replica of {@code master} (by its {@code ROLE}). */
  private LocalRedisServer replicaOf(LocalRedisServer master) {
    for (LocalRedisServer n : everyNode()) {
      if (n.isRunning()) {
        List<?> role = (List<?>) n.call("ROLE");
        if ("slave".equals(role.get(0)) && ((Number) role.get(2)).longValue() == master.port()) {
          return n;
        }
      }
    }
    throw new RedisFixtureException(master + " has no replica in " + this);
  }

  /**
   * {@code 2 * max(2 * cluster-node-timeout, 2 s)} (4 * cluster-node-timeout from 1 s up) plus 0.5
   * s: how long Redis keeps a replica from starting a new election after its previous one ({@code
   * auth_retry_time}).
   */
  private static long electionRetryNanos(LocalRedisServer node) {
    List<?> reply = (List<?>) node.call("CONFIG", "GET", "cluster-node-timeout");
    long timeoutMillis = Long.parseLong((String) reply.get(1));
    return TimeUnit.MILLISECONDS.toNanos(2 * Math.max(2 * timeoutMillis, 2_000) + 500);
  }

  /**
   * True when {@code master} reports itself master, {@code replica} reports itself its replica, and
   * every running node's {@code CLUSTER NODES} says so too (master with slots, replica of it
   * without slots) with no node flagged failing or in handshake.
   */
  private boolean agreed(LocalRedisServer master, LocalRedisServer replica) {
    try {
      List<?> masterRole = (List<?>) master.call("ROLE");
      List<?> replicaRole = (List<?>) replica.call("ROLE");
      if (!"master".equals(masterRole.get(0))
          || !"slave".equals(replicaRole.get(0))
          || ((Number) replicaRole.get(2)).longValue() != master.port()) {
        return false;
      }
      String masterId = (String) master.call("CLUSTER", "MYID");
      String replicaId = (String) replica.call("CLUSTER", "MYID");
      for (LocalRedisServer n : everyNode()) {
        for (String line : ((String) n.call("CLUSTER", "NODES")).split("\n")) {
          String[] f = line.trim().split(" ");
          if (f.length < 8) {
            continue;
          }
          List<String> flags = List.of(f[2].split(","));
          if (flags.contains("fail?")
              || flags.contains("fail")
              || flags.contains("handshake")
              || flags.contains("noaddr")) {
            return false;
          }
          if (f[0].equals(masterId) && (!flags.contains("master") || f.length < 9)) {
            return false;
          }
          if (f[0].equals(replicaId)
              && (!flags.contains("slave") || !f[3].equals(masterId) || f.length > 8)) {
            return false;
          }
        }
      }
      return true;
    } catch (RedisFixtureException e) {
      return false;
    }
  }

  private static LocalRedisServer local(RedisServer node) {
    if (node instanceof LocalRedisServer l) {
      return l;
    }
    throw new IllegalArgumentException(node + " is not a node of a local cluster");
  }

  private String views() {
    StringBuilder sb = new StringBuilder();
    for (LocalRedisServer n : everyNode()) {
      sb.append("\n  CLUSTER NODES of ").append(n.port()).append(":");
      try {
        for (String line : ((String) n.call("CLUSTER", "NODES")).split("\n")) {
          sb.append("\n    ").append(line.trim());
        }
      } catch (RuntimeException e) {
        sb.append(' ').append(e.getMessage());
      }
    }
    return sb.toString();
  }

  private static String logs(LocalRedisServer... nodes) {
    StringBuilder sb = new StringBuilder();
    for (LocalRedisServer n : nodes) {
      sb.append("\n  log of ").append(n.port()).append(":\n").append(n.logTail());
    }
    return sb.toString();
  }

  private void awaitUntil(
      String what, BooleanSupplier condition, long deadline, LocalRedisServer... nodes) {
    if (!waitUntil(condition, deadline)) {
      throw new RedisFixtureException(what + ": not in time" + views() + logs(nodes));
    }
  }

  private static boolean waitUntil(BooleanSupplier condition, long deadline) {
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause();
    }
    return true;
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisFixtureException("interrupted while waiting to ask for a failover", e);
    }
  }

  @Override
  public String uri() {
    return nodes.get(0).uri();
  }

  @Override
  public String seedUri() {
    return "redis://"
        + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
  }

  @Override
  public List<String> nodeUris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  @Override
  public int slot(String key) {
    return slotOf(key);
  }

  /**
   * Lettuce's {@code SlotHash}: CRC16 mod 16384 of the key or of its {@code {hash tag}}, as Redis
   * computes it.
   */
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
    currentMasters().forEach(LocalRedisServer::flushAll);
  }

  @Override
  public long dbSize() {
    return currentMasters().stream().mapToLong(LocalRedisServer::dbSize).sum();
  }

  @Override
  public CommandStats commandStats() {
    return currentMasters().stream()
        .map(LocalRedisServer::commandStats)
        .reduce(CommandStats.empty(), CommandStats::plus);
  }

  @Override
  public void resetStats() {
    everyNode().forEach(LocalRedisServer::resetStats);
  }

  @Override
  public long killClients() {
    return everyNode().stream().mapToLong(LocalRedisServer::killClients).sum();
  }

  @Override
  public void scriptFlush() {
    everyNode().forEach(LocalRedisServer::scriptFlush);
  }

  @Override
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!healthy()) {
      if (System.nanoTime() > deadline) {
        throw new RedisFixtureException(
            "the local Redis Cluster did not reach cluster_state:ok within "
                + timeout.toSeconds()
                + " s: "
                + states());
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisFixtureException("interrupted while waiting for the Redis Cluster", e);
    }
  }

  private boolean healthy() {
    int known = nodes.size() + replicas.size();
    for (LocalRedisServer node : everyNode()) {
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
          || !Integer.toString(known).equals(info.get("cluster_known_nodes"))) {
        return false;
      }
      if (!replicas.isEmpty() && !replicaLinkUp(node)) {
        return false;
      }
    }
    return true;
  }

  /** True for a replica whose replication link is up (its initial sync done). */
  private static boolean linkUp(LocalRedisServer node) {
    try {
      return "up"
          .equals(Info.parse((String) node.call("INFO", "replication")).get("master_link_status"));
    } catch (RedisFixtureException e) {
      return false;
    }
  }

  /** True for a master, and for a replica whose replication link is up (its initial sync done). */
  private static boolean replicaLinkUp(LocalRedisServer node) {
    try {
      Map<String, String> info = Info.parse((String) node.call("INFO", "replication"));
      return "master".equals(info.get("role")) || "up".equals(info.get("master_link_status"));
    } catch (RedisFixtureException e) {
      return false;
    }
  }

  private String states() {
    StringBuilder sb = new StringBuilder();
    for (LocalRedisServer node : everyNode()) {
      sb.append("\n  ").append(node).append(": ");
      try {
        Map<String, String> info = Info.parse((String) node.call("CLUSTER", "INFO"));
        sb.append("cluster_state=")
            .append(info.get("cluster_state"))
            .append(" slots_ok=")
            .append(info.get("cluster_slots_ok"))
            .append(" known_nodes=")
            .append(info.get("cluster_known_nodes"));
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
      replicas.forEach(LocalRedisServer::close);
    }
  }

  @Override
  public String toString() {
    return "local Redis Cluster"
        + nodes.stream().map(n -> n.host() + ":" + n.port()).toList()
        + (replicas.isEmpty()
            ? ""
            : " replicas " + replicas.stream().map(n -> n.host() + ":" + n.port()).toList());
  }
}
