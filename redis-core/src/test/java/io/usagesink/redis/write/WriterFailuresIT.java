package io.usagesink.redis.write;

import static io.usagesink.redis.testing.States.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.KeyFailure;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.testkit.golden.PlanInterpreter;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both writers against poisoned keys, OOM and lost connections, on one server and on a 3-master
 * cluster. Expected states are computed independently (literal values, or the test kit's
 * PlanInterpreter over the parts of the plan that must be stored), never by running a writer again.
 */
@ExtendWith(RedisExtension.class)
class WriterFailuresIT {

  private static final UsageEvent BOTH =
      UsageEvent.builder()
          .at(Instant.parse("2025-08-15T03:10:00Z"))
          .keyId("k1")
          .accountId("a1")
          .model("claude-sonnet-4-20250514")
          .inputTokens(1200)
          .outputTokens(350)
          .cacheCreateTokens(5000)
          .cacheReadTokens(20000)
          .ephemeral5mTokens(5000)
          .build();
  private static final String MAX = "9223372036854775800";

  /** One server or a cluster, seen the same way by the tests. */
  private interface Target {
    String uri();

    /** A command on the node that owns {@code key}. */
    Object command(String key, String... args);

    /** The nodes, for CONFIG SET and guard look-ups. */
    List<RedisServer> nodes();

    default RedisServer nodeOf(
        @SuppressWarnings("unused") String key) { // one server holds every key
      return nodes().get(0);
    }
  }

  private static Target single(RedisServer redis) {
    return new Target() {
      @Override
      public String uri() {
        return redis.uri();
      }

      @Override
      public Object command(String key, String... args) {
        return redis.command(args);
      }

      @Override
      public List<RedisServer> nodes() {
        return List.of(redis);
      }
    };
  }

  private static Target cluster(RedisClusterHandle cluster) {
    return new Target() {
      @Override
      public String uri() {
        return cluster.uri();
      }

      @Override
      public Object command(String key, String... args) {
        return cluster.nodeForKey(key).command(args);
      }

      @Override
      public List<RedisServer> nodes() {
        return cluster.nodes();
      }

      @Override
      public RedisServer nodeOf(String key) {
        return cluster.nodeForKey(key);
      }
    };
  }

  private static WriteResult await(CompletableFuture<WriteResult> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static String guard(String writer, String id) {
    return writer.equals("lua") ? id : null;
  }

  private static Set<String> keys(UsagePlan plan) {
    Set<String> keys = new LinkedHashSet<>();
    plan.counters().forEach(c -> keys.add(c.key()));
    plan.expiries().forEach(e -> keys.add(e.key()));
    plan.indexAdds().forEach(a -> keys.add(a.setKey()));
    return keys;
  }

  /** The state {@code plan} restricted to {@code keys} leaves on an empty Redis. */
  private static SortedMap<String, StoredKey> expected(UsagePlan plan, Set<String> keys) {
    return new PlanInterpreter().apply(PlanEncoding.only(plan, keys)).state();
  }

  private static Set<String> without(Set<String> all, String key) {
    Set<String> out = new LinkedHashSet<>(all);
    out.remove(key);
    return out;
  }

  // --- a key of another type ---------------------------------------------------------------------

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void aWrongTypeKeyFailsAloneOnOneServer(String writer, RedisServer redis) throws Exception {
    wrongTypeKeyFailsAlone(writer, single(redis));
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void aWrongTypeKeyFailsAloneOnACluster(String writer, RedisClusterHandle cluster)
      throws Exception {
    wrongTypeKeyFailsAlone(writer, cluster(cluster));
  }

  private static void wrongTypeKeyFailsAlone(String writer, Target target) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(target.uri()).build();
    UsagePlan plan = UsageLayouts.crs(config).plan(BOTH);
    assertThat(keys(plan)).contains("usage:k1").hasSizeGreaterThan(3);
    target.command("usage:k1", "SET", "usage:k1", "x");
    try (RedisConnection c = RedisConnection.open(config)) {
      WriteResult r =
          await(PlanWritersIT.writer(writer, c, config).write(plan, guard(writer, "wrongtype")));
      assertThat(r.failedKeys()).hasSize(1);
      KeyFailure f = r.failedKeys().get(0);
      assertThat(f.key()).isEqualTo("usage:k1");
      assertThat(f.reason()).startsWith("WRONGTYPE");
      assertThat(f.partial()).isFalse(); // the key's every command was refused (it has no EXPIRE)
      assertThat(r.complete()).isFalse();
      SortedMap<String, StoredKey> want =
          new TreeMap<>(expected(plan, without(keys(plan), "usage:k1")));
      want.put("usage:k1", new StoredKey("string", new TreeMap<>(), List.of(), "x", -1));
      assertSameState(
          States.fromReader(UsageReader.of(c, config).dump()),
          want,
          States.TTL_TOLERANCE_SECONDS,
          writer + " after WRONGTYPE");

      if (writer.equals("lua")) {
        // a retry under the same guard id changes nothing and reports the same failure
        WriteResult again = await(PlanWritersIT.writer(writer, c, config).write(plan, "wrongtype"));
        assertThat(again.applied()).isFalse();
        assertThat(again.duplicateGroups()).isEqualTo(again.groups());
        assertThat(again.failedKeys()).containsExactly(f);
        assertSameState(
            States.fromReader(UsageReader.of(c, config).dump()),
            want,
            States.TTL_TOLERANCE_SECONDS,
            "after the retry");
      }
    }
  }

  // --- an overflowing counter --------------------------------------------------------------------

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void anOverflowingCounterFailsItsKeyOnlyOnOneServer(String writer, RedisServer redis)
      throws Exception {
    overflowingCounterFailsItsKeyOnly(writer, single(redis));
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void anOverflowingCounterFailsItsKeyOnlyOnACluster(String writer, RedisClusterHandle cluster)
      throws Exception {
    overflowingCounterFailsItsKeyOnly(writer, cluster(cluster));
  }

  private static void overflowingCounterFailsItsKeyOnly(String writer, Target target)
      throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(target.uri()).build();
    UsagePlan plan =
        UsagePlan.builder()
            .increment("h1", "a", 5)
            .increment("h1", "b", 10)
            .increment("h1", "c", Long.MIN_VALUE)
            .expire("h1", 100)
            .increment("h2", "x", 3)
            .expire("h2", 100)
            .indexAdd("s", "m", 50)
            .build();
    target.command("h1", "HSET", "h1", "b", MAX, "z", "1");
    try (RedisConnection c = RedisConnection.open(config)) {
      WriteResult r =
          await(PlanWritersIT.writer(writer, c, config).write(plan, guard(writer, "overflow")));
      assertThat(r.failedKeys()).extracting(KeyFailure::key).containsExactly("h1");
      assertThat(r.failedKeys().get(0).reason())
          .isEqualTo("ERR increment or decrement would overflow");
      SortedMap<String, StoredKey> want = new TreeMap<>();
      if (writer.equals("lua")) {
        // the script undid "a" (created by the call: removed again) and stopped at "b": h1 as it
        // was
        assertThat(r.failedKeys().get(0).partial()).isFalse();
        want.put("h1", StoredKey.hash(Map.of("b", MAX, "z", "1"), -1));
      } else {
        // the pipeline cannot undo: "a" and "c" were applied, and so was the EXPIRE
        assertThat(r.failedKeys().get(0).partial()).isTrue();
        want.put(
            "h1",
            StoredKey.hash(
                Map.of("a", "5", "b", MAX, "c", Long.toString(Long.MIN_VALUE), "z", "1"), 100));
      }
      want.put("h2", StoredKey.hash(Map.of("x", "3"), 100));
      want.put("s", StoredKey.set(List.of("m"), 50));
      assertSameState(
          States.fromReader(UsageReader.of(c, config).dump()),
          want,
          States.TTL_TOLERANCE_SECONDS,
          writer + " after the overflow");
    }
  }

  // --- OOM: refused as a whole, retried exactly --------------------------------------------------

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void anOomEpisodeAppliesNothingAndTheRetryAppliesOnceOnOneServer(String writer, RedisServer redis)
      throws Exception {
    oomEpisode(writer, single(redis));
  }

  @ParameterizedTest(name = "{0} writer")
  @ValueSource(strings = {"lua", "pipeline"})
  void anOomNodeLeavesExactlyItsGroupsRemainingOnACluster(String writer, RedisClusterHandle cluster)
      throws Exception {
    oomEpisode(writer, cluster(cluster));
  }

  private static void oomEpisode(String writer, Target target) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(target.uri()).build();
    UsagePlan plan = UsageLayouts.crs(config).plan(BOTH);
    RedisServer full = target.nodeOf("usage:k1");
    Set<String> onFull = new HashSet<>();
    for (String k : keys(plan)) {
      if (target.nodeOf(k) == full) {
        onFull.add(k);
      }
    }
    target.command("filler", "SET", "filler", "some data");
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter w = PlanWritersIT.writer(writer, c, config);
      await(w.write(UsagePlan.builder().increment("warm", "up", 1).build(), null)); // script loaded
      target.command("warm", "DEL", "warm");
      IncompleteWriteException e;
      full.command("CONFIG", "SET", "maxmemory", "1");
      try {
        Throwable t = catchThrowable(() -> await(w.write(plan, guard(writer, "oom"))));
        assertThat(t)
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(IncompleteWriteException.class);
        e = (IncompleteWriteException) t.getCause();
      } finally {
        full.command("CONFIG", "SET", "maxmemory", "0");
      }
      assertThat(e.getCause()).hasMessageStartingWith("OOM");
      assertThat(e.failedKeys()).isEmpty();
      // exactly the updates of the keys on the full node remain; the rest is stored exactly
      assertThat(keys(e.remaining())).containsExactlyInAnyOrderElementsOf(onFull);
      assertThat(e.remaining().counters())
          .containsExactlyElementsOf(PlanEncoding.only(plan, onFull).counters());
      SortedMap<String, StoredKey> partly = new TreeMap<>(expected(plan, keys(plan)));
      partly.keySet().removeAll(onFull);
      partly.put("filler", new StoredKey("string", new TreeMap<>(), List.of(), "some data", -1));
      assertSameState(
          States.fromReader(UsageReader.of(c, config).dump()),
          partly,
          States.TTL_TOLERANCE_SECONDS,
          writer + " during OOM");
      assertThat(((List<?>) full.command("KEYS", "usagesink:guard:*")))
          .as("guard on the full node")
          .isEmpty();

      WriteResult retry = await(w.write(e.remaining(), guard(writer, "oom")));
      assertThat(retry.applied()).isTrue();
      assertThat(retry.complete()).isTrue();
      SortedMap<String, StoredKey> all = new TreeMap<>(expected(plan, keys(plan)));
      all.put("filler", new StoredKey("string", new TreeMap<>(), List.of(), "some data", -1));
      assertSameState(
          States.fromReader(UsageReader.of(c, config).dump()),
          all,
          States.TTL_TOLERANCE_SECONDS,
          writer + " after the retry");
    }
  }

  // --- the open-time ACL check of the connection engineer ----------------------------------------

  @Test
  void theScriptWithNoKeysAndAZeroTtlWritesNothing(RedisServer redis) {
    redis.command("SCRIPT", "LOAD", PlanScript.SOURCE);
    Object reply = redis.command("EVALSHA", PlanScript.SHA, "0", "0");
    assertThat(reply).isEqualTo(List.of(1L, 0L));
    assertThat(redis.dbSize()).isZero();
  }

  // --- pipeline: a connection killed in the middle -----------------------------------------------

  @Test
  void aKilledConnectionLeavesOnlyUnansweredCommandsRemaining(RedisServer redis) throws Exception {
    int n = 50_000;
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    UsagePlan.Builder b = UsagePlan.builder(n);
    for (int i = 0; i < n; i++) {
      b.increment("big:" + (i % 100), "f" + i, i + 1);
    }
    UsagePlan plan = b.build();
    try (RedisConnection c = RedisConnection.openForWriters(config)) {
      CompletableFuture<WriteResult> f = PlanWriters.pipeline(c, config).write(plan, null);
      while (!f.isDone() && (Long) redis.command("EXISTS", "big:0", "big:99") == 0) {
        Thread.onSpinWait();
      }
      long killedAt = System.nanoTime();
      redis.killClients();
      Throwable t = catchThrowable(() -> f.get(30, TimeUnit.SECONDS));
      System.out.printf(
          "pipeline killed mid-write: outcome after %d ms: %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt),
          t == null ? "complete" : FailurePolicy.describe(t));
      UsagePlan remaining =
          t == null ? UsagePlan.empty() : ((IncompleteWriteException) t.getCause()).remaining();
      Set<CounterDelta> left = new HashSet<>(remaining.counters());
      long unknownApplied = 0;
      for (int k = 0; k < 100; k++) {
        Map<String, String> stored = new java.util.HashMap<>();
        List<?> flat = (List<?>) redis.command("HGETALL", "big:" + k);
        for (int i = 0; i < flat.size(); i += 2) {
          stored.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        for (int i = k; i < n; i += 100) {
          CounterDelta d = new CounterDelta("big:" + k, "f" + i, i + 1);
          String v = stored.get("f" + i);
          if (!left.contains(d)) {
            assertThat(v)
                .as("answered %s", d)
                .isEqualTo(Long.toString(i + 1)); // applied exactly once
          } else if (v != null) {
            unknownApplied++; // unanswered but applied: a retry counts it twice (at-least-once)
          }
        }
      }
      System.out.printf(
          "pipeline killed mid-write: %d of %d commands remaining, %d of them applied before the"
              + " kill%n",
          remaining.counters().size(), plan.counters().size(), unknownApplied);
      if (t != null) {
        assertThat(t.getCause()).isInstanceOf(IncompleteWriteException.class);
        assertThat(FailurePolicy.classify(t.getCause().getCause()))
            .isEqualTo(FailurePolicy.Kind.TRANSIENT);
      }
    }
  }

  @Test
  void writtenCommandsOfABrokenConnectionFailAtOnceAndAreNotReplayed(RedisServer redis)
      throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    UsagePlan plan =
        UsagePlan.builder().increment("h", "a", 1).increment("h", "b", 2).expire("h", 100).build();
    try (RedisConnection c = RedisConnection.openForWriters(config)) {
      PlanWriter w = PlanWriters.pipeline(c, config);
      await(w.write(UsagePlan.builder().increment("warm", "up", 1).build(), null));
      redis.pauseWrites(java.time.Duration.ofSeconds(2)); // Redis reads the commands and holds them
      CompletableFuture<WriteResult> f = w.write(plan, null);
      Thread.sleep(200);
      long killedAt = System.nanoTime();
      redis.killClients();
      Throwable t = catchThrowable(() -> f.get(30, TimeUnit.SECONDS));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      System.out.printf(
          "broken connection: the write failed %d ms after the kill: %s%n",
          millis, FailurePolicy.describe(t));
      assertThat(t)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IncompleteWriteException.class);
      IncompleteWriteException e = (IncompleteWriteException) t.getCause();
      assertThat(e.getCause()).isNotInstanceOf(io.lettuce.core.RedisCommandTimeoutException.class);
      assertThat(e.remaining()).isEqualTo(plan);
      Thread.sleep(
          2_500); // the pause is over and the connection is back: nothing was re-sent by Lettuce
      assertThat(redis.command("EXISTS", "h")).isEqualTo(0L);
      assertThat(await(w.write(e.remaining(), null)).complete()).isTrue();
      assertThat(redis.command("HGET", "h", "b")).isEqualTo("2");
    }
  }
}
