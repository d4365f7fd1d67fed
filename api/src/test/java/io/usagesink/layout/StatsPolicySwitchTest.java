package io.usagesink.layout;

import static io.usagesink.layout.PlanText.commands;
import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each switch removes exactly what {@link StatsPolicy}'s documentation says, alone and combined.
 */
class StatsPolicySwitchTest {

  static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");
  static final Pattern CACHE_DETAIL =
      Pattern.compile("(?i).*(cacheCreate|cacheRead|ephemeral5m|ephemeral1h)Tokens");

  static UsageLayout crs(StatsPolicy policy) {
    return UsageLayouts.crs(ZoneOffset.ofHours(8), Duration.ofMinutes(5), policy);
  }

  static UsageEvent event(boolean keyId, boolean accountId, boolean longContext) {
    return UsageEvent.builder()
        .at(AT)
        .keyId(keyId ? "k1" : null)
        .accountId(accountId ? "a1" : null)
        .model("claude-sonnet-4-20250514")
        .inputTokens(1200)
        .outputTokens(350)
        .cacheCreateTokens(5000)
        .cacheReadTokens(20000)
        .ephemeral5mTokens(3000)
        .ephemeral1hTokens(2000)
        .longContext(longContext)
        .build();
  }

  static Stream<StatsPolicy> everyCombination() {
    List<StatsPolicy> all = new ArrayList<>();
    for (int bits = 0; bits < 32; bits++) {
      all.add(
          new StatsPolicy(
              (bits & 1) != 0,
              (bits & 2) != 0,
              (bits & 4) != 0,
              (bits & 8) != 0,
              (bits & 16) != 0));
    }
    return all.stream();
  }

  /** The full plan minus what the documentation says each switched-off dimension removes. */
  static UsagePlan expected(UsagePlan full, StatsPolicy p) {
    if (!p.enabled()) {
      return UsagePlan.empty();
    }
    Predicate<String> hourlyKey = k -> !p.hourly() && k.contains("hourly:");
    Predicate<String> minuteKey = k -> !p.minute() && k.startsWith("system:metrics:minute:");
    Predicate<String> modelKey =
        k -> !p.model() && k.contains(":model:") || !p.model() && k.startsWith("usage:model:");
    Predicate<String> droppedKey = hourlyKey.or(minuteKey).or(modelKey);
    Predicate<CounterDelta> droppedField =
        c ->
            droppedKey.test(c.key())
                || !p.model() && c.field().startsWith("model:")
                || !p.detailedCache() && CACHE_DETAIL.matcher(c.field()).matches();
    return PlanText.without(full, droppedField, droppedKey);
  }

  @ParameterizedTest
  @MethodSource("everyCombination")
  void switchesRemoveExactlyTheDocumentedKeysAndFields(StatsPolicy policy) {
    for (boolean lc : new boolean[] {false, true}) {
      for (int who = 1; who <= 3; who++) {
        UsageEvent e = event((who & 1) != 0, (who & 2) != 0, lc);
        UsagePlan full = crs(StatsPolicy.ALL).plan(e);
        assertThat(commands(crs(policy).plan(e)))
            .as("%s lc=%s who=%s", policy, lc, who)
            .isEqualTo(commands(expected(full, policy)));
      }
    }
  }

  @Test
  void everyRemainingKeyKeepsCoreFields() {
    UsagePlan core = crs(StatsPolicy.CORE).plan(event(true, true, false));
    assertThat(commands(core))
        .containsExactly(
            "HINCRBY usage:k1 totalTokens 1550",
            "HINCRBY usage:k1 totalInputTokens 1200",
            "HINCRBY usage:k1 totalOutputTokens 350",
            "HINCRBY usage:k1 totalAllTokens 26550",
            "HINCRBY usage:k1 totalRequests 1",
            "HINCRBY usage:daily:k1:2025-08-15 tokens 1550",
            "HINCRBY usage:daily:k1:2025-08-15 inputTokens 1200",
            "HINCRBY usage:daily:k1:2025-08-15 outputTokens 350",
            "HINCRBY usage:daily:k1:2025-08-15 allTokens 26550",
            "HINCRBY usage:daily:k1:2025-08-15 requests 1",
            "HINCRBY usage:monthly:k1:2025-08 tokens 1550",
            "HINCRBY usage:monthly:k1:2025-08 inputTokens 1200",
            "HINCRBY usage:monthly:k1:2025-08 outputTokens 350",
            "HINCRBY usage:monthly:k1:2025-08 allTokens 26550",
            "HINCRBY usage:monthly:k1:2025-08 requests 1",
            "HINCRBY account_usage:a1 totalTokens 1550",
            "HINCRBY account_usage:a1 totalInputTokens 1200",
            "HINCRBY account_usage:a1 totalOutputTokens 350",
            "HINCRBY account_usage:a1 totalAllTokens 26550",
            "HINCRBY account_usage:a1 totalRequests 1",
            "HINCRBY account_usage:daily:a1:2025-08-15 tokens 1550",
            "HINCRBY account_usage:daily:a1:2025-08-15 inputTokens 1200",
            "HINCRBY account_usage:daily:a1:2025-08-15 outputTokens 350",
            "HINCRBY account_usage:daily:a1:2025-08-15 allTokens 26550",
            "HINCRBY account_usage:daily:a1:2025-08-15 requests 1",
            "HINCRBY account_usage:monthly:a1:2025-08 tokens 1550",
            "HINCRBY account_usage:monthly:a1:2025-08 inputTokens 1200",
            "HINCRBY account_usage:monthly:a1:2025-08 outputTokens 350",
            "HINCRBY account_usage:monthly:a1:2025-08 allTokens 26550",
            "HINCRBY account_usage:monthly:a1:2025-08 requests 1",
            "EXPIRE usage:daily:k1:2025-08-15 2764800",
            "EXPIRE usage:monthly:k1:2025-08 31536000",
            "EXPIRE account_usage:daily:a1:2025-08-15 2764800",
            "EXPIRE account_usage:monthly:a1:2025-08 31536000");
  }

  @Test
  void disabledStatisticsPlanNothingWhateverTheOtherSwitches() {
    assertThat(crs(StatsPolicy.ALL.withEnabled(false)).plan(event(true, true, true)))
        .isEqualTo(UsagePlan.empty());
    assertThat(crs(StatsPolicy.OFF).plan(event(true, true, true)).isEmpty()).isTrue();
  }

  /**
   * Updates per event (counters + expiries) for API-key usage, account usage and both, without and
   * with long context. These are the figures the README and the comparison quote.
   */
  @ParameterizedTest(name = "{0}: key {1}, account {2}, both {3}; long context {4} / {5} / {6}")
  @CsvSource({
    "ALL,                90,  58, 148,  96, 64, 160",
    "hourly off,         68,  37, 105,  74, 43, 117",
    "minute off,         83,  58, 141,  89, 64, 153",
    "model off,          44,  31,  75,  50, 37,  87",
    "detailedCache off,  58,  42, 100,  64, 48, 112",
    "CORE,               17,  17,  34,  23, 23,  46",
    "OFF,                 0,   0,   0,   0,  0,   0",
  })
  void updatesPerEventPerPolicy(
      String name, int key, int account, int both, int keyLc, int accountLc, int bothLc) {
    StatsPolicy policy =
        switch (name) {
          case "ALL" -> StatsPolicy.ALL;
          case "hourly off" -> StatsPolicy.ALL.withHourly(false);
          case "minute off" -> StatsPolicy.ALL.withMinute(false);
          case "model off" -> StatsPolicy.ALL.withModel(false);
          case "detailedCache off" -> StatsPolicy.ALL.withDetailedCache(false);
          case "CORE" -> StatsPolicy.CORE;
          default -> StatsPolicy.OFF;
        };
    UsageLayout layout = crs(policy);
    assertThat(layout.plan(event(true, false, false)).size()).isEqualTo(key);
    assertThat(layout.plan(event(false, true, false)).size()).isEqualTo(account);
    assertThat(layout.plan(event(true, true, false)).size()).isEqualTo(both);
    assertThat(layout.plan(event(true, false, true)).size()).isEqualTo(keyLc);
    assertThat(layout.plan(event(false, true, true)).size()).isEqualTo(accountLc);
    assertThat(layout.plan(event(true, true, true)).size()).isEqualTo(bothLc);
  }
}
