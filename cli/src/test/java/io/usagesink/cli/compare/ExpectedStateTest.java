package io.usagesink.cli.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.cli.events.Workload;
import io.usagesink.cli.events.Workloads;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.read.StoredKey;
import io.usagesink.testkit.golden.PlanInterpreter;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the expected state compare checks every row against")
class ExpectedStateTest {

  @Test
  void equalsTheTestKitsPlanInterpreterOnTheSeedDay() {
    UsageLayout crs = UsageLayouts.crs();
    Workload w = Workloads.seedDay(300);
    RedisState expected = ExpectedState.of(w.iterator(), crs);
    PlanInterpreter reference = new PlanInterpreter();
    for (Iterator<UsageEvent> it = w.iterator(); it.hasNext(); ) {
      reference.apply(crs.plan(it.next()));
    }
    Map<String, StoredKey> fromInterpreter = new TreeMap<>();
    reference
        .state()
        .forEach(
            (k, v) ->
                fromInterpreter.put(
                    k, new StoredKey(v.type(), v.fields(), v.members(), v.value(), v.ttl())));
    assertThat(expected.keys()).isEqualTo(fromInterpreter);
    assertThat(expected.size()).isGreaterThan(100);
  }

  @Test
  void zeroIncrementsCreateFieldsAndTheFrugalViewDropsThem() {
    UsageEvent e =
        UsageEvent.builder()
            .id("e1")
            .at(Instant.parse("2025-08-15T10:00:00Z"))
            .keyId("k")
            .accountId("a")
            .model("claude-sonnet-4-20250514")
            .inputTokens(10)
            .outputTokens(5)
            .build();
    RedisState s = ExpectedState.of(List.of(e).iterator(), UsageLayouts.crs());
    StoredKey daily = s.keys().get("usage:daily:k:2025-08-15");
    assertThat(daily.fields()).containsEntry("requests", "1").containsEntry("cacheReadTokens", "0");
    assertThat(daily.ttl()).isEqualTo(2_764_800);
    assertThat(s.keys().get("usage:k").ttl()).isEqualTo(-1);
    RedisState frugal = s.withoutZeroFields();
    assertThat(frugal.keys().get("usage:daily:k:2025-08-15").fields())
        .containsEntry("requests", "1")
        .doesNotContainKey("cacheReadTokens");
    assertThat(frugal.keys().values())
        .allSatisfy(x -> assertThat(x.fields()).doesNotContainValue("0"));
  }
}
