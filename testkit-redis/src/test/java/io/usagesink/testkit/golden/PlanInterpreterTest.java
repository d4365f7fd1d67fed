package io.usagesink.testkit.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import io.usagesink.plan.UsagePlan;
import io.usagesink.testkit.redis.StoredKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanInterpreterTest {

  @Test
  void countersAddUpAndKeysWithoutExpiryHaveTtlMinusOne() {
    PlanInterpreter redis =
        new PlanInterpreter()
            .apply(UsagePlan.builder().increment("h", "a", 1).increment("h", "b", 0).build())
            .apply(UsagePlan.builder().increment("h", "a", 2).build());
    assertThat(redis.state())
        .containsExactly(entry("h", StoredKey.hash(Map.of("a", "3", "b", "0"), -1)));
  }

  @Test
  void lastExpireWinsAndExpireOfAMissingKeyDoesNothing() {
    PlanInterpreter redis =
        new PlanInterpreter()
            .apply(
                UsagePlan.builder()
                    .increment("h", "a", 1)
                    .expire("h", 100)
                    .expire("missing", 5)
                    .build())
            .apply(UsagePlan.builder().expire("h", 50).build());
    assertThat(redis.state()).containsExactly(entry("h", StoredKey.hash(Map.of("a", "1"), 50)));
  }

  @Test
  void indexAddsBuildSetsWithOptionalTtl() {
    PlanInterpreter redis =
        new PlanInterpreter()
            .apply(
                UsagePlan.builder()
                    .indexAdd("s", "b", 10)
                    .indexAdd("s", "a", 10)
                    .indexAdd("forever", "x", 0)
                    .build());
    assertThat(redis.state())
        .containsExactly(
            entry("forever", StoredKey.set(List.of("x"), -1)),
            entry("s", StoredKey.set(List.of("a", "b"), 10)));
  }

  @Test
  void usingAKeyWithTwoTypesFailsLikeRedis() {
    PlanInterpreter redis = new PlanInterpreter().hincrby("k", "f", 1);
    assertThatIllegalStateException()
        .isThrownBy(() -> redis.sadd("k", "m"))
        .withMessage("WRONGTYPE: SADD on hash k");
    PlanInterpreter sets = new PlanInterpreter().sadd("s", "m");
    assertThatIllegalStateException()
        .isThrownBy(() -> sets.hincrby("s", "f", 1))
        .withMessage("WRONGTYPE: HINCRBY on set s");
  }

  @Test
  void overflowFailsLikeRedis() {
    PlanInterpreter redis = new PlanInterpreter().hincrby("k", "f", Long.MAX_VALUE);
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> redis.hincrby("k", "f", 1))
        .withMessage("HINCRBY k f would overflow: 9223372036854775807 + 1");
  }
}
