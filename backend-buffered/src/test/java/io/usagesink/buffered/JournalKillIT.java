package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.buffered.journal.JournalException;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process recording through the journal, against a real Redis: a child JVM records a
 * seeded workload (20 ms flushes, so batches are often in flight when it dies) and is killed with
 * SIGKILL; a new sink on the same directory recovers; Redis then holds exactly the CRS state of a
 * prefix of the workload (whole events, none counted twice) that contains every event the child
 * acknowledged, computed with the testkit's {@link PlanInterpreter}. Also on a 3-master cluster,
 * with a torn last record, recovering twice, and a second process on the directory. The same for
 * the compact layout, read through its CRS view ({@link UsageReader#crsView()}): the batch in
 * flight at the kill is resent from the journal directory's outbox under the dead writer's id.
 */
@ExtendWith(RedisExtension.class)
class JournalKillIT {

  private static final Instant FROM = Instant.parse("2025-12-30T10:00:00Z");
  private static final int COUNT = 400_000;

  @TempDir Path dir;

  static SinkConfig.Builder config(String uri) {
    return SinkConfig.builder()
        .redisUri(uri)
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .closeTimeout(Duration.ofSeconds(30));
  }

  /** {@link #config(String)} with the layout {@code layout} ({@code crs} or {@code compact}). */
  static SinkConfig.Builder config(String uri, String layout) {
    return config(uri).property(UsageLayouts.LAYOUT_PROPERTY, layout);
  }

  static List<UsageEvent> events(long seed, int n) {
    return Workloads.random(
        seed, n, FROM, Duration.ofHours(2)); // few counters: small, quick batches
  }

  /**
   * Starts the child with its standard output in {@code out}: a file, not a pipe (when the process
   * dies, the JDK closes the parent's end of a pipe under a blocked reader, losing its last lines).
   */
  private Process start(String uri, long seed, int pace, String layout, Path out)
      throws IOException {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            cp,
            JournaledSinkChild.class.getName(),
            dir.toString(),
            uri,
            Long.toString(seed),
            Integer.toString(COUNT),
            Integer.toString(pace),
            layout);
    return new ProcessBuilder(cmd)
        .redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** The last {@code ack N} line complete in {@code out}, or -1. */
  private static long lastAck(Path out) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, 256);
      byte[] tail = new byte[n];
      f.seek(len - n);
      f.readFully(tail);
      String text = new String(tail, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        return -1;
      }
      int start = text.lastIndexOf('\n', end - 1) + 1;
      String line = text.substring(start, end);
      return line.startsWith("ack ") ? Long.parseLong(line.substring(4)) : -1;
    }
  }

  /**
   * Starts the child, waits for {@code acks} acknowledged events, kills it with SIGKILL; returns
   * the last ack.
   */
  private long recordAndKill(
      String uri, long seed, long acks, boolean tryASecondProcess, int pace, String layout)
      throws Exception {
    Path out = Files.createTempFile("journal-child", ".out");
    try {
      Process child = start(uri, seed, pace, layout, out);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lastAck(out) < acks && child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(lastAck(out)).as("acks of the child").isGreaterThanOrEqualTo(acks);
        if (tryASecondProcess) {
          SinkConfig config = config(uri).build();
          assertThatThrownBy(
                  () -> BufferedSink.builder(config).journal(JournalConfig.of(dir)).build())
              .isInstanceOf(JournalException.class)
              .hasMessageContaining("is in use by another process");
        }
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      } finally {
        child.destroyForcibly();
      }
      return lastAck(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Opens a sink on the directory (which recovers), flushes, closes; returns its stats. */
  private SinkStats recover(String uri, String layout) throws Exception {
    BufferedSink sink =
        BufferedSink.builder(config(uri, layout).build())
            .journal(JournalConfig.of(dir).withFsync(FsyncPolicy.NONE))
            .build();
    try {
      sink.flush().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } finally {
      sink.close();
    }
    return sink.stats();
  }

  /**
   * The n >= {@code atLeast} such that Redis holds exactly the CRS state of the first n events
   * (whole events, none twice); fails when there is none. Walks the prefixes in order, comparing
   * the whole state only where the request count of account a0 matches Redis's.
   */
  private static int prefixHeld(
      SortedMap<String, StoredKey> actual, List<UsageEvent> events, int atLeast) {
    UsageLayout layout = UsageLayouts.crs(config("redis://unused").build());
    StoredKey a0 = actual.get("account_usage:a0");
    long target = a0 == null ? 0 : Long.parseLong(a0.fields().getOrDefault("totalRequests", "0"));
    PlanInterpreter model = new PlanInterpreter();
    long a0Requests = 0;
    String firstDiff = null;
    for (int n = 0; n <= events.size(); n++) {
      if (n >= atLeast && a0Requests == target) {
        String diff = difference(actual, model.state());
        if (diff == null) {
          return n;
        }
        if (firstDiff == null) {
          firstDiff = "first " + n + " events: " + diff;
        }
      }
      if (a0Requests > target || n == events.size()) {
        break;
      }
      UsageEvent e = events.get(n);
      model.apply(layout.plan(e));
      if ("a0".equals(e.accountId())) {
        a0Requests++;
      }
    }
    throw new AssertionError(
        "Redis holds the state of no prefix of at least "
            + atLeast
            + " events (account a0 has "
            + target
            + " requests); "
            + (firstDiff == null ? "no prefix has that many" : firstDiff));
  }

  /** The first difference between what Redis holds and the model's state, or null. */
  private static String difference(
      SortedMap<String, StoredKey> actual, SortedMap<String, StoredKey> expected) {
    if (!actual.keySet().equals(expected.keySet())) {
      TreeSet<String> extra = new TreeSet<>(actual.keySet());
      extra.removeAll(expected.keySet());
      TreeSet<String> missing = new TreeSet<>(expected.keySet());
      missing.removeAll(actual.keySet());
      return "keys differ: extra " + head(extra) + ", missing " + head(missing);
    }
    for (String key : expected.keySet()) {
      StoredKey a = actual.get(key);
      StoredKey e = expected.get(key);
      if (!a.type().equals(e.type())
          || !a.fields().equals(e.fields())
          || !new TreeSet<>(a.members()).equals(new TreeSet<>(e.members()))) {
        return key + ": " + a + " but the model has " + e;
      }
      boolean ttlOk = e.ttl() < 0 ? a.ttl() < 0 : a.ttl() > e.ttl() - 600 && a.ttl() <= e.ttl();
      if (!ttlOk) {
        return key + ": TTL " + a.ttl() + " but the model has " + e.ttl();
      }
    }
    return null;
  }

  private static List<String> head(TreeSet<String> keys) {
    return keys.stream().limit(5).toList();
  }

  private void killRecoverAndCheck(
      String uri, List<RedisServer> nodes, Runnable flushAll, long seed, int pace, String layout)
      throws Exception {
    flushAll.run();
    long lastAck = recordAndKill(uri, seed, pace > 0 ? 5_000 : 30_000, true, pace, layout);
    List<UsageEvent> events = events(seed, COUNT);
    SinkStats s = recover(uri, layout);
    assertThat(s.failed()).as("%s", s).isZero();
    SortedMap<String, StoredKey> after = dump(uri, nodes, layout);
    // the event after the last acknowledged one may have been journaled before the kill
    int held = prefixHeld(after, events, (int) lastAck + 1);
    System.out.printf(
        "%s layout: kill -9 after %d acknowledged events: Redis holds exactly the first %d; the"
            + " recovery stored %d events%n",
        layout, lastAck + 1, held, s.stored());
    // the child may have journaled one event it did not acknowledge; more means lost ack lines
    assertThat(held)
        .as("events held beyond the acknowledged ones")
        .isLessThanOrEqualTo((int) lastAck + 2);

    SinkStats again = recover(uri, layout);
    assertThat(again.recorded()).as("recovering twice recovers nothing: %s", again).isZero();
    assertThat(difference(dump(uri, nodes, layout), model(events, held))).isNull();
  }

  /**
   * What Redis holds: on a cluster, the union of what each master holds, read over a plain
   * connection per node (a fresh cluster connection rejects a burst of pipelined reads while its
   * node connections come up: "Currently not connected", seen with UsageReader.dump on ~40k keys).
   */
  private static SortedMap<String, StoredKey> dump(
      String uri, List<RedisServer> nodes, String layout) {
    if (layout.equals(UsageLayouts.COMPACT)) {
      SinkConfig config = config(uri, layout).build();
      try (RedisConnection c = RedisConnection.open(config)) {
        return States.fromReader(
            UsageReader.of(c, config).crsView()); // a few hashes: one connection reads them
      }
    }
    if (nodes.isEmpty()) {
      return RedisStates.dump(config(uri).build());
    }
    SortedMap<String, StoredKey> all = new TreeMap<>();
    for (RedisServer node : nodes) {
      all.putAll(RedisStates.dump(config(node.uri()).redisCluster(false).build()));
    }
    return all;
  }

  private static SortedMap<String, StoredKey> model(List<UsageEvent> events, int n) {
    UsageLayout layout = UsageLayouts.crs(config("redis://unused").build());
    PlanInterpreter model = new PlanInterpreter();
    for (UsageEvent e : events.subList(0, n)) {
      model.apply(layout.plan(e));
    }
    return model.state();
  }

  @Test
  void killMinus9ThenRecoveryLeavesExactlyAPrefixWithEveryAcknowledgedEvent(RedisServer redis)
      throws Exception {
    killRecoverAndCheck(redis.uri(), List.of(), redis::flushAll, 11, 0, UsageLayouts.CRS);
  }

  @Test
  void compactLayoutKillMinus9ThenRecoveryLeavesExactlyAPrefixInTheCrsView(RedisServer redis)
      throws Exception {
    killRecoverAndCheck(redis.uri(), List.of(), redis::flushAll, 31, 0, UsageLayouts.COMPACT);
  }

  /**
   * Compact layout, paced (the kill often lands while a batch is being sent): the batch in flight
   * is resent from the outbox under the dead writer's id, whatever part of it had landed, and
   * counts once.
   */
  @Test
  void compactLayoutKilledWhileSmallBatchesAreSentTheBatchInFlightCountsOnce(RedisServer redis)
      throws Exception {
    for (long seed = 41; seed < 44; seed++) {
      killRecoverAndCheck(redis.uri(), List.of(), redis::flushAll, seed, 20, UsageLayouts.COMPACT);
    }
  }

  @Test
  void compactLayoutOnAThreeMasterClusterToo(RedisClusterHandle cluster) throws Exception {
    killRecoverAndCheck(
        cluster.seedUri(), cluster.nodes(), cluster::flushAll, 32, 20, UsageLayouts.COMPACT);
  }

  /**
   * Paced recording (small batches, so the kill often lands while one is being written): the batch
   * in flight, applied or not, is rewritten under its own guard id and counts once.
   */
  @Test
  void killedWhileSmallBatchesAreWrittenTheBatchInFlightCountsOnce(RedisServer redis)
      throws Exception {
    for (long seed = 21; seed < 24; seed++) {
      killRecoverAndCheck(redis.uri(), List.of(), redis::flushAll, seed, 20, UsageLayouts.CRS);
    }
  }

  @Test
  void onAThreeMasterClusterToo(RedisClusterHandle cluster) throws Exception {
    killRecoverAndCheck(
        cluster.seedUri(), cluster.nodes(), cluster::flushAll, 12, 0, UsageLayouts.CRS);
  }

  @Test
  void aTornLastRecordIsSkippedAndReportedAndEverythingBeforeItIsRecovered(RedisServer redis)
      throws Exception {
    redis.flushAll();
    long seed = 13;
    long lastAck = recordAndKill(redis.uri(), seed, 10_000, false, 0, UsageLayouts.CRS);
    tearLastRecord();
    List<UsageEvent> events = events(seed, COUNT);
    SinkStats s = recover(redis.uri(), UsageLayouts.CRS);
    assertThat(s.failed()).as("%s", s).isZero();
    int held = prefixHeld(dump(redis.uri(), List.of(), UsageLayouts.CRS), events, (int) lastAck);
    System.out.printf(
        "torn last record after %d acknowledged events: Redis holds exactly the first %d%n",
        lastAck + 1, held);
  }

  /**
   * Damages the last record of the newest non-empty segment as a crash in the middle of its copy
   * would (its last 8 bytes never written), so its checksum fails. Walks the framing: at offset 64,
   * records of an 8-byte header (0xA5 in the top byte of a little-endian int, the payload length
   * below it) and a payload, padded to 8 bytes.
   */
  private void tearLastRecord() throws IOException {
    List<Path> segments;
    try (Stream<Path> files = Files.list(dir)) {
      segments =
          files
              .filter(f -> f.getFileName().toString().endsWith(".seg"))
              .sorted((a, b) -> Long.compare(base(b), base(a)))
              .toList();
    }
    for (Path seg : segments) {
      try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
        long off = 64;
        long last = -1;
        long lastEnd = -1;
        while (off + 8 <= f.length()) {
          f.seek(off);
          int h = Integer.reverseBytes(f.readInt());
          if ((h >>> 24) != 0xA5) {
            break;
          }
          int len = h & 0xFFFFFF;
          last = off;
          lastEnd = off + 8 + len;
          off += (8 + len + 7) & ~7;
        }
        if (last >= 0) {
          f.seek(lastEnd - 8);
          f.write(new byte[8]);
          return;
        }
      }
    }
    throw new AssertionError("no record found in " + segments);
  }

  private static long base(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".seg".length()));
  }
}
