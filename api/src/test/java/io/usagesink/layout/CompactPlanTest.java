package io.usagesink.layout;

import static io.usagesink.layout.PlanText.commands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.CompactLayout.KeyKind;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the compact layout plans for a tally and how it names, parses and encodes its keys and
 * cells.
 */
class CompactPlanTest {

  static final Instant AT =
      Instant.parse("2025-08-15T03:10:00Z"); // 11:10 at +8, epoch minute 29253790
  static final String M = "claude-sonnet-4-20250514";
  static final String BUCKET = "usagesink:c:h:2025-08-15:11";

  static CompactLayout compact(StatsPolicy policy) {
    return UsageLayouts.compact(
        SinkConfig.builder()
            .zone(ZoneOffset.ofHours(8))
            .metricsWindow(Duration.ofMinutes(5))
            .properties(policy.switches())
            .build());
  }

  static UsageEvent.Builder event() {
    return UsageEvent.builder()
        .at(AT)
        .model(M)
        .inputTokens(1200)
        .outputTokens(350)
        .cacheCreateTokens(5000)
        .cacheReadTokens(20000)
        .ephemeral5mTokens(3000)
        .ephemeral1hTokens(2000);
  }

  @Test
  void anEventBooksItsKeyMinuteAndAccountCellsIntoItsHourBucket() {
    UsagePlan plan = compact(StatsPolicy.ALL).plan(event().keyId("k1").accountId("a1").build());
    String k = "HINCRBY " + BUCKET + " k|k1|" + M + "#";
    String m = "HINCRBY " + BUCKET + " m|29253790#";
    String a = "HINCRBY " + BUCKET + " a|a1|" + M + "#";
    assertThat(commands(plan))
        .containsExactly(
            k + "0 1",
            k + "1 1200",
            k + "2 350",
            k + "3 5000",
            k + "4 20000",
            k + "5 3000",
            k + "6 2000",
            m + "0 1",
            m + "1 1200",
            m + "2 350",
            m + "3 5000",
            m + "4 20000",
            a + "0 1",
            a + "1 1200",
            a + "2 350",
            a + "3 5000",
            a + "4 20000",
            a + "5 3000",
            a + "6 2000");
  }

  @Test
  void longContextIsBookedInItsOwnComponentsAndZeroComponentsButRequestsAreLeftOut() {
    UsagePlan plan =
        compact(StatsPolicy.ALL)
            .plan(
                UsageEvent.builder()
                    .at(AT)
                    .accountId("a1")
                    .model(M)
                    .inputTokens(7)
                    .longContext(true)
                    .build());
    String a = "HINCRBY " + BUCKET + " a|a1|" + M + "#";
    assertThat(commands(plan)).containsExactly(a + "0 1", a + "1 7", a + "7 1", a + "8 7");
    UsagePlan empty =
        compact(StatsPolicy.ALL).plan(UsageEvent.builder().at(AT).accountId("a1").model(M).build());
    assertThat(commands(empty)).containsExactly(a + "0 1");
  }

  @Test
  void switchesShapeTheCells() {
    UsageEvent e = event().keyId("k1").build();
    String k = "HINCRBY " + BUCKET + " k|k1|#";
    assertThat(commands(compact(StatsPolicy.ALL.withModel(false).withMinute(false)).plan(e)))
        .containsExactly(
            k + "0 1",
            k + "1 1200",
            k + "2 350",
            k + "3 5000",
            k + "4 20000",
            k + "5 3000",
            k + "6 2000");
    // without cache detail only the sum of cache tokens is kept (the all-token sums need it)
    String d = "HINCRBY usagesink:c:h:2025-08-15 k|k1|" + M + "#";
    CompactLayout days =
        compact(StatsPolicy.ALL.withHourly(false).withDetailedCache(false).withMinute(false));
    assertThat(commands(days.plan(e)))
        .containsExactly(d + "0 1", d + "1 1200", d + "2 350", d + "3 25000");
    assertThat(compact(StatsPolicy.OFF).plan(e).isEmpty()).isTrue();
    assertThat(compact(StatsPolicy.ALL.withEnabled(false)).plan(e).isEmpty()).isTrue();
  }

  @Test
  void idsWithSeparatorsAreEscapedInCellNames() {
    UsagePlan plan =
        compact(StatsPolicy.ALL.withMinute(false))
            .plan(UsageEvent.builder().at(AT).keyId("team|1%").model("m|x").build());
    assertThat(plan.counters()).extracting(c -> c.field()).containsExactly("k|team%7C1%25|m%7Cx#0");
  }

  @Test
  void bucketsAreMinutesHoursOrDaysAsThePolicySays() {
    Instant at = Instant.parse("2025-08-15T03:10:42.5Z");
    assertThat(compact(StatsPolicy.ALL).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-15T03:10:00Z"));
    assertThat(compact(StatsPolicy.ALL.withMinute(false)).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-15T03:00:00Z"));
    assertThat(compact(StatsPolicy.CORE).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-14T16:00:00Z"));
    CompactLayout hours = compact(StatsPolicy.ALL);
    CompactLayout days = compact(StatsPolicy.CORE);
    assertThat(hours.hourBuckets()).isTrue();
    assertThat(days.hourBuckets()).isFalse();
    assertThat(hours.bucketLabel(at)).isEqualTo("2025-08-15:11");
    assertThat(days.bucketLabel(at)).isEqualTo("2025-08-15");
    assertThat(hours.bucketTtl()).isEqualTo(8 * 86_400);
    assertThat(days.bucketTtl()).isEqualTo(33 * 86_400);
    assertThat(hours.labelStart("2025-08-15:11")).isEqualTo(Instant.parse("2025-08-15T03:00:00Z"));
    assertThat(hours.labelStart("2025-08-15")).isEqualTo(Instant.parse("2025-08-14T16:00:00Z"));
    assertThat(hours.zone()).isEqualTo(ZoneOffset.ofHours(8));
    assertThat(hours.metricsWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(hours.policy()).isEqualTo(StatsPolicy.ALL);
  }

  @Test
  void keysAreNamedAndRecognisedUnderThePrefix() {
    CompactLayout layout = UsageLayouts.compact(SinkConfig.builder().keyPrefix("p:").build());
    assertThat(layout.prefix()).isEqualTo("p:c:");
    assertThat(layout.bucketKey("2025-08-15:11")).isEqualTo("p:c:h:2025-08-15:11");
    assertThat(layout.monthKey("2025-08")).isEqualTo("p:c:m:2025-08");
    assertThat(layout.totalsKey()).isEqualTo("p:c:t");
    assertThat(layout.kind("p:c:h:2025-08-15:11")).isEqualTo(KeyKind.BUCKET);
    assertThat(layout.kind("p:c:m:2025-08")).isEqualTo(KeyKind.MONTH);
    assertThat(layout.kind("p:c:t")).isEqualTo(KeyKind.TOTALS);
    assertThat(layout.kind("p:c:tx")).isEqualTo(KeyKind.OTHER);
    assertThat(layout.kind("p:c:x:1")).isEqualTo(KeyKind.OTHER);
    assertThat(layout.kind("q:c:t")).isEqualTo(KeyKind.OTHER);
    assertThat(layout.label("p:c:h:2025-08-15:11")).isEqualTo("2025-08-15:11");
    assertThat(layout.label("p:c:m:2025-08")).isEqualTo("2025-08");
    assertThat(CompactLayout.monthOf("2025-08-15:11")).isEqualTo("2025-08");
    assertThat(CompactLayout.dayOfMonth("2025-08-15:11")).isEqualTo("15");
    assertThat(CompactLayout.watermarkBucket("2025-08-15:11 1755227400"))
        .isEqualTo("2025-08-15:11");
    assertThat(CompactLayout.watermarkBucket(CompactLayout.FINAL)).isEqualTo("~");
    assertThat(layout.toString()).contains("zone=UTC", "prefix=p:c:");
  }

  @Test
  void cellNames() {
    CompactLayout.Cell key = new CompactLayout.Cell('k', "a|b", "m%", 0);
    assertThat(key.name()).isEqualTo("k|a%7Cb|m%25");
    assertThat(key.subjectName()).isEqualTo("k|a%7Cb");
    assertThat(new CompactLayout.Cell('m', null, null, 29253790).name()).isEqualTo("m|29253790");
  }

  @Test
  void cellsParseFromFieldPartsAndPartsThatAreNoCellGiveNull() {
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "k", "a%7Cb", "m%25"}, 1))
        .isEqualTo(new CompactLayout.Cell('k', "a|b", "m%", 0));
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "a", "acct"}, 1))
        .as("a subject without a model (its totals cell)")
        .isEqualTo(new CompactLayout.Cell('a', "acct", "", 0));
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "m", "29253790"}, 1))
        .isEqualTo(new CompactLayout.Cell('m', null, null, 29253790));
    // the boundary: a kind with nothing after it is no cell (nor read past the parts)
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "k"}, 1)).isNull();
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "m"}, 1)).isNull();
    assertThat(CompactLayout.Cell.parse(new String[] {"w1"}, 1)).isNull();
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "x", "y", "z"}, 1)).isNull();
    assertThat(CompactLayout.Cell.parse(new String[] {"w1", "kk", "y", "z"}, 1)).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "plain; plain",
        "a|b; a%7Cb",
        "100%; 100%25",
        "%7C; %257C",
        "|%|; %7C%25%7C",
        "|a; %7Ca"
      })
  void escapingIsReversible(String raw, String escaped) {
    assertThat(CompactLayout.escape(raw)).isEqualTo(escaped);
    assertThat(CompactLayout.unescape(escaped)).isEqualTo(raw);
  }

  @Test
  void vectorsEncodeWithoutTrailingZerosAndDecodeBack() {
    assertThat(CompactLayout.encode(new long[10])).isEqualTo("0");
    assertThat(CompactLayout.encode(new long[] {0, 0, 3, 0, 0, 0, 0, 0, 0, 0})).isEqualTo("0,0,3");
    long[] full = {1, 2, 3, 4, 5, 6, 7, 8, 9, Long.MAX_VALUE};
    assertThat(CompactLayout.encode(full)).isEqualTo("1,2,3,4,5,6,7,8,9,9223372036854775807");
    assertThat(CompactLayout.decode(CompactLayout.encode(full))).containsExactly(full);
    assertThat(CompactLayout.decode("0")).containsExactly(new long[10]);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {"''", "1,x", "1,,2", "1.5", "a"})
  void malformedVectorsAreRejectedShowingTheText(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> CompactLayout.decode(text))
        .withMessage("not a compact cell value: \"" + text + "\"");
  }

  @Test
  void addIntoSumsEveryComponentExactly() {
    long[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CompactLayout.addInto(a, new long[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 100});
    assertThat(a).containsExactly(11, 22, 33, 44, 55, 66, 77, 88, 99, 110);
    long[] big = new long[10];
    big[9] = Long.MAX_VALUE;
    long[] one = new long[10];
    one[9] = 1;
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> CompactLayout.addInto(big, one));
  }
}
