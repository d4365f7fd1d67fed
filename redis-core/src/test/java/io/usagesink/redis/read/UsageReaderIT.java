package io.usagesink.redis.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.write.PlanWriter;
import io.usagesink.redis.write.PlanWriters;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reader of the stored layout against a real Redis. */
@ExtendWith(RedisExtension.class)
class UsageReaderIT {

  // 2025-07-31T16:30Z at +08:00 is 2025-08-01 00:30
  private static final Instant AT = Instant.parse("2025-07-31T16:30:00Z");

  private static UsageEvent event(boolean longContext) {
    return UsageEvent.builder()
        .at(AT)
        .keyId("k1")
        .accountId("a1")
        .model("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
        .inputTokens(1000)
        .outputTokens(200)
        .cacheCreateTokens(30)
        .cacheReadTokens(4)
        .ephemeral5mTokens(30)
        .ephemeral1hTokens(0)
        .longContext(longContext)
        .build();
  }

  @Test
  void readsEveryBucketOfAKeyAnAccountAndAModel(RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder().redisUri(redis.uri()).zone(ZoneOffset.ofHours(8)).build();
    UsageLayout layout = UsageLayouts.crs(config);
    try (RedisConnection c = RedisConnection.open(config)) {
      PlanWriter w = PlanWriters.lua(c, config);
      w.write(layout.plan(event(false)), "e1").get(10, TimeUnit.SECONDS);
      w.write(layout.plan(event(true)), "e2").get(10, TimeUnit.SECONDS);
      UsageReader r = UsageReader.of(c, config);
      String model = "claude-3-5-sonnet-20241022";
      UsagePeriod day = UsagePeriod.day(LocalDate.of(2025, 8, 1));
      UsagePeriod month = UsagePeriod.month(YearMonth.of(2025, 8));
      UsagePeriod hour = UsagePeriod.hour(LocalDate.of(2025, 8, 1), 0);
      assertThat(UsagePeriod.hourOf(AT, LayoutSettings.from(config).zone())).isEqualTo(hour);
      assertThat(UsagePeriod.dayOf(AT, LayoutSettings.from(config).zone())).isEqualTo(day);
      assertThat(UsagePeriod.monthOf(AT, LayoutSettings.from(config).zone())).isEqualTo(month);

      UsageCounts total = r.key("k1", UsagePeriod.allTime());
      assertThat(total.key()).isEqualTo("usage:k1");
      assertThat(total.requests()).isEqualTo(2);
      assertThat(total.inputTokens()).isEqualTo(2000);
      assertThat(total.outputTokens()).isEqualTo(400);
      assertThat(total.coreTokens()).isEqualTo(2400);
      assertThat(total.allTokens()).isEqualTo(2 * 1234);
      assertThat(total.ephemeral5mTokens()).isEqualTo(60);
      assertThat(total.longContextRequests()).isEqualTo(1);
      assertThat(total.longContextInputTokens()).isEqualTo(1000);
      assertThat(total.fields()).containsEntry("totalTokens", 2400L);

      assertThat(r.key("k1", day).key()).isEqualTo("usage:daily:k1:2025-08-01");
      assertThat(r.key("k1", day).requests()).isEqualTo(2);
      assertThat(r.key("k1", day).longContextOutputTokens()).isEqualTo(200);
      assertThat(r.key("k1", month).key()).isEqualTo("usage:monthly:k1:2025-08");
      assertThat(r.key("k1", month).cacheReadTokens()).isEqualTo(8);
      assertThat(r.key("k1", hour).key()).isEqualTo("usage:hourly:k1:2025-08-01:00");
      assertThat(r.key("k1", hour).allTokens()).isEqualTo(2468);
      assertThat(r.keyModel("k1", model, day).ephemeral5mTokens()).isEqualTo(60);
      assertThat(r.keyModel("k1", model, hour).requests()).isEqualTo(2);
      assertThat(r.keyModel("k1", model, month).outputTokens()).isEqualTo(400);
      assertThat(r.model(model, day).requests()).isEqualTo(2);
      assertThat(r.model(model, hour).inputTokens()).isEqualTo(2000);
      assertThat(r.model(model, month).cacheCreateTokens()).isEqualTo(60);

      assertThat(r.account("a1", UsagePeriod.allTime()).requests()).isEqualTo(2);
      assertThat(r.account("a1", UsagePeriod.allTime()).longContextRequests()).isEqualTo(1);
      assertThat(r.account("a1", day).allTokens()).isEqualTo(2468);
      assertThat(r.account("a1", month).inputTokens()).isEqualTo(2000);
      UsageCounts accountHour = r.account("a1", hour);
      assertThat(accountHour.requests()).isEqualTo(2);
      assertThat(accountHour.fields()).containsEntry("model:" + model + ":requests", 2L);
      assertThat(r.accountModel("a1", model, day).requests()).isEqualTo(2);
      assertThat(r.accountModel("a1", model, hour).outputTokens()).isEqualTo(400);
      assertThat(r.accountModel("a1", model, month).cacheReadTokens()).isEqualTo(8);

      UsageCounts minute = r.minute(AT);
      assertThat(minute.key()).isEqualTo("system:metrics:minute:" + AT.toEpochMilli() / 60_000);
      assertThat(minute.allTokens())
          .as("the minute hash's totalTokens is all tokens")
          .isEqualTo(2468);
      assertThat(minute.requests()).isEqualTo(2);
    }
  }

  @Test
  void absentKeysAndFieldsReadAsZero(RedisServer redis) {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageCounts none = UsageReader.of(c, config).key("nobody", UsagePeriod.allTime());
      assertThat(none.isEmpty()).isTrue();
      assertThat(none.requests()).isZero();
      assertThat(none.allTokens()).isZero();
    }
  }

  @Test
  void allTimeIsRejectedWhereTheLayoutKeepsNone(RedisServer redis) {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageReader r = UsageReader.of(c, config);
      assertThatIllegalArgumentException()
          .isThrownBy(() -> r.model("m", UsagePeriod.allTime()))
          .withMessage(
              "period all-time is not stored for per-model statistics in this layout; use a month,"
                  + " day or hour");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> r.keyModel("k", "m", UsagePeriod.allTime()));
      assertThatIllegalArgumentException()
          .isThrownBy(() -> r.accountModel("a", "m", UsagePeriod.allTime()));
    }
  }

  @Test
  void dumpListsStatisticsKeysSortedButNoBookkeepingKeys(RedisServer redis) throws Exception {
    SinkConfig config = SinkConfig.builder().redisUri(redis.uri()).build();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsagePlan plan =
          UsagePlan.builder()
              .increment("b:hash", "f", 3)
              .expire("b:hash", 1000)
              .indexAdd("a:set", "y", 0)
              .indexAdd("a:set", "x", 0)
              .build();
      PlanWriters.lua(c, config).write(plan, "dump-guard").get(10, TimeUnit.SECONDS);
      redis.command("SET", "c:string", "v");
      assertThat(redis.dbSize()).as("with the guard key").isEqualTo(4);
      SortedMap<String, StoredKey> dump = UsageReader.of(c, config).dump();
      assertThat(dump.keySet()).containsExactly("a:set", "b:hash", "c:string");
      assertThat(dump.get("a:set")).isEqualTo(StoredKey.set(java.util.List.of("x", "y"), -1));
      assertThat(dump.get("b:hash").fields()).containsExactly(java.util.Map.entry("f", "3"));
      assertThat(dump.get("b:hash").ttl()).isBetween(990L, 1000L);
      assertThat(dump.get("c:string").value()).isEqualTo("v");
      assertThat(UsageReader.of(c, config).dump("b:*").keySet()).containsExactly("b:hash");
    }
  }
}
