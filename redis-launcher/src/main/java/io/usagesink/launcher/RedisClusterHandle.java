package io.usagesink.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A local Redis Cluster of {@value #MASTERS} masters, by default without replicas: three {@code
 * redis-server} processes on free 127.0.0.1 ports (cluster bus ports chosen free too), the 16384
 * slots split evenly in node order, started and joined by {@link
 * RedisFixture.Builder#startCluster()}; with {@link RedisFixture.Builder#replicasPerMaster(int)}
 * each master also gets replicas ({@link #replicas()}), for failover tests.
 *
 * <p>Clients connect with Lettuce's {@code RedisClusterClient.create(handle.uri())} (one seed is
 * enough: the client discovers the other nodes), or with every node as seed through {@link
 * #seedUri()}, {@code redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}, the comma-separated host
 * list form Lettuce's {@code RedisClusterClient.create(String)} accepts (credentials and options
 * written once, for all hosts), or {@link #nodeUris()} mapped through {@code RedisURI.create} for
 * {@code RedisClusterClient.create(Iterable<RedisURI>)}.
 *
 * <p>The aggregate admin methods act on every node. Each node is also a {@link RedisServer} with
 * process control, so a test can kill or restart one master (then {@link #awaitHealthy(Duration)}).
 * Thread-safe.
 */
public interface RedisClusterHandle extends AutoCloseable {
  /** Number of masters. */
  int MASTERS = 3;

  /**
   * The masters as started, in slot order (node 0 owns slots 0-5460, node 1 5461-10921, node 2
   * 10922-16383). After a failover or a slot migration a test made, ask {@link #masterOfSlot(int)}.
   */
  List<RedisServer> nodes();

  /**
   * The replicas as started: replica {@code i} replicates {@code nodes().get(i % MASTERS)}. Empty
   * unless {@link RedisFixture.Builder#replicasPerMaster(int)} asked for some.
   */
  default List<RedisServer> replicas() {
    return List.of();
  }

  /** {@link #nodes()} then {@link #replicas()}: every process of the cluster. */
  default List<RedisServer> allNodes() {
    List<RedisServer> all = new ArrayList<>(nodes());
    all.addAll(replicas());
    return all;
  }

  /**
   * The node that owns {@code slot} now, as the first running node's {@code CLUSTER SLOTS} says
   * (after a failover or {@code CLUSTER SETSLOT ... NODE}, nodes learn the change within a gossip
   * round; poll when it matters).
   *
   * @throws RedisFixtureException when no running node knows an owner of the slot
   */
  default RedisServer masterOfSlot(int slot) {
    for (RedisServer node : allNodes()) {
      if (!node.isRunning()) {
        continue;
      }
      for (Object o : (List<?>) node.command("CLUSTER", "SLOTS")) {
        List<?> range = (List<?>) o;
        if (slot >= (Long) range.get(0) && slot <= (Long) range.get(1)) {
          long port = (Long) ((List<?>) range.get(2)).get(1);
          for (RedisServer candidate : allNodes()) {
            if (candidate.port() == port) {
              return candidate;
            }
          }
        }
      }
      break;
    }
    throw new RedisFixtureException(
        "no running node of " + this + " knows the owner of slot " + slot);
  }

  /**
   * A manual {@code CLUSTER FAILOVER} of {@code master}'s shard, done so that it takes effect and
   * the next one can follow: returns the promoted replica once the failover has settled, that is
   * once the replica reports itself master, {@code master} reports itself its replica with its
   * replication link up, and every node's {@code CLUSTER NODES} agrees (the promoted node is a
   * master serving slots, {@code master} a replica of it without slots, no node flagged failing).
   *
   * <p>Before asking, it waits until every node's {@code CLUSTER NODES} shows the replica as {@code
   * master}'s replica (a master ignores a failover request from a node it does not know as its
   * replica, and voters refuse a node they still see as a master) and until the replica's own
   * previous election is at least {@code 4 * cluster-node-timeout} old: Redis (7.0) keeps a
   * replica's election state when it is demoted, so a failover asked within {@code 2 *
   * cluster-node-timeout} of its previous election "wins" with the old election's votes and its
   * old, lower config epoch, reports itself master for a few milliseconds and then returns to being
   * a replica (the old master, holding the newer epoch, never steps down); one asked between 2 and
   * 4 times the timeout is refused ("Failover attempt expired"). An attempt that has not settled
   * after the manual failover's 5 s window is asked again after that wait.
   *
   * @param master a node that is a master now, with a replica
   * @param timeout the whole operation's deadline
   * @return the promoted replica
   * @throws RedisFixtureException when the failover does not settle in time (with both nodes' log
   *     tails) or {@code master} has no replica
   * @throws UnsupportedOperationException when this cluster cannot do it
   */
  default RedisServer failover(RedisServer master, Duration timeout) {
    throw new UnsupportedOperationException("failover() needs a cluster started by the fixture");
  }

  /** One seed, {@code redis://127.0.0.1:P1} (node 0). */
  String uri();

  /**
   * All nodes in Lettuce's one-URI form: {@code redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}.
   */
  String seedUri();

  /** One {@code redis://127.0.0.1:P} per node, in node order. */
  List<String> nodeUris();

  /**
   * The hash slot of a key (CRC16 mod 16384, honouring a {@code {hash tag}}), as Redis computes it.
   */
  int slot(String key);

  /**
   * The master that owned {@code key}'s slot when the cluster was formed (see {@link
   * #masterOfSlot(int)}).
   */
  RedisServer nodeForKey(String key);

  /** {@code FLUSHALL} on every master (with replicas: on the nodes that are masters now). */
  void flushAll();

  /** Keys on all masters together (with replicas: the nodes that are masters now). */
  long dbSize();

  /** The command stats of all masters, summed (with replicas: the nodes that are masters now). */
  CommandStats commandStats();

  /** {@code CONFIG RESETSTAT} on every node. */
  void resetStats();

  /** {@code CLIENT KILL TYPE normal SKIPME yes} on every node; returns the total dropped. */
  long killClients();

  /** {@code SCRIPT FLUSH} on every node. */
  void scriptFlush();

  /**
   * Waits until every node is running and reports {@code cluster_state:ok} with all slots assigned
   * and all nodes known, e.g. after restarting a node.
   *
   * @throws RedisFixtureException with every node's {@code CLUSTER INFO} when that does not happen
   *     in time
   */
  void awaitHealthy(Duration timeout);

  /** Kills every node and deletes their dirs. Idempotent. */
  @Override
  void close();
}
