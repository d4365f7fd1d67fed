package io.usagesink.redis.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.lettuce.core.cluster.SlotHash;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.WriteResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KEYS/ARGV layout of the plan script, and slot grouping. */
class PlanEncodingTest {

  @Test
  void eachKeyCarriesItsCountersOrMembersAndItsTtl() {
    UsagePlan plan =
        UsagePlan.builder()
            .increment("h1", "a", 5)
            .increment("h2", "x", -0)
            .increment("h1", "b", Long.MAX_VALUE)
            .expire("h1", 100)
            .expire("only-ttl", 7)
            .indexAdd("s", "m1", 60)
            .indexAdd("s", "m2", 60)
            .indexAdd("forever", "m", 0)
            .build();
    List<PlanEncoding.Group> groups = PlanEncoding.encode(plan, false);
    assertThat(groups).hasSize(1);
    PlanEncoding.Group g = groups.get(0);
    assertThat(g.keys()).containsExactly("h1", "h2", "only-ttl", "s", "forever");
    assertThat(g.argv())
        .containsExactly(
            "2",
            "a",
            "5",
            "b",
            Long.toString(Long.MAX_VALUE),
            "100",
            "1",
            "x",
            "0",
            "0",
            "0",
            "7",
            "-2",
            "m1",
            "m2",
            "60",
            "-1",
            "m",
            "0");
    // HINCRBY x3, EXPIRE h1, EXPIRE only-ttl, SADD x3, EXPIRE s
    assertThat(g.scriptCommands()).isEqualTo(9);
    assertThat(g.slot()).isEqualTo(SlotHash.getSlot("h1"));
  }

  @Test
  void onAClusterKeysAreGroupedBySlotInFirstSeenOrder() {
    UsagePlan plan =
        UsagePlan.builder()
            .increment("{a}1", "f", 1)
            .increment("{b}1", "f", 1)
            .increment("{a}2", "f", 1)
            .expire("{b}2", 5)
            .build();
    List<PlanEncoding.Group> groups = PlanEncoding.encode(plan, true);
    assertThat(groups)
        .extracting(PlanEncoding.Group::slot)
        .containsExactly(SlotHash.getSlot("a"), SlotHash.getSlot("b"));
    assertThat(groups.get(0).keys()).containsExactly("{a}1", "{a}2");
    assertThat(groups.get(1).keys()).containsExactly("{b}1", "{b}2");
  }

  @Test
  void aKeyThatIsBothAHashAndASetIsRejected() {
    UsagePlan plan = UsagePlan.builder().increment("k", "f", 1).indexAdd("k", "m", 0).build();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PlanEncoding.encode(plan, false))
        .withMessage("key k gets both hash counters and set members in one plan");
  }

  @Test
  void everySlotHasAHashTagThatMapsToIt() {
    for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
      String tag = SlotTags.tag(slot);
      assertThat(tag.length()).isLessThanOrEqualTo(3);
      assertThat(SlotHash.getSlot("usagesink:guard:{" + tag + "}:some-id")).isEqualTo(slot);
    }
  }

  @Test
  void theScriptIsConstantAndItsShaIsWhatRedisComputes() {
    assertThat(PlanScript.SOURCE).startsWith("#!lua\n-- usagesink: applies one UsagePlan");
    // SHA-1 of the resource as Redis computes it for SCRIPT LOAD; a changed script changes it
    assertThat(PlanScript.SHA).hasSize(40).isEqualTo(PlanScript.sha1Hex(PlanScript.SOURCE));
    assertThat(PlanScript.sha1Hex("return 1"))
        .isEqualTo("e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  }

  @Test
  void writeResultsRejectImpossibleCounts() {
    assertThatIllegalArgumentException().isThrownBy(() -> new WriteResult(1, 1, 0, 1, 2, true));
    assertThat(WriteResult.NOTHING.applied()).isTrue();
  }
}
