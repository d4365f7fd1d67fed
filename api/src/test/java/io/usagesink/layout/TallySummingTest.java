package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Planning the sum of tallies of one bucket gives the same counters and expiries as planning each
 * event and merging the plans: what lets an aggregating sink plan once per bucket.
 */
class TallySummingTest {

  private static final List<String> MODELS =
      List.of(
          "claude-sonnet-4-20250514", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "unknown");

  @Test
  void summedTallyPlansLikeTheMergedPlansOfItsEvents() {
    Random random = new Random(20250815);
    List<UsageLayout> layouts =
        List.of(
            UsageLayouts.crs(ZoneId.of("+08:00"), Duration.ofMinutes(5), StatsPolicy.ALL),
            UsageLayouts.crs(
                ZoneId.of("America/New_York"),
                Duration.ofMinutes(5),
                StatsPolicy.ALL.withMinute(false)),
            UsageLayouts.crs(ZoneId.of("Asia/Kolkata"), Duration.ofMinutes(3), StatsPolicy.CORE),
            UsageLayouts.crs(
                ZoneId.of("UTC"), Duration.ofMinutes(5), StatsPolicy.ALL.withDetailedCache(false)));
    for (UsageLayout layout : layouts) {
      for (int round = 0; round < 200; round++) {
        Instant base =
            Instant.parse("2025-01-01T00:00:00Z").plusSeconds(random.nextInt(366 * 86_400));
        Instant start = layout.bucketStart(base);
        String keyId = random.nextInt(3) == 0 ? null : "k" + random.nextInt(3);
        String accountId = keyId == null || random.nextBoolean() ? "a" + random.nextInt(3) : null;
        String model = MODELS.get(random.nextInt(MODELS.size()));
        int events = 1 + random.nextInt(8);

        UsageTally sum = null;
        UsagePlan.Builder merged = UsagePlan.builder();
        for (int i = 0; i < events; i++) {
          Instant at = start.plusMillis(random.nextInt(60_000));
          if (!layout.bucketStart(at).equals(start)) {
            at = start; // a bucket may be shorter than a minute only at a transition
          }
          UsageEvent e =
              UsageEvent.builder()
                  .at(at)
                  .keyId(keyId)
                  .accountId(accountId)
                  .model(model)
                  .inputTokens(random.nextInt(100_000))
                  .outputTokens(random.nextInt(10_000))
                  .cacheCreateTokens(random.nextInt(3) == 0 ? random.nextInt(50_000) : 0)
                  .cacheReadTokens(random.nextInt(3) == 0 ? random.nextInt(50_000) : 0)
                  .ephemeral5mTokens(random.nextInt(1000))
                  .ephemeral1hTokens(random.nextInt(1000))
                  .longContext(random.nextInt(4) == 0)
                  .build();
          UsageTally t = UsageTally.of(e);
          sum = sum == null ? t : sum.plus(t);
          merged.addAll(layout.plan(e));
        }
        UsagePlan.Builder once = UsagePlan.builder();
        layout.plan(sum, once);
        UsagePlan summed = once.build();
        UsagePlan expected = merged.build();
        assertThat(counters(summed)).as("%s round %d", layout, round).isEqualTo(counters(expected));
        assertThat(expiries(summed)).isEqualTo(expiries(expected));
        assertThat(summed.counters()).hasSameSizeAs(expected.counters());
      }
    }
  }

  private static Map<String, Long> counters(UsagePlan plan) {
    Map<String, Long> out = new HashMap<>();
    for (CounterDelta c : plan.counters()) {
      out.merge(c.key() + " " + c.field(), c.delta(), Long::sum);
    }
    return out;
  }

  private static Map<String, Long> expiries(UsagePlan plan) {
    Map<String, Long> out = new HashMap<>();
    for (Expiry e : plan.expiries()) {
      out.put(e.key(), e.ttlSeconds());
    }
    return out;
  }
}
