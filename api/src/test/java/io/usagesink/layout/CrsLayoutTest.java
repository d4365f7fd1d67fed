package io.usagesink.layout;

import static io.usagesink.layout.PlanText.commands;
import static io.usagesink.layout.PlanText.counterKeys;
import static io.usagesink.layout.PlanText.fields;
import static io.usagesink.layout.PlanText.hashes;
import static io.usagesink.layout.PlanText.ttls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrsLayoutTest {

  static final ZoneOffset CRS_ZONE = ZoneOffset.ofHours(8);
  static final Instant AT =
      Instant.parse("2025-08-15T03:10:00Z"); // 11:10 at +8, epoch minute 29253790
  static final String M = "claude-sonnet-4-20250514";

  static UsageLayout crs(StatsPolicy policy) {
    return UsageLayouts.crs(CRS_ZONE, Duration.ofMinutes(5), policy);
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

  @Nested
  class TokenUsage {
    final UsagePlan plan = crs(StatsPolicy.ALL).plan(event().keyId("k1").build());

    @Test
    void writesTheElevenKeysInCrsHincrbyOrder() {
      assertThat(counterKeys(plan))
          .containsExactly(
              "usage:k1",
              "usage:daily:k1:2025-08-15",
              "usage:monthly:k1:2025-08",
              "usage:model:daily:" + M + ":2025-08-15",
              "usage:model:monthly:" + M + ":2025-08",
              "usage:k1:model:daily:" + M + ":2025-08-15",
              "usage:k1:model:monthly:" + M + ":2025-08",
              "usage:hourly:k1:2025-08-15:11",
              "usage:model:hourly:" + M + ":2025-08-15:11",
              "usage:k1:model:hourly:" + M + ":2025-08-15:11",
              "system:metrics:minute:29253790");
      assertThat(plan.counters()).hasSize(80);
    }

    @Test
    void sendsEachKeysCountersTogether() {
      List<String> keysInSendOrder = new ArrayList<>();
      plan.counters()
          .forEach(
              c -> {
                if (keysInSendOrder.isEmpty()
                    || !keysInSendOrder.get(keysInSendOrder.size() - 1).equals(c.key())) {
                  keysInSendOrder.add(c.key());
                }
              });
      assertThat(keysInSendOrder).isEqualTo(counterKeys(plan));
    }

    @Test
    void expiresInCrsOrderWithCrsTtls() {
      assertThat(ttls(plan))
          .containsExactly(
              entry("usage:daily:k1:2025-08-15", 2_764_800L),
              entry("usage:monthly:k1:2025-08", 31_536_000L),
              entry("usage:hourly:k1:2025-08-15:11", 604_800L),
              entry("usage:model:daily:" + M + ":2025-08-15", 2_764_800L),
              entry("usage:model:monthly:" + M + ":2025-08", 31_536_000L),
              entry("usage:model:hourly:" + M + ":2025-08-15:11", 604_800L),
              entry("usage:k1:model:daily:" + M + ":2025-08-15", 2_764_800L),
              entry("usage:k1:model:monthly:" + M + ":2025-08", 31_536_000L),
              entry("usage:k1:model:hourly:" + M + ":2025-08-15:11", 604_800L),
              entry("system:metrics:minute:29253790", 600L));
    }

    @Test
    void totalHashHasCrsFieldsAndValues() {
      assertThat(hashes(plan).get("usage:k1"))
          .containsExactly(
              entry("totalTokens", 1550L),
              entry("totalInputTokens", 1200L),
              entry("totalOutputTokens", 350L),
              entry("totalCacheCreateTokens", 5000L),
              entry("totalCacheReadTokens", 20000L),
              entry("totalAllTokens", 26550L),
              entry("totalEphemeral5mTokens", 3000L),
              entry("totalEphemeral1hTokens", 2000L),
              entry("totalRequests", 1L));
    }

    @Test
    void periodHashesHaveCrsFieldsAndValues() {
      Map<String, Long> daily = hashes(plan).get("usage:daily:k1:2025-08-15");
      assertThat(daily)
          .containsExactly(
              entry("tokens", 1550L),
              entry("inputTokens", 1200L),
              entry("outputTokens", 350L),
              entry("cacheCreateTokens", 5000L),
              entry("cacheReadTokens", 20000L),
              entry("allTokens", 26550L),
              entry("requests", 1L),
              entry("ephemeral5mTokens", 3000L),
              entry("ephemeral1hTokens", 2000L));
      assertThat(hashes(plan).get("usage:monthly:k1:2025-08")).isEqualTo(daily);
      assertThat(hashes(plan).get("usage:hourly:k1:2025-08-15:11"))
          .containsExactly(
              entry("tokens", 1550L),
              entry("inputTokens", 1200L),
              entry("outputTokens", 350L),
              entry("cacheCreateTokens", 5000L),
              entry("cacheReadTokens", 20000L),
              entry("allTokens", 26550L),
              entry("requests", 1L));
    }

    @Test
    void modelHashesHaveCrsFields() {
      List<String> six =
          List.of(
              "inputTokens",
              "outputTokens",
              "cacheCreateTokens",
              "cacheReadTokens",
              "allTokens",
              "requests");
      List<String> eight = new ArrayList<>(six);
      eight.addAll(List.of("ephemeral5mTokens", "ephemeral1hTokens"));
      assertThat(fields(plan, "usage:model:daily:" + M + ":2025-08-15")).isEqualTo(six);
      assertThat(fields(plan, "usage:model:monthly:" + M + ":2025-08")).isEqualTo(six);
      assertThat(fields(plan, "usage:model:hourly:" + M + ":2025-08-15:11")).isEqualTo(six);
      assertThat(fields(plan, "usage:k1:model:daily:" + M + ":2025-08-15")).isEqualTo(eight);
      assertThat(fields(plan, "usage:k1:model:monthly:" + M + ":2025-08")).isEqualTo(eight);
      assertThat(fields(plan, "usage:k1:model:hourly:" + M + ":2025-08-15:11")).isEqualTo(six);
      assertThat(hashes(plan).get("usage:k1:model:daily:" + M + ":2025-08-15"))
          .containsEntry("allTokens", 26550L)
          .containsEntry("ephemeral1hTokens", 2000L);
    }

    @Test
    void minuteHashCountsAllTokensAsTotalTokens() {
      assertThat(hashes(plan).get("system:metrics:minute:29253790"))
          .containsExactly(
              entry("requests", 1L),
              entry("totalTokens", 26550L),
              entry("inputTokens", 1200L),
              entry("outputTokens", 350L),
              entry("cacheCreateTokens", 5000L),
              entry("cacheReadTokens", 20000L));
    }

    @Test
    void zeroIncrementsArePlannedAsCrsSendsThem() {
      UsagePlan zero = crs(StatsPolicy.ALL).plan(UsageEvent.builder().at(AT).keyId("k1").build());
      assertThat(zero.size()).isEqualTo(90);
      assertThat(zero.counters())
          .filteredOn(c -> !c.field().contains("equests"))
          .allMatch(c -> c.delta() == 0);
    }

    @Test
    void longContextAddsThreeTotalAndThreeDailyFields() {
      UsagePlan lc = crs(StatsPolicy.ALL).plan(event().keyId("k1").longContext(true).build());
      assertThat(lc.size()).isEqualTo(96);
      assertThat(hashes(lc).get("usage:k1"))
          .containsExactly(
              entry("totalTokens", 1550L),
              entry("totalInputTokens", 1200L),
              entry("totalOutputTokens", 350L),
              entry("totalCacheCreateTokens", 5000L),
              entry("totalCacheReadTokens", 20000L),
              entry("totalAllTokens", 26550L),
              entry("totalEphemeral5mTokens", 3000L),
              entry("totalEphemeral1hTokens", 2000L),
              entry("totalLongContextInputTokens", 1200L),
              entry("totalLongContextOutputTokens", 350L),
              entry("totalLongContextRequests", 1L),
              entry("totalRequests", 1L));
      assertThat(fields(lc, "usage:daily:k1:2025-08-15"))
          .endsWith(
              "ephemeral1hTokens",
              "longContextInputTokens",
              "longContextOutputTokens",
              "longContextRequests");
      assertThat(PlanText.without(lc, c -> c.field().contains("ongContext"), k -> false))
          .isEqualTo(plan);
    }
  }

  @Nested
  class AccountUsage {
    final UsagePlan plan = crs(StatsPolicy.ALL).plan(event().accountId("acct-1").build());

    @Test
    void writesTheSevenKeysInCrsOrderWith52CountersAnd6Expiries() {
      assertThat(counterKeys(plan))
          .containsExactly(
              "account_usage:acct-1",
              "account_usage:daily:acct-1:2025-08-15",
              "account_usage:monthly:acct-1:2025-08",
              "account_usage:hourly:acct-1:2025-08-15:11",
              "account_usage:model:daily:acct-1:" + M + ":2025-08-15",
              "account_usage:model:monthly:acct-1:" + M + ":2025-08",
              "account_usage:model:hourly:acct-1:" + M + ":2025-08-15:11");
      assertThat(plan.counters()).hasSize(52);
      assertThat(ttls(plan))
          .containsExactly(
              entry("account_usage:daily:acct-1:2025-08-15", 2_764_800L),
              entry("account_usage:monthly:acct-1:2025-08", 31_536_000L),
              entry("account_usage:hourly:acct-1:2025-08-15:11", 604_800L),
              entry("account_usage:model:daily:acct-1:" + M + ":2025-08-15", 2_764_800L),
              entry("account_usage:model:monthly:acct-1:" + M + ":2025-08", 31_536_000L),
              entry("account_usage:model:hourly:acct-1:" + M + ":2025-08-15:11", 604_800L));
    }

    @Test
    void hasNoEphemeralFieldsAndNoMinuteHash() {
      assertThat(plan.counters()).noneMatch(c -> c.field().contains("phemeral"));
      assertThat(plan.counters()).noneMatch(c -> c.key().startsWith("system:"));
    }

    @Test
    void hourlyHashCarriesPerModelFields() {
      assertThat(hashes(plan).get("account_usage:hourly:acct-1:2025-08-15:11"))
          .containsExactly(
              entry("tokens", 1550L),
              entry("inputTokens", 1200L),
              entry("outputTokens", 350L),
              entry("cacheCreateTokens", 5000L),
              entry("cacheReadTokens", 20000L),
              entry("allTokens", 26550L),
              entry("requests", 1L),
              entry("model:" + M + ":inputTokens", 1200L),
              entry("model:" + M + ":outputTokens", 350L),
              entry("model:" + M + ":cacheCreateTokens", 5000L),
              entry("model:" + M + ":cacheReadTokens", 20000L),
              entry("model:" + M + ":allTokens", 26550L),
              entry("model:" + M + ":requests", 1L));
    }

    @Test
    void longContextCountersComeLastBeforeTheExpiries() {
      UsagePlan lc =
          crs(StatsPolicy.ALL).plan(event().accountId("acct-1").longContext(true).build());
      List<String> commands = commands(lc);
      assertThat(lc.size()).isEqualTo(64);
      assertThat(commands.subList(52, 58))
          .containsExactly(
              "HINCRBY account_usage:acct-1 totalLongContextInputTokens 1200",
              "HINCRBY account_usage:acct-1 totalLongContextOutputTokens 350",
              "HINCRBY account_usage:acct-1 totalLongContextRequests 1",
              "HINCRBY account_usage:daily:acct-1:2025-08-15 longContextInputTokens 1200",
              "HINCRBY account_usage:daily:acct-1:2025-08-15 longContextOutputTokens 350",
              "HINCRBY account_usage:daily:acct-1:2025-08-15 longContextRequests 1");
      assertThat(commands.subList(0, 52)).isEqualTo(commands(plan).subList(0, 52));
      assertThat(commands.subList(58, 64)).isEqualTo(commands(plan).subList(52, 58));
    }
  }

  @Test
  void tallyWithBothIdsPlansTokenThenAccountCountersThenTokenThenAccountExpiries() {
    UsageLayout layout = crs(StatsPolicy.ALL);
    UsagePlan token = layout.plan(event().keyId("k1").longContext(true).build());
    UsagePlan account = layout.plan(event().accountId("a1").longContext(true).build());
    UsagePlan both = layout.plan(event().keyId("k1").accountId("a1").longContext(true).build());
    assertThat(both.counters())
        .hasSize(144)
        .startsWith(token.counters().toArray(new CounterDelta[0]))
        .endsWith(account.counters().toArray(new CounterDelta[0]));
    List<Expiry> expiries = new ArrayList<>(token.expiries());
    expiries.addAll(account.expiries());
    assertThat(both.expiries()).isEqualTo(expiries);
    assertThat(both.size()).isEqualTo(160);
  }

  @Nested
  class Buckets {
    @ParameterizedTest(name = "{0} at +08:00 -> {1} / {2} / {3}")
    @CsvSource({
      "2025-12-31T15:59:59Z, 2025-12-31, 2025-12, 2025-12-31:23, 29453279",
      "2025-12-31T16:00:00Z, 2026-01-01, 2026-01, 2026-01-01:00, 29453280",
      "2025-07-31T16:30:00Z, 2025-08-01, 2025-08, 2025-08-01:00, 29232990",
      "2025-08-15T03:10:00Z, 2025-08-15, 2025-08, 2025-08-15:11, 29253790",
      "2024-02-28T16:00:00Z, 2024-02-29, 2024-02, 2024-02-29:00, 28485600",
      "1969-12-31T23:59:59.999Z, 1970-01-01, 1970-01, 1970-01-01:07, -1",
      "1969-12-31T15:59:59.999Z, 1969-12-31, 1969-12, 1969-12-31:23, -481",
    })
    void dayMonthHourAtTheFixedOffsetMinuteInUtc(
        Instant at, String day, String month, String hour, long minute) {
      assertKeys(crs(StatsPolicy.ALL), at, day, month, hour, minute);
    }

    @Test
    void utcZoneStaysUtcUnlikeCrsZeroOffset() {
      UsageLayout utc = UsageLayouts.crs(ZoneOffset.UTC, Duration.ofMinutes(5), StatsPolicy.ALL);
      assertKeys(
          utc,
          Instant.parse("2025-07-31T16:30:00Z"),
          "2025-07-31",
          "2025-07",
          "2025-07-31:16",
          29232990);
      assertKeys(
          UsageLayouts.crs(),
          Instant.parse("2025-07-31T16:30:00Z"),
          "2025-07-31",
          "2025-07",
          "2025-07-31:16",
          29232990);
    }

    @ParameterizedTest(name = "{0} in {1} -> {3}")
    @CsvSource({
      // spring forward: 01:59:59 EST, then 03:00 EDT
      "2025-03-09T06:59:59Z, America/New_York, 2025-03-09, 2025-03-09:01",
      "2025-03-09T07:00:00Z, America/New_York, 2025-03-09, 2025-03-09:03",
      // fall back: 01:30 EDT and 01:30 EST share the hour name
      "2025-11-02T05:30:00Z, America/New_York, 2025-11-02, 2025-11-02:01",
      "2025-11-02T06:30:00Z, America/New_York, 2025-11-02, 2025-11-02:01",
      "2025-11-02T07:00:00Z, America/New_York, 2025-11-02, 2025-11-02:02",
      // half-hour offset
      "2025-08-15T18:29:59Z, Asia/Kolkata, 2025-08-15, 2025-08-15:23",
      "2025-08-15T18:30:00Z, Asia/Kolkata, 2025-08-16, 2025-08-16:00",
      // Europe: 2025-03-30 01:00Z clocks go 02:00 -> 03:00 CEST
      "2025-03-30T00:59:59Z, Europe/Berlin, 2025-03-30, 2025-03-30:01",
      "2025-03-30T01:00:00Z, Europe/Berlin, 2025-03-30, 2025-03-30:03",
    })
    void regionZonesUseTheOffsetInForceAtTheEvent(
        Instant at, ZoneId zone, String day, String hour) {
      UsageLayout layout = UsageLayouts.crs(zone, Duration.ofMinutes(5), StatsPolicy.ALL);
      assertKeys(
          layout, at, day, day.substring(0, 7), hour, Math.floorDiv(at.getEpochSecond(), 60));
    }

    @Test
    void fallBackHourCollectsBothPassesInOneHash() {
      UsageLayout ny =
          UsageLayouts.crs(ZoneId.of("America/New_York"), Duration.ofMinutes(5), StatsPolicy.ALL);
      UsagePlan.Builder b = UsagePlan.builder();
      ny.plan(
          UsageTally.of(event().keyId("k1").at(Instant.parse("2025-11-02T05:30:00Z")).build()), b);
      ny.plan(
          UsageTally.of(event().keyId("k1").at(Instant.parse("2025-11-02T06:30:00Z")).build()), b);
      assertThat(hashes(b.build()).get("usage:hourly:k1:2025-11-02:01"))
          .containsEntry("requests", 2L);
    }

    private void assertKeys(
        UsageLayout layout, Instant at, String day, String month, String hour, long minute) {
      UsagePlan plan =
          layout.plan(UsageEvent.builder().at(at).keyId("k").accountId("a").model("m").build());
      assertThat(counterKeys(plan))
          .contains(
              "usage:daily:k:" + day,
              "usage:monthly:k:" + month,
              "usage:hourly:k:" + hour,
              "usage:model:daily:m:" + day,
              "usage:model:monthly:m:" + month,
              "usage:model:hourly:m:" + hour,
              "usage:k:model:daily:m:" + day,
              "usage:k:model:monthly:m:" + month,
              "usage:k:model:hourly:m:" + hour,
              "system:metrics:minute:" + minute,
              "account_usage:daily:a:" + day,
              "account_usage:monthly:a:" + month,
              "account_usage:hourly:a:" + hour,
              "account_usage:model:daily:a:m:" + day,
              "account_usage:model:monthly:a:m:" + month,
              "account_usage:model:hourly:a:m:" + hour);
    }
  }

  @Nested
  class Configuration {
    @ParameterizedTest(name = "{0} min -> {1} s")
    @CsvSource({"1, 120", "5, 600", "60, 7200"})
    void minuteHashLivesWindowTimes120Seconds(long minutes, long ttl) {
      UsagePlan plan =
          UsageLayouts.crs(CRS_ZONE, Duration.ofMinutes(minutes), StatsPolicy.ALL)
              .plan(event().keyId("k1").build());
      assertThat(ttls(plan)).containsEntry("system:metrics:minute:29253790", ttl);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-5M", "PT90S", "PT0.5S"})
    void metricsWindowMustBeWholePositiveMinutes(Duration window) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> UsageLayouts.crs(CRS_ZONE, window, StatsPolicy.ALL))
          .withMessage(
              "metricsWindow must be a positive whole number of minutes but was " + window);
    }

    @Test
    void layoutFromSinkConfigUsesItsZoneWindowAndPolicy() {
      SinkConfig config =
          SinkConfig.builder()
              .zone(CRS_ZONE)
              .metricsWindow(Duration.ofMinutes(2))
              .properties(StatsPolicy.ALL.withHourly(false).switches())
              .build();
      UsageLayout layout = UsageLayouts.crs(config);
      assertThat(layout.policy()).isEqualTo(StatsPolicy.ALL.withHourly(false));
      UsagePlan plan = layout.plan(event().keyId("k1").build());
      assertThat(plan)
          .isEqualTo(
              UsageLayouts.crs(CRS_ZONE, Duration.ofMinutes(2), StatsPolicy.ALL.withHourly(false))
                  .plan(event().keyId("k1").build()));
      assertThat(ttls(plan)).containsEntry("system:metrics:minute:29253790", 240L);
    }

    @Test
    void toStringNamesLayoutZoneWindowAndPolicy() {
      assertThat(crs(StatsPolicy.CORE).toString())
          .isEqualTo("crs-2025[zone=+08:00, metricsWindow=PT5M, policy=" + StatsPolicy.CORE + "]");
    }
  }

  @Nested
  class Deviations {
    @Test
    void nullEmptyAndBlankModelsBookAsUnknownLikeAnExplicitUnknown() {
      UsageLayout layout = crs(StatsPolicy.ALL);
      UsagePlan unknown = layout.plan(event().keyId("k1").accountId("a1").model("unknown").build());
      assertThat(layout.plan(event().keyId("k1").accountId("a1").model(null).build()))
          .isEqualTo(unknown);
      assertThat(layout.plan(event().keyId("k1").accountId("a1").model("").build()))
          .isEqualTo(unknown);
      UsagePlan.Builder b = UsagePlan.builder();
      layout.plan(
          UsageTally.of(AT, "k1", "a1", " ", UsageTally.of(event().keyId("k1").build()).cells()),
          b);
      assertThat(b.build()).isEqualTo(unknown);
      assertThat(counterKeys(unknown))
          .contains(
              "usage:model:daily:unknown:2025-08-15",
              "account_usage:model:hourly:a1:unknown:2025-08-15:11");
    }

    @Test
    void modelIsNormalisedInKeysAndInAccountHourlyFields() {
      UsagePlan plan =
          crs(StatsPolicy.ALL)
              .plan(
                  event()
                      .keyId("k1")
                      .accountId("a1")
                      .model("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
                      .build());
      assertThat(counterKeys(plan))
          .contains("usage:model:daily:claude-3-5-sonnet-20241022:2025-08-15");
      assertThat(fields(plan, "account_usage:hourly:a1:2025-08-15:11"))
          .contains("model:claude-3-5-sonnet-20241022:requests");
    }

    @Test
    void idsGoIntoKeysUnescapedAsInCrs() {
      UsagePlan plan = crs(StatsPolicy.ALL).plan(event().keyId("team:alpha").build());
      assertThat(counterKeys(plan))
          .contains(
              "usage:team:alpha",
              "usage:daily:team:alpha:2025-08-15",
              "usage:team:alpha:model:daily:" + M + ":2025-08-15");
    }

    @Test
    void costsAreNotPartOfThe2025Layout() {
      UsageLayout layout = crs(StatsPolicy.ALL);
      assertThat(
              layout.plan(
                  event().keyId("k1").accountId("a1").realCostMicros(5).ratedCostMicros(7).build()))
          .isEqualTo(layout.plan(event().keyId("k1").accountId("a1").build()));
    }
  }
}
