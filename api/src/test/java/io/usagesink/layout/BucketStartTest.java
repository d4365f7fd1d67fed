package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BucketStartTest {

  static UsageLayout layout(ZoneId zone, StatsPolicy policy) {
    return UsageLayouts.crs(zone, Duration.ofMinutes(5), policy);
  }

  @ParameterizedTest(name = "{0} in {1} -> minute {2}, hour {3}, day {4}")
  @CsvSource({
    "2025-12-31T15:59:59Z,     +08:00,           2025-12-31T15:59:00Z, 2025-12-31T15:00:00Z,"
        + " 2025-12-30T16:00:00Z",
    "2025-12-31T16:00:00Z,     +08:00,           2025-12-31T16:00:00Z, 2025-12-31T16:00:00Z,"
        + " 2025-12-31T16:00:00Z",
    "2025-08-15T03:10:42.5Z,   +08:00,           2025-08-15T03:10:00Z, 2025-08-15T03:00:00Z,"
        + " 2025-08-14T16:00:00Z",
    "2025-08-15T03:10:42Z,     UTC,              2025-08-15T03:10:00Z, 2025-08-15T03:00:00Z,"
        + " 2025-08-15T00:00:00Z",
    // half-hour offset: local hours start at :30 UTC
    "2025-08-15T03:10:42Z,     Asia/Kolkata,     2025-08-15T03:10:00Z, 2025-08-15T02:30:00Z,"
        + " 2025-08-14T18:30:00Z",
    // 45-minute offset
    "2025-08-15T03:10:42Z,     Asia/Kathmandu,   2025-08-15T03:10:00Z, 2025-08-15T02:15:00Z,"
        + " 2025-08-14T18:15:00Z",
    // before the epoch
    "1969-12-31T23:59:59.9Z,   UTC,              1969-12-31T23:59:00Z, 1969-12-31T23:00:00Z,"
        + " 1969-12-31T00:00:00Z",
  })
  void finestBucketIsMinuteThenLocalHourThenLocalDay(
      Instant at, ZoneId zone, Instant minute, Instant hour, Instant day) {
    assertThat(layout(zone, StatsPolicy.ALL).bucketStart(at)).isEqualTo(minute);
    assertThat(layout(zone, StatsPolicy.ALL.withMinute(false)).bucketStart(at)).isEqualTo(hour);
    assertThat(layout(zone, StatsPolicy.ALL.withMinute(false).withHourly(false)).bucketStart(at))
        .isEqualTo(day);
    assertThat(layout(zone, StatsPolicy.CORE).bucketStart(at)).isEqualTo(day);
    assertThat(layout(zone, StatsPolicy.OFF).bucketStart(at)).isEqualTo(day);
  }

  @Test
  void dstDayIsSplitAtTheTransitionNeverMerged() {
    ZoneId ny = ZoneId.of("America/New_York");
    UsageLayout daily = layout(ny, StatsPolicy.CORE);
    // 2025-03-09: 00:00 EST = 05:00Z; clocks jump at 07:00Z
    assertThat(daily.bucketStart(Instant.parse("2025-03-09T06:59:59Z")))
        .isEqualTo(Instant.parse("2025-03-09T05:00:00Z"));
    assertThat(daily.bucketStart(Instant.parse("2025-03-09T07:00:00Z")))
        .isEqualTo(Instant.parse("2025-03-09T07:00:00Z"));
    assertThat(daily.bucketStart(Instant.parse("2025-03-09T20:00:00Z")))
        .isEqualTo(Instant.parse("2025-03-09T07:00:00Z"));
    UsageLayout hourly = layout(ny, StatsPolicy.ALL.withMinute(false));
    // fall back 2025-11-02 06:00Z: 01:00-02:00 local happens twice, each pass is its own bucket
    assertThat(hourly.bucketStart(Instant.parse("2025-11-02T05:30:00Z")))
        .isEqualTo(Instant.parse("2025-11-02T05:00:00Z"));
    assertThat(hourly.bucketStart(Instant.parse("2025-11-02T06:30:00Z")))
        .isEqualTo(Instant.parse("2025-11-02T06:00:00Z"));
  }

  @Test
  void halfHourDstShiftStartsTheBucketAtTheTransition() {
    // Lord Howe Island: +10:30 -> +11:00 at 2025-10-05T02:00 local (2025-10-04T15:30Z), 02:00-02:30
    // is skipped
    UsageLayout hourly =
        layout(ZoneId.of("Australia/Lord_Howe"), StatsPolicy.ALL.withMinute(false));
    assertThat(hourly.bucketStart(Instant.parse("2025-10-04T15:40:00Z")))
        .isEqualTo(Instant.parse("2025-10-04T15:30:00Z"));
    assertThat(hourly.bucketStart(Instant.parse("2025-10-04T15:29:59Z")))
        .isEqualTo(Instant.parse("2025-10-04T14:30:00Z"));
  }

  /**
   * The contract: every instant from the bucket start up to {@code at} plans exactly the keys of
   * {@code at}. Checked on seeded random instants, including ones near transitions, in zones with
   * DST, half- and quarter-hour offsets, a 24-hour jump and a seconds-precision historical offset.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "UTC",
        "+08:00",
        "-09:30",
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Europe/Amsterdam",
        "America/Sao_Paulo"
      })
  void everyInstantBetweenBucketStartAndEventPlansTheSameKeys(String zoneName) {
    ZoneId zone = ZoneId.of(zoneName);
    Random random = new Random(zoneName.hashCode());
    List<StatsPolicy> policies =
        List.of(
            StatsPolicy.ALL,
            StatsPolicy.ALL.withMinute(false),
            StatsPolicy.CORE,
            StatsPolicy.ALL.withHourly(false));
    Instant from = Instant.parse("1930-01-01T00:00:00Z");
    long span = Instant.parse("2040-01-01T00:00:00Z").getEpochSecond() - from.getEpochSecond();
    for (StatsPolicy policy : policies) {
      UsageLayout layout = layout(zone, policy);
      for (int i = 0; i < 300; i++) {
        Instant at;
        if (i % 3 == 0 && !zone.getRules().isFixedOffset()) {
          // close after a transition
          var t =
              zone.getRules().nextTransition(from.plusSeconds((long) (random.nextDouble() * span)));
          at = t == null ? from : t.getInstant().plusSeconds(random.nextInt(3 * 86_400));
        } else {
          at =
              from.plusSeconds((long) (random.nextDouble() * span))
                  .plusMillis(random.nextInt(1000));
        }
        Instant start = layout.bucketStart(at);
        assertThat(start).isBeforeOrEqualTo(at);
        assertThat(layout.bucketStart(start)).as("start of %s", at).isEqualTo(start);
        long width = Duration.between(start, at).toMillis();
        Instant between = start.plusMillis(width == 0 ? 0 : (long) (random.nextDouble() * width));
        assertThat(keys(layout, between))
            .as("%s vs %s (start %s) in %s", between, at, start, zone)
            .isEqualTo(keys(layout, at));
        assertThat(layout.bucketStart(between)).isEqualTo(start);
      }
    }
  }

  private static List<String> keys(UsageLayout layout, Instant at) {
    UsagePlan plan =
        layout.plan(UsageEvent.builder().at(at).keyId("k").accountId("a").model("m").build());
    return PlanText.counterKeys(plan);
  }

  @Test
  void fixedOffsetBucketsAreWholeMinutesHoursAndDays() {
    UsageLayout layout =
        layout(ZoneOffset.ofHoursMinutes(5, 45), StatsPolicy.ALL.withMinute(false));
    Instant at = Instant.parse("2025-08-15T03:10:42Z");
    assertThat(layout.bucketStart(at)).isEqualTo(Instant.parse("2025-08-15T02:15:00Z"));
    assertThat(layout.bucketStart(Instant.parse("2025-08-15T03:14:59.999Z")))
        .isEqualTo(Instant.parse("2025-08-15T02:15:00Z"));
    assertThat(layout.bucketStart(Instant.parse("2025-08-15T03:15:00Z")))
        .isEqualTo(Instant.parse("2025-08-15T03:15:00Z"));
  }
}
