package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.ModelNames;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageCounts;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.testkit.redis.junit.RedisExtension;
import io.usagesink.testkit.workload.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The billed commands of a dashboard overview of one API key (all-time totals, this month, the
 * month's daily series, today's hourly series by model), read with a {@linkplain
 * UsageReader#cached() cached reader} from the CRS layout and from the compact layout with 1 and 3
 * live writers (sinks still open, so their newest buckets are not folded). Prints the figures
 * (README "Layouts") and checks that the answers are the CRS layout's, that the compact overview
 * costs no more than the CRS one with one writer and grows at most linearly with the writers.
 */
@ExtendWith(RedisExtension.class)
class CompactDashboardReadIT {

  private static final ZoneId ZONE = ZoneOffset.ofHours(8);

  /** Six days of traffic up to "today", 2025-12-20 (+08:00), about the seed day's rate. */
  private static final Instant FROM = Instant.parse("2025-12-14T16:00:00Z");

  private static final LocalDate TODAY = LocalDate.of(2025, 12, 20);
  private static final String KEY = "k1";

  @Test
  void aDashboardOverviewCostsNoMoreThanOnTheCrsLayoutAndGrowsLinearlyWithWriters(RedisServer redis)
      throws Exception {
    List<UsageEvent> events = Workloads.random(21, 18_000, FROM, Duration.ofDays(6));
    TreeSet<String> models = new TreeSet<>();
    events.forEach(e -> models.add(ModelNames.normalize(e.model())));

    SinkConfig crs = config(redis, "crs");
    RedisStates.applyEachEvent(crs, UsageLayouts.crs(crs), events);
    Reading onCrs = overview(redis, crs, models);
    redis.flushAll();

    Reading one = compact(redis, events, models, 1);
    redis.flushAll();
    Reading three = compact(redis, events, models, 3);

    System.out.printf(
        "dashboard overview of one key (totals, month, %d days, 24 hours x %d models):%n",
        TODAY.getDayOfMonth(), models.size());
    System.out.printf(
        "  crs layout: %d billed commands; compact, 1 writer: %d; compact, 3 writers: %d%n",
        onCrs.commands, one.commands, three.commands);
    assertThat(one.answers).isEqualTo(onCrs.answers);
    assertThat(three.answers).isEqualTo(onCrs.answers);
    assertThat(one.commands).isLessThanOrEqualTo(onCrs.commands);
    assertThat(three.commands).isLessThanOrEqualTo(3 * one.commands);
  }

  private record Reading(long commands, Map<String, UsageCounts> answers) {}

  private static SinkConfig config(RedisServer redis, String layout) {
    return SinkConfig.builder()
        .redisUri(redis.uri())
        .zone(ZONE)
        .shutdownHook(false)
        .flushInterval(Duration.ofMillis(50))
        .property(UsageLayouts.LAYOUT_PROPERTY, layout)
        .build();
  }

  /**
   * Records {@code events} through {@code writers} compact sinks, reads the overview while they are
   * open.
   */
  private static Reading compact(
      RedisServer redis, List<UsageEvent> events, TreeSet<String> models, int writers)
      throws Exception {
    SinkConfig config = config(redis, "compact");
    List<BufferedSink> sinks = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      sinks.add(BufferedSink.builder(config).build());
    }
    try {
      for (int i = 0; i < events.size(); i++) {
        sinks.get(i % writers).record(events.get(i));
      }
      for (BufferedSink s : sinks) {
        s.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      return overview(redis, config, models);
    } finally {
      sinks.forEach(BufferedSink::close);
    }
  }

  /** Reads the overview with one cached reader; counts the commands Redis ran for it. */
  private static Reading overview(RedisServer redis, SinkConfig config, TreeSet<String> models) {
    Map<String, UsageCounts> answers = new LinkedHashMap<>();
    // read at the end of "today": the compact reader applies CRS's windows on this clock
    config =
        config.toBuilder()
            .clock(
                java.time.InstantSource.fixed(
                    TODAY.plusDays(1).atStartOfDay(ZONE).toInstant().minusSeconds(1)))
            .build();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageReader r = UsageReader.of(c, config).cached();
      redis.resetStats();
      answers.put("all", r.key(KEY, UsagePeriod.allTime()));
      answers.put("month", r.key(KEY, UsagePeriod.month(YearMonth.from(TODAY))));
      for (int d = 1; d <= TODAY.getDayOfMonth(); d++) {
        answers.put("day " + d, r.key(KEY, UsagePeriod.day(TODAY.withDayOfMonth(d))));
      }
      for (int h = 0; h < 24; h++) {
        for (String m : models) {
          answers.put("hour " + h + " " + m, r.keyModel(KEY, m, UsagePeriod.hour(TODAY, h)));
        }
      }
      long commands = redis.commandStats().without("info", "config|resetstat").total();
      return new Reading(commands, answers);
    }
  }
}
