package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.layout.UsageTally;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.testing.States;
import io.usagesink.redis.write.CompactWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The compact writer's outbox, the piece that makes a journal recovery into the compact layout
 * exact, on a real Redis: a writer "killed" (dropped, never closed) with a batch in flight, whether
 * that batch had landed or not, and a new writer that adopts what the first one saved and then
 * writes the same batch under its guard id (as the journal's recovery does) and the rest: the CRS
 * view then holds every event exactly once. Without the adoption, the first case counts the batch
 * twice and the second loses nothing only because the batch is re-planned; both are checked.
 */
@ExtendWith(RedisExtension.class)
class CompactOutboxIT {

  private static final Instant FROM = Instant.parse("2025-12-30T10:00:00Z");

  private static SinkConfig config(String uri) {
    return SinkConfig.builder()
        .redisUri(uri)
        .zone(ZoneOffset.ofHours(8))
        .shutdownHook(false)
        .property(UsageLayouts.LAYOUT_PROPERTY, "compact")
        .build();
  }

  private static UsagePlan plan(CompactLayout layout, List<UsageEvent> events) {
    UsagePlan.Builder b = UsagePlan.builder();
    events.forEach(e -> layout.plan(UsageTally.of(e), b));
    return b.build();
  }

  /**
   * Keeps the last record saved; {@code failAfterSave} makes the send fail after the save (nothing
   * sent).
   */
  private static final class MemoryOutbox implements CompactWriter.Outbox {
    final AtomicReference<CompactWriter.Unsent> last = new AtomicReference<>();
    volatile boolean failAfterSave;

    @Override
    public void save(CompactWriter.Unsent unsent) throws java.io.IOException {
      last.set(unsent);
      if (failAfterSave) {
        throw new java.io.IOException("killed right after saving");
      }
    }
  }

  private void killedWithABatchInFlightThenAdoptedLeavesEveryEventOnce(
      RedisServer redis, boolean landed) throws Exception {
    redis.flushAll();
    SinkConfig config = config(redis.uri());
    CompactLayout layout = UsageLayouts.compact(config);
    List<UsageEvent> events = Workloads.random(5, 900, FROM, Duration.ofHours(3));
    List<UsageEvent> p1 = events.subList(0, 300);
    List<UsageEvent> p2 = events.subList(300, 600);
    List<UsageEvent> p3 = events.subList(600, 900);
    try (RedisConnection c = RedisConnection.open(config)) {
      MemoryOutbox outbox = new MemoryOutbox();
      CompactWriter dead = PlanWriters.compact(c, layout, InstantSource.system(), outbox);
      dead.write(plan(layout, p1), "j:0-1").get(10, TimeUnit.SECONDS);
      outbox.failAfterSave = !landed;
      if (landed) {
        dead.write(plan(layout, p2), "j:1-2").get(10, TimeUnit.SECONDS);
      } else {
        assertThatThrownBy(() -> dead.write(plan(layout, p2), "j:1-2").get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
      CompactWriter.Unsent saved = outbox.last.get();
      assertThat(saved.guardId()).isEqualTo("j:1-2");
      // the dead writer is never used again; a new one adopts and recovers the batch, then goes on
      CompactWriter next =
          PlanWriters.compact(c, layout, InstantSource.system(), new MemoryOutbox());
      assertThat(next.adopt(saved)).isTrue();
      next.write(plan(layout, p2), "j:1-2").get(10, TimeUnit.SECONDS);
      next.write(plan(layout, p3), "j:2-3").get(10, TimeUnit.SECONDS);
      next.close();
      InMemoryRedis expected = new InMemoryRedis();
      events.forEach(e -> expected.apply(UsageLayouts.crs(config).plan(e), null));
      RedisStates.assertSameState(States.fromReader(UsageReader.of(c, config).crsView()), expected);
    }
  }

  @Test
  void aBatchThatLandedBeforeTheKillIsNotCountedAgain(RedisServer redis) throws Exception {
    killedWithABatchInFlightThenAdoptedLeavesEveryEventOnce(redis, true);
  }

  @Test
  void aBatchThatNeverLandedIsStoredOnceFromTheOutbox(RedisServer redis) throws Exception {
    killedWithABatchInFlightThenAdoptedLeavesEveryEventOnce(redis, false);
  }

  @Test
  void anOutboxWhoseLeaseLapsedIsRefusedAndItsBatchFailsForGood(RedisServer redis)
      throws Exception {
    redis.flushAll();
    SinkConfig config = config(redis.uri());
    CompactLayout layout = UsageLayouts.compact(config);
    List<UsageEvent> events = Workloads.random(6, 200, FROM, Duration.ofHours(1));
    try (RedisConnection c = RedisConnection.open(config)) {
      MemoryOutbox outbox = new MemoryOutbox();
      CompactWriter dead = PlanWriters.compact(c, layout, InstantSource.system(), outbox);
      dead.write(plan(layout, events), "j:0-1").get(10, TimeUnit.SECONDS);
      ManualClock later = new ManualClock(Instant.now().plus(Duration.ofHours(8)));
      CompactWriter next = PlanWriters.compact(c, layout, later, new MemoryOutbox());
      assertThat(next.adopt(outbox.last.get())).isFalse();
      assertThatThrownBy(() -> next.write(plan(layout, events), "j:0-1").get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("leases have lapsed");
    }
  }
}
