package io.usagesink.redis.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageSinks;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.SinkComparison;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's "Comparing strategies in a test", as written there (both backends are on this
 * classpath).
 */
@ExtendWith(RedisExtension.class)
class ReadmeComparisonIT {

  @Test
  void luaAndPipelineLeaveTheSameState(RedisServer redis) {
    SinkComparison.Result r =
        SinkComparison.on(redis)
            .workload(Workloads.random(42, 5_000)) // or any List<UsageEvent>
            .sink("pipeline", c -> UsageSinks.open(c.toBuilder().backend("redis-pipeline").build()))
            .sink("lua", c -> UsageSinks.open(c.toBuilder().backend("redis-lua").build()))
            .run();
    r.assertSameState(Duration.ofSeconds(90)); // fails with one line per difference
    assertThat(r.get("lua").commands().client()).isLessThan(r.get("pipeline").commands().client());
    System.out.print(r.table()); // client / in-script / billed per event
  }
}
