package io.usagesink.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UsagePlanTest {

  @Test
  void sameKeyAndFieldAreSummedAtTheirFirstPosition() {
    UsagePlan plan =
        UsagePlan.builder()
            .increment("k1", "a", 1)
            .increment("k1", "b", 2)
            .increment("k2", "a", 3)
            .increment("k1", "a", 10)
            .increment(new String("k2"), new String("a"), 30)
            .build();
    assertThat(plan.counters())
        .containsExactly(
            new CounterDelta("k1", "a", 11),
            new CounterDelta("k1", "b", 2),
            new CounterDelta("k2", "a", 33));
  }

  @Test
  void overflowIsRejectedNamingTheCounterAndLeavesItUnchanged() {
    UsagePlan.Builder b = UsagePlan.builder().increment("k", "f", Long.MAX_VALUE);
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> b.increment("k", "f", 1))
        .withMessage("counter k f overflows a long: 9223372036854775807 + 1");
    assertThat(b.build().counters()).containsExactly(new CounterDelta("k", "f", Long.MAX_VALUE));
  }

  @Test
  void expiryKeepsFirstPositionAndLatestTtl() {
    UsagePlan plan = UsagePlan.builder().expire("a", 10).expire("b", 20).expire("a", 30).build();
    assertThat(plan.expiries()).containsExactly(new Expiry("a", 30), new Expiry("b", 20));
  }

  @Test
  void nonPositiveTtlIsRejectedNamingTheKey() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsagePlan.builder().expire("a", 0))
        .withMessage("ttlSeconds must be > 0 but was 0 for key a");
  }

  @Test
  void indexAddsAreOnePerSetAndMember() {
    UsagePlan plan =
        UsagePlan.builder()
            .indexAdd("s", "m1", 10)
            .indexAdd("s", "m2", 0)
            .indexAdd("s", "m1", 20)
            .build();
    assertThat(plan.indexAdds())
        .containsExactly(new IndexAdd("s", "m1", 20), new IndexAdd("s", "m2", 0));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsagePlan.builder().indexAdd("s", "m", -1))
        .withMessage("ttlSeconds must be >= 0 but was -1 for set s");
  }

  @Test
  void nullKeyOrFieldIsRejected() {
    assertThatNullPointerException()
        .isThrownBy(() -> UsagePlan.builder().increment(null, "f", 1))
        .withMessage("key");
    assertThatNullPointerException()
        .isThrownBy(() -> UsagePlan.builder().increment("k", null, 1))
        .withMessage("field");
    assertThatNullPointerException()
        .isThrownBy(() -> UsagePlan.builder().expire(null, 1))
        .withMessage("key");
  }

  @Test
  void addAllMergesAnotherPlan() {
    UsagePlan first =
        UsagePlan.builder().increment("k", "a", 1).expire("k", 5).indexAdd("s", "m", 0).build();
    UsagePlan second =
        UsagePlan.builder().increment("k", "b", 2).increment("k", "a", 3).expire("k", 7).build();
    UsagePlan merged = UsagePlan.builder().addAll(first).addAll(second).build();
    assertThat(merged.counters())
        .containsExactly(new CounterDelta("k", "a", 4), new CounterDelta("k", "b", 2));
    assertThat(merged.expiries()).containsExactly(new Expiry("k", 7));
    assertThat(merged.indexAdds()).containsExactly(new IndexAdd("s", "m", 0));
    assertThat(merged.size()).isEqualTo(4);
  }

  @Test
  void builtPlanIsUnaffectedByLaterUseOfTheBuilder() {
    UsagePlan.Builder b = UsagePlan.builder().increment("k", "a", 1).expire("k", 5);
    UsagePlan first = b.build();
    b.increment("k", "a", 1).increment("k", "b", 1).expire("k", 9);
    assertThat(first.counters()).containsExactly(new CounterDelta("k", "a", 1));
    assertThat(first.expiries()).containsExactly(new Expiry("k", 5));
    assertThat(b.build().counters())
        .containsExactly(new CounterDelta("k", "a", 2), new CounterDelta("k", "b", 1));
  }

  @Test
  void clearForgetsEverything() {
    UsagePlan.Builder b =
        UsagePlan.builder().increment("k", "a", 1).expire("k", 5).indexAdd("s", "m", 0);
    b.clear();
    assertThat(b.isEmpty()).isTrue();
    assertThat(b.counterCount()).isZero();
    assertThat(b.build()).isSameAs(UsagePlan.empty());
    assertThat(b.increment("k", "a", 2).build().counters())
        .containsExactly(new CounterDelta("k", "a", 2));
    assertThat(b.expire("k", 7).build().expiries()).containsExactly(new Expiry("k", 7));
  }

  /**
   * One builder cleared and reused for many plans (as the buffered flush worker reuses one per
   * batch) builds each plan exactly as a fresh builder does: nothing of an earlier plan leaks into
   * a later one, and the lookup tables do not fill up with forgotten entries.
   */
  @Test
  void aClearedBuilderReusedManyTimesBuildsWhatAFreshBuilderBuilds() {
    UsagePlan.Builder reused = UsagePlan.builder(4);
    for (int round = 0; round < 200; round++) {
      UsagePlan.Builder fresh = UsagePlan.builder(4);
      for (UsagePlan.Builder b : List.of(reused.clear(), fresh)) {
        for (int i = 0; i < 3; i++) {
          String key = "r" + round + ":k" + i;
          b.increment(key, "f", i + 1).increment("shared", "f" + (round % 5), 1).expire(key, 60);
        }
        b.expire("shared", 600);
      }
      assertThat(reused.build()).as("round %d", round).isEqualTo(fresh.build());
      assertThat(reused.counterCount()).isEqualTo(4);
    }
  }

  @Test
  void emptyBuilderBuildsTheEmptyPlan() {
    assertThat(UsagePlan.builder().build()).isSameAs(UsagePlan.empty());
    assertThat(UsagePlan.empty().isEmpty()).isTrue();
    assertThat(UsagePlan.empty().size()).isZero();
  }

  @Test
  void planListsAreUnmodifiable() {
    UsagePlan plan =
        UsagePlan.builder().increment("k", "a", 1).expire("k", 5).indexAdd("s", "m", 0).build();
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> plan.counters().clear());
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> plan.expiries().set(0, new Expiry("x", 1)));
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> plan.indexAdds().clear());
  }

  @Test
  void equalPlansAreEqual() {
    UsagePlan a = UsagePlan.builder(1).increment("k", "a", 1).expire("k", 5).build();
    UsagePlan b = UsagePlan.builder(100).increment("k", "a", 1).expire("k", 5).build();
    assertThat(a)
        .isEqualTo(b)
        .hasSameHashCodeAs(b)
        .hasToString("UsagePlan[counters=1, expiries=1, indexAdds=0]");
    assertThat(a).isNotEqualTo(UsagePlan.builder().increment("k", "a", 2).expire("k", 5).build());
  }

  @Test
  void negativeCapacityHintIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsagePlan.builder(-1))
        .withMessage("expectedCounters must be >= 0 but was -1");
  }

  /**
   * Against a LinkedHashMap model, with growth far beyond the initial capacity and many collisions.
   */
  @Test
  void behavesLikeAnOrderedMapUnderRandomUse() {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      UsagePlan.Builder b = UsagePlan.builder(random.nextInt(8));
      Map<List<String>, Long> counters = new LinkedHashMap<>();
      Map<String, Long> expiries = new LinkedHashMap<>();
      int keys = 1 + random.nextInt(400);
      for (int i = 0; i < 5_000; i++) {
        String key = "key:" + random.nextInt(keys);
        if (random.nextInt(10) == 0) {
          long ttl = 1L + random.nextInt(1000);
          b.expire(key, ttl);
          expiries.put(key, ttl);
        } else {
          String field = "f" + random.nextInt(20);
          long delta = random.nextInt(1_000_000);
          b.increment(key, field, delta);
          counters.merge(List.of(key, field), delta, Long::sum);
        }
      }
      List<CounterDelta> expectedCounters = new ArrayList<>();
      counters.forEach((kf, v) -> expectedCounters.add(new CounterDelta(kf.get(0), kf.get(1), v)));
      List<Expiry> expectedExpiries = new ArrayList<>();
      expiries.forEach((k, ttl) -> expectedExpiries.add(new Expiry(k, ttl)));
      UsagePlan plan = b.build();
      assertThat(plan.counters()).isEqualTo(expectedCounters);
      assertThat(plan.expiries()).isEqualTo(expectedExpiries);
      assertThat(b.counterCount()).isEqualTo(expectedCounters.size());
    }
  }

  @Test
  void aPlanOfOnlyExpiriesOrOnlyIndexAddsIsNotEmpty() {
    UsagePlan expiries = UsagePlan.builder().expire("k", 5).build();
    UsagePlan indexAdds = UsagePlan.builder().indexAdd("s", "m", 0).build();
    assertThat(expiries.isEmpty()).isFalse();
    assertThat(expiries.size()).isEqualTo(1);
    assertThat(indexAdds.isEmpty()).isFalse();
    assertThat(indexAdds.size()).isEqualTo(1);
    assertThat(UsagePlan.builder().expire("k", 5).isEmpty()).isFalse();
    assertThat(UsagePlan.builder().indexAdd("s", "m", 0).isEmpty()).isFalse();
    assertThat(UsagePlan.builder().increment("k", "f", 0).isEmpty()).isFalse();
    UsagePlan.Builder cleared = UsagePlan.builder().indexAdd("s", "m", 0).clear();
    assertThat(cleared.isEmpty()).isTrue();
    assertThat(cleared.expire("k", 1).build().indexAdds()).isEmpty();
  }

  @Test
  void plansDifferingInExpiriesOrIndexAddsAreNotEqual() {
    UsagePlan base =
        UsagePlan.builder().increment("k", "a", 1).expire("k", 5).indexAdd("s", "m", 0).build();
    assertThat(base)
        .isEqualTo(
            UsagePlan.builder()
                .increment("k", "a", 1)
                .expire("k", 5)
                .indexAdd("s", "m", 0)
                .build());
    assertThat(base)
        .isNotEqualTo(
            UsagePlan.builder()
                .increment("k", "a", 1)
                .expire("k", 6)
                .indexAdd("s", "m", 0)
                .build());
    assertThat(base)
        .isNotEqualTo(
            UsagePlan.builder()
                .increment("k", "a", 1)
                .expire("k", 5)
                .indexAdd("s", "m", 1)
                .build());
    assertThat(base).isNotEqualTo("k a 1");
  }

  @Test
  void negativeDeltasAreSummedExactlyAndMayNotOverflowEither() {
    assertThat(
            UsagePlan.builder().increment("k", "f", -5).increment("k", "f", 3).build().counters())
        .containsExactly(new CounterDelta("k", "f", -2));
    UsagePlan.Builder b = UsagePlan.builder().increment("k", "f", Long.MIN_VALUE);
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> b.increment("k", "f", -1))
        .withMessage("counter k f overflows a long: -9223372036854775808 + -1");
  }

  @Test
  void aZeroCapacityHintStillGrows() {
    UsagePlan.Builder b = UsagePlan.builder(0);
    for (int i = 0; i < 100; i++) {
      b.increment("k" + i, "f", i).expire("k" + i, i + 1).increment("x", "f", 1);
    }
    UsagePlan plan = b.build();
    assertThat(plan.counters())
        .hasSize(101)
        .contains(new CounterDelta("x", "f", 100))
        .last()
        .isEqualTo(new CounterDelta("k99", "f", 99));
    assertThat(plan.expiries()).hasSize(100).element(99).isEqualTo(new Expiry("k99", 100));
  }

  @Test
  void recordsRejectWhatRedisCouldNotTake() {
    assertThatNullPointerException()
        .isThrownBy(() -> new CounterDelta(null, "f", 1))
        .withMessage("key");
    assertThatNullPointerException()
        .isThrownBy(() -> new CounterDelta("k", null, 1))
        .withMessage("field");
    assertThatNullPointerException()
        .isThrownBy(() -> new IndexAdd(null, "m", 0))
        .withMessage("setKey");
    assertThatNullPointerException()
        .isThrownBy(() -> new IndexAdd("s", null, 0))
        .withMessage("member");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Expiry("k", 0))
        .withMessage("ttlSeconds must be > 0 but was 0 for key k");
    assertThat(new Expiry("k", 1).ttlSeconds()).isEqualTo(1);
    assertThat(new IndexAdd("s", "m", 0).ttlSeconds()).isZero();
  }
}
