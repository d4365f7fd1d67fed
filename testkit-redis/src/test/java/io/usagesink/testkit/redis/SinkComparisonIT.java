package io.usagesink.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The comparison on a real Redis with two tiny strategies written over the fixture's admin
 * connection: one HINCRBY + EXPIRE per event sent by the client, or one EVAL per event running both
 * inside the script.
 */
@ExtendWith(RedisExtension.class)
class SinkComparisonIT {
  private static final String SCRIPT =
      "redis.call('HINCRBY', KEYS[1], 'totalRequests', 1) " + "redis.call('EXPIRE', KEYS[1], 3600)";
  private static final List<UsageEvent> EVENTS = Workloads.random(7, 200);

  /**
   * Writes each event's request count with {@code write} at once; counts one command per write
   * call.
   */
  private static final class CountingSink implements UsageSink {
    private final BiConsumer<String, AtomicLong> write;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();

    CountingSink(BiConsumer<String, AtomicLong> write) {
      this.write = write;
    }

    @Override
    public CompletionStage<Void> record(UsageEvent e) {
      if (e.keyId() != null) {
        write.accept("usage:" + e.keyId(), commands);
      }
      recorded.incrementAndGet();
      return CompletableFuture.completedStage(null);
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedStage(null);
    }

    @Override
    public void close() {}

    @Override
    public SinkStats stats() {
      return SinkStats.builder()
          .recorded(recorded.get())
          .stored(recorded.get())
          .commands(commands.get())
          .build();
    }
  }

  private static UsageSink direct(RedisServer redis) {
    return new CountingSink(
        (key, commands) -> {
          redis.command("HINCRBY", key, "totalRequests", "1");
          redis.command("EXPIRE", key, "3600");
          commands.addAndGet(2);
        });
  }

  private static UsageSink scripted(RedisServer redis, long skipEvery) {
    AtomicLong n = new AtomicLong();
    return new CountingSink(
        (key, commands) -> {
          if (skipEvery == 0 || n.incrementAndGet() % skipEvery != 0) {
            redis.command("EVAL", SCRIPT, "1", key);
            commands.incrementAndGet();
          }
        });
  }

  @Test
  void reportsEachSinksCommandsAndComparesTheirStates(RedisServer redis) {
    long withKey = EVENTS.stream().filter(e -> e.keyId() != null).count();
    SinkComparison.Result r =
        SinkComparison.on(redis)
            .workload(EVENTS)
            .sink("direct", config -> direct(redis))
            .sink("scripted", config -> scripted(redis, 0))
            .run();

    r.assertSameState(Duration.ofSeconds(30));
    SinkComparison.SinkRun direct = r.get("direct");
    SinkComparison.SinkRun scripted = r.get("scripted");
    assertThat(direct.stats().recorded()).isEqualTo(EVENTS.size());
    assertThat(direct.commands())
        .isEqualTo(new io.usagesink.launcher.CommandCounts(2 * withKey, 0, 0));
    assertThat(scripted.commands())
        .isEqualTo(new io.usagesink.launcher.CommandCounts(withKey, 2 * withKey, withKey));
    assertThat(scripted.commands().billed()).isEqualTo(3 * withKey);
    assertThat(scripted.commandStats().calls("eval")).isEqualTo(withKey);
    assertThat(direct.state().keys())
        .containsOnlyKeys(
            "usage:key-0",
            "usage:key-1",
            "usage:key-2",
            "usage:key-3",
            "usage:key-4",
            "usage:key-5");
    assertThat(direct.state().keys().get("usage:key-0").ttl()).isBetween(3000L, 3600L);
    assertThat(r.table()).contains("direct").contains("scripted");
  }

  @Test
  void aSinkThatLosesEventsFailsTheComparisonWithOneLinePerDifference(RedisServer redis) {
    SinkComparison.Result r =
        SinkComparison.on(redis)
            .workload(EVENTS)
            .sink("direct", config -> direct(redis))
            .sink("lossy", config -> scripted(redis, 10))
            .run();
    assertThat(r.diff("lossy", "direct", Duration.ofSeconds(30)).lines())
        .isNotEmpty()
        .allMatch(
            l -> l.matches("usage:key-\\d field totalRequests: \\d+, expected \\d+ \\(-\\d+\\)"));
    assertThatThrownBy(() -> r.assertSameState(Duration.ofSeconds(30)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("lossy vs direct: ")
        .hasMessageContaining("\n  usage:key-");
  }

  @Test
  void bookkeepingKeysAreLeftOutUnlessAsked(RedisServer redis) {
    UsageSink withGuard =
        new CountingSink(
            (key, commands) ->
                redis.command("SET", LayoutSettings.DEFAULT_KEY_PREFIX + "guard", "1"));
    SinkComparison.Result r =
        SinkComparison.on(redis)
            .workload(EVENTS.subList(0, 5))
            .sink("guarded", config -> withGuard)
            .run();
    assertThat(r.get("guarded").state().keys()).isEmpty();
    SinkComparison.Result all =
        SinkComparison.on(redis)
            .workload(EVENTS.subList(0, 5))
            .keys(k -> true)
            .sink(
                "guarded",
                config ->
                    new CountingSink((key, commands) -> redis.command("SET", "usagesink:g", "1")))
            .run();
    assertThat(all.get("guarded").state().keys()).containsOnlyKeys("usagesink:g");
  }
}
