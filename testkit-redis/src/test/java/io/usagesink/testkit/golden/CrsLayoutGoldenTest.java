package io.usagesink.testkit.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayout;
import io.usagesink.plan.UsagePlan;
import io.usagesink.testkit.redis.StoredKey;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The reference layout against CRS's recorded output ({@code shared/reference/crs-golden.json}):
 * for every case, each event's exact command list (in the order a plan guarantees) and the final
 * database. The file comes from the test kit's class path, so these tests run in any clone.
 */
class CrsLayoutGoldenTest {

  static GoldenFile golden;
  static UsageLayout layout;

  @BeforeAll
  static void loadGoldenFile() {
    golden = GoldenFile.reference();
    layout = golden.config().referenceLayout();
  }

  @TestFactory
  Stream<DynamicTest> everyConformingCaseProducesCrsCommandsAndState() {
    return golden.cases().stream()
        .filter(c -> c.deviation().isEmpty())
        .map(
            c ->
                dynamicTest(
                    c.name(),
                    () -> {
                      PlanInterpreter redis = new PlanInterpreter();
                      for (int i = 0; i < c.events().size(); i++) {
                        UsagePlan plan = layout.plan(CrsCallAdapter.toEvent(c.events().get(i)));
                        assertThat(PlanCommands.of(plan))
                            .as("%s event %d", c.name(), i)
                            .isEqualTo(c.commandsInPlanOrder(i));
                        redis.apply(plan);
                      }
                      assertThat(redis.state()).as("%s final state", c.name()).isEqualTo(c.state());
                    }));
  }

  @Test
  void goldenDataIsTheReferenceRecording() {
    assertThat(golden.source().commit()).isEqualTo("e187b8946af78ca04530433de4903589d5d1f834");
    assertThat(golden.config().zone()).isEqualTo(ZoneOffset.ofHours(8));
    assertThat(golden.config().metricsWindowMinutes()).isEqualTo(5);
    assertThat(golden.cases()).hasSize(18);
    GoldenCase.DEVIATIONS.keySet().forEach(golden::caseNamed); // every documented deviation exists
  }

  /** The only reordering is the one UsageLayouts documents: account long-context counters. */
  @Test
  void planOrderDiffersFromCrsOnlyForAccountLongContextCounters() {
    int reordered = 0;
    for (GoldenCase c : golden.cases()) {
      for (int i = 0; i < c.events().size(); i++) {
        List<List<String>> crs = c.commands(i);
        if (c.commandsInPlanOrder(i).equals(crs)) {
          continue;
        }
        reordered++;
        CrsCall call = c.events().get(i);
        assertThat(call.method()).as(c.name()).isEqualTo(CrsMethod.INCREMENT_ACCOUNT_USAGE);
        assertThat(call.args().truthy("isLongContextRequest")).as(c.name()).isTrue();
        int firstExpire =
            crs.indexOf(
                crs.stream().filter(cmd -> cmd.get(0).equals("EXPIRE")).findFirst().orElseThrow());
        List<String> movedFields =
            crs.subList(firstExpire, crs.size()).stream()
                .filter(cmd -> cmd.get(0).equals("HINCRBY"))
                .map(cmd -> cmd.get(1) + " " + cmd.get(2))
                .toList();
        String id = call.args().text("accountId");
        assertThat(movedFields)
            .containsExactly(
                "account_usage:" + id + " totalLongContextInputTokens",
                "account_usage:" + id + " totalLongContextOutputTokens",
                "account_usage:" + id + " totalLongContextRequests",
                "account_usage:daily:" + id + ":2025-08-15 longContextInputTokens",
                "account_usage:daily:" + id + ":2025-08-15 longContextOutputTokens",
                "account_usage:daily:" + id + ":2025-08-15 longContextRequests");
      }
    }
    assertThat(reordered).isEqualTo(1);
  }

  /**
   * Deviation: CRS books an empty model under an empty key segment and a null one under the text
   * {@code null}; we book both as {@code unknown}, exactly like an explicit {@code unknown}.
   */
  @Test
  void emptyAndNullModelsAreBookedAsUnknown() {
    GoldenCase deviating = golden.caseNamed("token-model-empty-and-null");
    GoldenCase unknown = golden.caseNamed("token-model-unknown-explicit");
    assertThat(deviating.events().get(1).args().has("model")).isTrue();
    assertThat(deviating.events().get(1).args().raw("model")).isNull();
    assertThat(deviating.state())
        .containsKeys("usage:model:daily::2025-08-15", "usage:model:daily:null:2025-08-15");
    assertThat(unknown.events().get(0).args().names())
        .containsExactlyElementsOf(deviating.events().get(0).args().names());

    PlanInterpreter redis = new PlanInterpreter();
    for (CrsCall call : deviating.events()) {
      UsageEvent e = CrsCallAdapter.toEvent(call);
      assertThat(e.model()).isEqualTo("unknown");
      UsagePlan plan = layout.plan(e);
      assertThat(PlanCommands.of(plan)).isEqualTo(unknown.commandsInPlanOrder(0));
      redis.apply(plan);
    }
    SortedMap<String, StoredKey> expected = GoldenExpectations.expectedState(deviating);
    assertThat(expected)
        .isNotEqualTo(deviating.state())
        .containsKey("usage:model:daily:unknown:2025-08-15")
        .doesNotContainKey("usage:model:daily::2025-08-15");
    assertThat(expected.get("usage:model:daily:unknown:2025-08-15").fields())
        .containsEntry("requests", "2");
    assertThat(redis.state()).isEqualTo(expected);
  }

  /** One event with both ids plans what CRS's two calls for one request do, in one plan. */
  @Test
  void eventWithKeyAndAccountPlansBothCrsCalls() {
    GoldenCase c = golden.caseNamed("request-token-plus-account");
    UsageEvent token = CrsCallAdapter.toEvent(c.events().get(0));
    UsageEvent account = CrsCallAdapter.toEvent(c.events().get(1));
    // same request: the account call has the same numbers (it has no ephemeral arguments)
    assertThat(
            account.toBuilder()
                .keyId(token.keyId())
                .accountId(null)
                .ephemeral5mTokens(token.ephemeral5mTokens())
                .ephemeral1hTokens(token.ephemeral1hTokens())
                .build())
        .isEqualTo(token);
    UsagePlan plan = layout.plan(token.toBuilder().accountId(account.accountId()).build());

    List<List<String>> expected = new ArrayList<>();
    Stream.of(c.commands(0), c.commands(1))
        .flatMap(List::stream)
        .filter(cmd -> cmd.get(0).equals("HINCRBY"))
        .forEach(expected::add);
    Stream.of(c.commands(0), c.commands(1))
        .flatMap(List::stream)
        .filter(cmd -> cmd.get(0).equals("EXPIRE"))
        .forEach(expected::add);
    assertThat(PlanCommands.of(plan)).isEqualTo(expected);
    assertThat(new PlanInterpreter().apply(plan).state()).isEqualTo(c.state());
  }

  /**
   * Planning a whole case as one merged plan (what a buffered sink flushes) reaches the recorded
   * state (for the deviation: the recorded state with the deviation applied).
   */
  @TestFactory
  Stream<DynamicTest> mergedPlanOfACaseReachesTheSameState() {
    return golden.cases().stream()
        .map(
            c ->
                dynamicTest(
                    c.name(),
                    () -> {
                      UsagePlan.Builder merged = UsagePlan.builder();
                      c.events()
                          .forEach(
                              call -> merged.addAll(layout.plan(CrsCallAdapter.toEvent(call))));
                      assertThat(new PlanInterpreter().apply(merged.build()).state())
                          .isEqualTo(GoldenExpectations.expectedState(c));
                    }));
  }
}
