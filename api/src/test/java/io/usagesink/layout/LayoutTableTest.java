package io.usagesink.layout;

import static io.usagesink.layout.LayoutTable.field;
import static io.usagesink.layout.LayoutTable.longContextField;
import static io.usagesink.layout.PlanText.commands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import io.usagesink.layout.LayoutTable.KeyDef;
import io.usagesink.layout.LayoutTable.Section;
import io.usagesink.layout.LayoutTable.SectionBuilder;
import io.usagesink.layout.LayoutTable.Subject;
import io.usagesink.layout.LayoutTable.Ttl;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Layout tables: templates, the checks a table passes when built, and how a table layout executes
 * one.
 */
class LayoutTableTest {

  static final Instant AT =
      Instant.parse("2025-08-15T03:10:00Z"); // 11:10 at +8, epoch minute 29253790

  @Test
  void templatesRenderTheirPlaceholders() {
    Template t = Template.parse("usage:{keyId}:model:{model}:{hour}");
    String[] vars = new String[Placeholder.COUNT];
    vars[Placeholder.KEY_ID.ordinal()] = "k1";
    vars[Placeholder.MODEL.ordinal()] = "m";
    vars[Placeholder.HOUR.ordinal()] = "2025-08-15:11";
    assertThat(t.render(vars)).isEqualTo("usage:k1:model:m:2025-08-15:11");
    assertThat(t.uses(Placeholder.KEY_ID)).isTrue();
    assertThat(t.uses(Placeholder.DAY)).isFalse();
    assertThat(t.constant()).isNull();
    assertThat(t).hasToString("usage:{keyId}:model:{model}:{hour}");
    Template constant = Template.parse("requests");
    assertThat(constant.constant()).isEqualTo("requests");
    assertThat(constant.render(vars)).isEqualTo("requests");
    assertThat(constant.uses(Placeholder.KEY_ID)).isFalse();
    assertThat(
            Template.parse("{day}")
                .render(new String[] {null, null, null, "2025-08-15", null, null, null}))
        .isEqualTo("2025-08-15");
  }

  @Test
  void aTemplateNamesItsUnknownOrUnclosedPlaceholder() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Template.parse("usage:{key}"))
        .withMessage("unknown placeholder {key} in template \"usage:{key}\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Template.parse("usage:{keyId"))
        .withMessage("unclosed placeholder at index 6 in template \"usage:{keyId\"");
  }

  @Test
  void ttlsAreFixedOrPerMetricsWindowMinute() {
    assertThat(Ttl.days(2).seconds(5)).isEqualTo(172_800);
    assertThat(Ttl.perMetricsWindowMinute(120).seconds(5)).isEqualTo(600);
    assertThat(new Ttl(10, 3).seconds(4)).isEqualTo(22);
    assertThat(Ttl.NONE.seconds(5)).isZero();
  }

  @Test
  void aFieldMayNotNameAnId() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> field("x:{keyId}", Measure.REQUESTS))
        .withMessage("field name x:{keyId} must not contain an id");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> field("x:{accountId}", Measure.REQUESTS))
        .withMessage("field name x:{accountId} must not contain an id");
  }

  @Test
  void aSectionRefusesKeysThatDoNotFitItsSubjectOrItsExpiries() {
    SectionBuilder a = new SectionBuilder(Subject.API_KEY);
    KeyDef foreign = a.key("usage:{accountId}", Ttl.NONE);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> a.counters(foreign, field("n", Measure.REQUESTS)).expireInOrder())
        .withMessage("key usage:{accountId} of the API_KEY section uses {accountId}");

    SectionBuilder b = new SectionBuilder(Subject.ACCOUNT);
    KeyDef daily = b.key("a:{accountId}:{day}", Ttl.days(1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.counters(daily, field("n", Measure.REQUESTS)).expireInOrder())
        .withMessage("key a:{accountId}:{day} has a TTL but is missing from the expiry order");

    SectionBuilder c = new SectionBuilder(Subject.ACCOUNT);
    KeyDef total = c.key("a:{accountId}", Ttl.NONE);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> c.counters(total, field("n", Measure.REQUESTS)).expireInOrder(total))
        .withMessage("key a:{accountId} has no TTL but is in the expiry order");

    SectionBuilder d = new SectionBuilder(Subject.ACCOUNT);
    KeyDef unused = d.key("a:{accountId}:{day}", Ttl.days(1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> d.expireInOrder(unused))
        .withMessage("expired key a:{accountId}:{day} has no counters in the section");

    SectionBuilder e = new SectionBuilder(Subject.ACCOUNT);
    e.key("a:{accountId}", Ttl.NONE);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> e.key("a:{accountId}", Ttl.days(1)))
        .withMessage("key a:{accountId} declared twice");
  }

  /** A small table: a total, a daily key with a per-model field, a model key, a minute key. */
  static LayoutTable table() {
    SectionBuilder s = new SectionBuilder(Subject.API_KEY);
    KeyDef total = s.key("t:{keyId}", Ttl.NONE);
    KeyDef daily = s.key("d:{keyId}:{day}", Ttl.days(1));
    KeyDef model = s.key("m:{model}:{month}", Ttl.days(2));
    KeyDef minute = s.key("min:{minute}", Ttl.perMetricsWindowMinute(60));
    Section keys =
        s.counters(
                total,
                field("n", Measure.REQUESTS),
                longContextField("lc", Measure.LONG_CONTEXT_INPUT_TOKENS))
            .counters(
                daily,
                field("all", Measure.ALL_TOKENS),
                field("cc", Measure.CACHE_CREATE_TOKENS),
                field("{model}:in", Measure.INPUT_TOKENS))
            .counters(model, field("core", Measure.CORE_TOKENS))
            .counters(minute, field("cr", Measure.CACHE_READ_TOKENS))
            .expireInOrder(minute, model, daily);
    SectionBuilder a = new SectionBuilder(Subject.ACCOUNT);
    KeyDef hourly = a.key("a:{accountId}:{hour}", Ttl.days(3));
    Section accounts =
        a.counters(
                hourly,
                field("out", Measure.OUTPUT_TOKENS),
                field("5m", Measure.EPHEMERAL_5M_TOKENS),
                field("1h", Measure.EPHEMERAL_1H_TOKENS),
                field("lcr", Measure.LONG_CONTEXT_REQUESTS),
                field("lco", Measure.LONG_CONTEXT_OUTPUT_TOKENS),
                field("real", Measure.REAL_COST_MICROS),
                field("rated", Measure.RATED_COST_MICROS))
            .expireInOrder(hourly);
    return new LayoutTable("small", List.of(keys, accounts));
  }

  static UsagePlan plan(UsageLayout layout, UsageTally tally) {
    UsagePlan.Builder b = UsagePlan.builder();
    layout.plan(tally, b);
    return b.build();
  }

  static TableLayout layout(StatsPolicy policy) {
    return new TableLayout(
        table(), new ZoneBuckets(ZoneOffset.ofHours(8)), Duration.ofMinutes(5), policy);
  }

  /**
   * Two requests, one of them long-context when {@code longContext}: 10 in, 20 out, 3/4 cache, 5/6
   * ephemeral.
   */
  static UsageTally tally(String keyId, String accountId, boolean longContext) {
    UsageEvent.Builder e =
        UsageEvent.builder().at(AT).keyId(keyId).accountId(accountId).model("x-v1:0");
    return UsageTally.of(
            e.inputTokens(7)
                .outputTokens(8)
                .cacheCreateTokens(1)
                .cacheReadTokens(2)
                .ephemeral5mTokens(2)
                .ephemeral1hTokens(3)
                .realCostMicros(5)
                .ratedCostMicros(6)
                .longContext(longContext)
                .build())
        .plus(
            UsageTally.of(
                e.inputTokens(3)
                    .outputTokens(12)
                    .cacheCreateTokens(2)
                    .cacheReadTokens(2)
                    .ephemeral5mTokens(3)
                    .ephemeral1hTokens(3)
                    .realCostMicros(6)
                    .ratedCostMicros(6)
                    .longContext(false)
                    .build()));
  }

  @Test
  void aTableLayoutPlansEveryMeasureInTableOrder() {
    assertThat(
            commands(
                plan(
                    layout(StatsPolicy.ALL),
                    UsageTally.of(
                        UsageEvent.builder()
                            .at(AT)
                            .keyId("k")
                            .accountId("a")
                            .model("x-v1:0")
                            .inputTokens(10)
                            .outputTokens(20)
                            .cacheCreateTokens(3)
                            .cacheReadTokens(4)
                            .ephemeral5mTokens(5)
                            .ephemeral1hTokens(6)
                            .longContext(true)
                            .realCostMicros(11)
                            .ratedCostMicros(12)
                            .build()))))
        .containsExactly(
            "HINCRBY t:k n 1",
            "HINCRBY t:k lc 10",
            "HINCRBY d:k:2025-08-15 all 37",
            "HINCRBY d:k:2025-08-15 cc 3",
            "HINCRBY d:k:2025-08-15 x:in 10",
            "HINCRBY m:x:2025-08 core 30",
            "HINCRBY min:29253790 cr 4",
            "HINCRBY a:a:2025-08-15:11 out 20",
            "HINCRBY a:a:2025-08-15:11 5m 5",
            "HINCRBY a:a:2025-08-15:11 1h 6",
            "HINCRBY a:a:2025-08-15:11 lcr 1",
            "HINCRBY a:a:2025-08-15:11 lco 20",
            "HINCRBY a:a:2025-08-15:11 real 11",
            "HINCRBY a:a:2025-08-15:11 rated 12",
            "EXPIRE min:29253790 300",
            "EXPIRE m:x:2025-08 172800",
            "EXPIRE d:k:2025-08-15 86400",
            "EXPIRE a:a:2025-08-15:11 259200");
  }

  @Test
  void longContextFieldsNeedALongContextRequestAndSubjectsNeedTheirId() {
    assertThat(commands(plan(layout(StatsPolicy.ALL), tally("k", null, false))))
        .containsExactly(
            "HINCRBY t:k n 2",
            "HINCRBY d:k:2025-08-15 all 37",
            "HINCRBY d:k:2025-08-15 cc 3",
            "HINCRBY d:k:2025-08-15 x:in 10",
            "HINCRBY m:x:2025-08 core 30",
            "HINCRBY min:29253790 cr 4",
            "EXPIRE min:29253790 300",
            "EXPIRE m:x:2025-08 172800",
            "EXPIRE d:k:2025-08-15 86400");
    assertThat(commands(plan(layout(StatsPolicy.CORE), tally(null, "a", true)))).isEmpty();
  }

  @Test
  void switchesDropKeysFieldsAndTheirExpiries() {
    assertThat(commands(plan(layout(StatsPolicy.CORE), tally("k", "a", true))))
        .containsExactly(
            "HINCRBY t:k n 2",
            "HINCRBY t:k lc 7",
            "HINCRBY d:k:2025-08-15 all 37",
            "EXPIRE d:k:2025-08-15 86400");
    assertThat(
            commands(
                plan(
                    layout(StatsPolicy.ALL.withModel(false).withHourly(false)),
                    tally("k", "a", false))))
        .containsExactly(
            "HINCRBY t:k n 2",
            "HINCRBY d:k:2025-08-15 all 37",
            "HINCRBY d:k:2025-08-15 cc 3",
            "HINCRBY min:29253790 cr 4",
            "EXPIRE min:29253790 300",
            "EXPIRE d:k:2025-08-15 86400");
    assertThat(plan(layout(StatsPolicy.OFF), tally("k", "a", true)).isEmpty()).isTrue();
  }

  @Test
  void theFinestBucketFollowsTheKeysInUse() {
    Instant at = Instant.parse("2025-08-15T03:10:42Z");
    assertThat(layout(StatsPolicy.ALL).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-15T03:10:00Z"));
    assertThat(layout(StatsPolicy.ALL.withMinute(false)).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-15T03:00:00Z"));
    assertThat(layout(StatsPolicy.CORE).bucketStart(at))
        .isEqualTo(Instant.parse("2025-08-14T16:00:00Z"));
    assertThat(layout(StatsPolicy.CORE).policy()).isEqualTo(StatsPolicy.CORE);
    assertThat(layout(StatsPolicy.CORE))
        .hasToString("small[zone=+08:00, metricsWindow=PT5M, policy=" + StatsPolicy.CORE + "]");
  }

  @Test
  void aFilteredTableKeepsOnlyTheAcceptedKeys() {
    LayoutTable days = table().filter("days", t -> t.uses(Placeholder.DAY));
    assertThat(days.name()).isEqualTo("small-days");
    TableLayout layout =
        new TableLayout(
            days, new ZoneBuckets(ZoneOffset.ofHours(8)), Duration.ofMinutes(5), StatsPolicy.ALL);
    assertThat(commands(plan(layout, tally("k", "a", false))))
        .containsExactly(
            "HINCRBY d:k:2025-08-15 all 37",
            "HINCRBY d:k:2025-08-15 cc 3",
            "HINCRBY d:k:2025-08-15 x:in 10",
            "EXPIRE d:k:2025-08-15 86400");
    LayoutTable months = table().filter("months", t -> t.uses(Placeholder.MONTH));
    TableLayout monthly =
        new TableLayout(
            months, new ZoneBuckets(ZoneOffset.ofHours(8)), Duration.ofMinutes(5), StatsPolicy.ALL);
    assertThat(commands(plan(monthly, tally("k", "a", false))))
        .containsExactly("HINCRBY m:x:2025-08 core 30", "EXPIRE m:x:2025-08 172800");
  }
}
