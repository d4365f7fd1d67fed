package io.usagesink.testkit.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.plan.UsagePlan;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanCommandsTest {

  @Test
  void rendersCountersThenExpiriesThenIndexAdds() {
    UsagePlan plan =
        UsagePlan.builder()
            .expire("h", 60)
            .increment("h", "f", 7)
            .indexAdd("s", "m", 30)
            .indexAdd("t", "n", 0)
            .build();
    assertThat(PlanCommands.of(plan))
        .containsExactly(
            List.of("HINCRBY", "h", "f", "7"),
            List.of("EXPIRE", "h", "60"),
            List.of("SADD", "s", "m"),
            List.of("EXPIRE", "s", "30"),
            List.of("SADD", "t", "n"));
  }

  @Test
  void countersFirstIsAStablePartition() {
    List<List<String>> crs =
        List.of(
            List.of("HINCRBY", "a", "x", "1"),
            List.of("EXPIRE", "a", "5"),
            List.of("HINCRBY", "b", "y", "2"),
            List.of("EXPIRE", "b", "6"),
            List.of("HINCRBY", "a", "z", "3"));
    assertThat(PlanCommands.countersFirst(crs))
        .containsExactly(
            List.of("HINCRBY", "a", "x", "1"),
            List.of("HINCRBY", "b", "y", "2"),
            List.of("HINCRBY", "a", "z", "3"),
            List.of("EXPIRE", "a", "5"),
            List.of("EXPIRE", "b", "6"));
  }
}
