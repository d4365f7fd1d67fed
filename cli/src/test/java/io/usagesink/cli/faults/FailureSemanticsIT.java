package io.usagesink.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.IsolatedRedis;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The failure-semantics matrix on one Redis server (the shared one, emptied before each test), plus
 * what needs a server of its own: Redis down when the sink opens and up a few seconds later.
 */
@DisplayName("failure semantics on one Redis server")
@ExtendWith(RedisExtension.class)
class FailureSemanticsIT extends FailureSemanticsMatrix {
  private static final String CONNECT = "usagesink.redis.connect";

  /**
   * How long the server stays down after the events were recorded (the restart runs on another
   * thread).
   */
  private static final long DOWN_MILLIS = 2_500;

  private RedisServer redis;

  @BeforeEach
  void useSharedServer(RedisServer shared) {
    this.redis = shared;
  }

  @Override
  SinkConfig.Builder base() {
    return SinkConfig.builder().redisUri(redis.uri());
  }

  @Override
  String uriWithUser(String user, String password) {
    return redis.uri().replace("redis://", "redis://" + user + ":" + password + "@");
  }

  @Override
  RedisServer nodeFor(String key) {
    return redis;
  }

  @Override
  List<RedisServer> nodes() {
    return List.of(redis);
  }

  @Override
  String topology() {
    return "one server";
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  void redisDownAtOpenAndUpLaterStoresEveryEventOnce(
      Backend backend, @IsolatedRedis RedisServer own) throws Exception {
    own.stop();
    assertThat(own.isRunning()).as("stopped before open").isFalse();
    SinkConfig config =
        backend
            .configure(SinkConfig.builder().redisUri(own.uri()))
            .closeTimeout(Duration.ofSeconds(60))
            .shutdownHook(false)
            .build();
    List<UsageEvent> events = FaultWorkload.events(6, 200);
    String what = "Redis down at open through " + backend;
    CompletableFuture<Void> restarted = new CompletableFuture<>();
    SinkRun.Outcome o;
    try (UsageSink sink = UsageSinks.open(config)) {
      assertThat(own.isRunning())
          .as(what + ": open() returned while Redis was still down")
          .isFalse();
      SinkRun run = new SinkRun(sink).record(events);
      assertThat(sink.stats().stored()).as(what + ": nothing stored while down").isZero();
      assertThat(sink.stats().pending()).as(what + ": waiting while down").isPositive();
      Thread restarter =
          new Thread(
              () -> {
                try {
                  Thread.sleep(DOWN_MILLIS);
                  own.restart();
                  restarted.complete(null);
                } catch (Throwable t) {
                  restarted.completeExceptionally(t);
                }
              },
              "faults-restarter");
      restarter.start();
      o = run.close(); // closes while Redis is still down: must wait for it, up to the close
      // timeout
      restarter.join(TimeUnit.SECONDS.toMillis(SinkRun.STAGE_DEADLINE_SECONDS));
    }
    restarted.get(
        1, TimeUnit.SECONDS); // the restart really happened (the join above waited for it)
    System.out.println(what + ": " + o);
    new Checks()
        .check(() -> o.assertAccounted(events.size()))
        .check(() -> assertThat(o.stats().failed()).as(what + ": failed").isZero())
        .check(
            () ->
                Expected.assertSameState(
                    Expected.dump(List.of(own)), Expected.state(config, events), what + ": exact"))
        .done();
  }

  @Test
  void withConnectFailOpenThrowsWhileRedisIsDown(@IsolatedRedis RedisServer own) {
    own.stop();
    for (Backend backend : Backend.values()) {
      SinkConfig config =
          backend
              .configure(SinkConfig.builder().redisUri(own.uri()))
              .property(CONNECT, "fail")
              .shutdownHook(false)
              .build();
      assertThatThrownBy(() -> UsageSinks.open(config).close())
          .as(backend + " with " + CONNECT + "=fail")
          .hasMessageContaining(Integer.toString(own.port()));
    }
  }
}
