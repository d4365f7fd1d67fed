package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.BufferedSink;
import io.usagesink.cli.events.EventClock;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsagePeriod;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.redis.write.CompactWriter;
import io.usagesink.redis.write.PlanWriters;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Billed commands of one seed day (3,000 requests) on the compact layout at 1 s and 60 s flushes,
 * the day replayed on a clock that follows the events and that also drives the writer's heartbeats,
 * leases and hourly fold checks (each interval's batch is written before the clock moves past it,
 * as in real time), so every command a real day costs is counted: writes, EXPIREs, watermarks,
 * heartbeats, fold checks and folds. Two runs per interval: one writer all day, and a writer killed
 * at 06:00 (dropped without close) and restarted, whose id the new writer folds 12 hours later.
 * Prints the figures (README "Layouts").
 */
class CompactSeedDayIT {

  private static RedisServer redis;

  @BeforeAll
  static void start() {
    redis = Fixture.redis();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Test
  void aSeedDayOnTheCompactLayoutStaysWithinTheIssueTargets() throws Exception {
    List<UsageEvent> day = Fixture.seedDay(3_000);
    long at1s = billed(day, Duration.ofSeconds(1), false);
    long at60s = billed(day, Duration.ofSeconds(60), false);
    long at1sRestart = billed(day, Duration.ofSeconds(1), true);
    long at60sRestart = billed(day, Duration.ofSeconds(60), true);
    System.out.printf(
        "seed day (3,000 requests), compact layout, billed commands per day: 1 s flushes %d"
            + " (killed at 06:00 and restarted: %d), 60 s flushes %d (%d)%n",
        at1s, at1sRestart, at60s, at60sRestart);
    assertThat(at60s).isLessThanOrEqualTo(1_500);
    assertThat(at60sRestart).isLessThanOrEqualTo(1_500);
    assertThat(at1s).isLessThanOrEqualTo(4_500);
    assertThat(at1sRestart).isLessThanOrEqualTo(4_500);
  }

  /** A clock the test sets to each event's time. */
  private static final class EventClock implements InstantSource {
    final AtomicReference<Instant> now;

    EventClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  private static long billed(List<UsageEvent> day, Duration interval, boolean restartAt6)
      throws Exception {
    redis.flushAll();
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .zone(ZoneOffset.UTC)
            .shutdownHook(false)
            .flushInterval(interval)
            .property(UsageLayouts.LAYOUT_PROPERTY, "compact")
            .build();
    CompactLayout layout = UsageLayouts.compact(config);
    Instant first = day.get(0).at();
    // the sink's flush deadlines are interval-spaced from its start: start on an interval boundary
    EventClock clock =
        new EventClock(
            Instant.ofEpochMilli(
                Math.floorDiv(first.toEpochMilli(), interval.toMillis()) * interval.toMillis()));
    try (RedisConnection c = RedisConnection.open(config)) {
      redis.resetStats();
      CompactWriter w = PlanWriters.compact(c, layout, clock);
      BufferedSink sink =
          BufferedSink.builder(config).writer(w).layout(layout).clock(clock).build();
      Instant six = first.plus(Duration.ofHours(6));
      boolean restarted = false;
      for (UsageEvent e : day) {
        if (restartAt6 && !restarted && !e.at().isBefore(six)) {
          sink.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
          // killed: the sink and its writer are dropped without close (its worker idles)
          clock.now.set(
              Instant.ofEpochMilli(
                  Math.max(
                      clock.instant().toEpochMilli(),
                      Math.floorDiv(e.at().toEpochMilli(), interval.toMillis())
                          * interval.toMillis())));
          w = PlanWriters.compact(c, layout, clock);
          sink = BufferedSink.builder(config).writer(w).layout(layout).clock(clock).build();
          restarted = true;
        }
        if (Math.floorDiv(e.at().toEpochMilli(), interval.toMillis())
            != Math.floorDiv(clock.instant().toEpochMilli(), interval.toMillis())) {
          // the interval ended: its batch is written before time moves on, as in real time
          sink.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        clock.now.set(e.at());
        sink.record(e);
      }
      // the end of the day: time passes (the last flush, and any check due), then the process stops
      clock.now.set(first.plus(Duration.ofDays(1)));
      sink.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);
      sink.close();
      w.close();
      long billed = redis.commandStats().without("info", "config|resetstat").total();
      System.out.printf(
          "  %s%s: %s%n",
          interval,
          restartAt6 ? " with restart" : "",
          redis.commandStats().without("info", "config|resetstat").asMap());
      long requests =
          UsageReader.of(c, config).key(day.get(0).keyId(), UsagePeriod.allTime()).requests();
      assertThat(requests).isPositive();
      if (restartAt6) {
        assertThat(c.async().hkeys(layout.totalsKey()).get(10, TimeUnit.SECONDS))
            .as("the killed writer's id was folded")
            .anyMatch(f -> f.startsWith("folded|"));
      }
      return billed;
    }
  }
}
