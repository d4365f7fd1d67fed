package io.usagesink.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("frugal CRS writes (CrsPlanFilter)")
class CrsPlanFilterTest {

  /** A clock the test moves. */
  private static final class ManualClock implements InstantSource {
    Instant now = Instant.parse("2025-08-15T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static SinkConfig config(String skipZero, String memo, InstantSource clock) {
    SinkConfig.Builder b = SinkConfig.builder().clock(clock);
    if (skipZero != null) {
      b.property(CrsPlanFilter.SKIP_ZERO, skipZero);
    }
    if (memo != null) {
      b.property(CrsPlanFilter.EXPIRE_MEMO, memo);
    }
    return b.build();
  }

  private static UsagePlan plan() {
    return UsagePlan.builder()
        .increment("usage:k", "requests", 1)
        .increment("usage:k", "cacheReadTokens", 0)
        .increment("usage:daily:k:2025-08-15", "requests", 1)
        .expire("usage:daily:k:2025-08-15", 2_764_800)
        .expire("system:metrics:minute:1", 600)
        .indexAdd("accounts", "a", 0)
        .build();
  }

  @Test
  void isOffByDefaultAndThenChangesNothing() {
    CrsPlanFilter f = CrsPlanFilter.of(SinkConfig.builder().build());
    assertThat(f.active()).isFalse();
    UsagePlan p = plan();
    assertThat(f.apply(p)).isSameAs(p);
    assertThat(CrsPlanFilter.of(config("false", "off", InstantSource.system())).active()).isFalse();
  }

  @Test
  void skipZeroLeavesOutZeroIncrementsOnly() {
    CrsPlanFilter f = CrsPlanFilter.of(config("true", null, InstantSource.system()));
    UsagePlan out = f.apply(plan());
    assertThat(out.counters())
        .containsExactly(
            new CounterDelta("usage:k", "requests", 1),
            new CounterDelta("usage:daily:k:2025-08-15", "requests", 1));
    assertThat(out.expiries()).isEqualTo(plan().expiries());
    assertThat(out.indexAdds()).isEqualTo(plan().indexAdds());
  }

  @Test
  void aRealEventOfTheCrsLayoutHasZeroIncrementsToSkip() {
    UsageEvent e =
        UsageEvent.builder()
            .id("e1")
            .at(Instant.parse("2025-08-15T10:00:00Z"))
            .keyId("k")
            .accountId("a")
            .model("claude-sonnet-4-20250514")
            .inputTokens(10)
            .outputTokens(5)
            .build();
    UsagePlan p = UsageLayouts.crs().plan(e);
    UsagePlan out = CrsPlanFilter.of(config("true", null, InstantSource.system())).apply(p);
    long zeros = p.counters().stream().filter(c -> c.delta() == 0).count();
    assertThat(zeros).isPositive();
    assertThat(out.counters())
        .hasSize(p.counters().size() - (int) zeros)
        .allMatch(c -> c.delta() != 0);
  }

  @Test
  void anExpireIsNotResentWithinTheMemoButAfterIt() {
    ManualClock clock = new ManualClock();
    CrsPlanFilter f = CrsPlanFilter.of(config(null, "1h", clock));
    assertThat(f.apply(plan()).expiries())
        .extracting(Expiry::key)
        .containsExactly("usage:daily:k:2025-08-15", "system:metrics:minute:1");
    clock.now = clock.now.plus(Duration.ofMinutes(59));
    // counters always go out; the daily key's EXPIRE was sent 59 minutes ago; the minute key's TTL
    // (600 s) is not longer than the memo, so it is always sent
    UsagePlan second = f.apply(plan());
    assertThat(second.counters()).isEqualTo(plan().counters());
    assertThat(second.expiries())
        .extracting(Expiry::key)
        .containsExactly("system:metrics:minute:1");
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(f.apply(plan()).expiries())
        .extracting(Expiry::key)
        .containsExactly("usage:daily:k:2025-08-15", "system:metrics:minute:1");
  }

  @Test
  void aHitDoesNotRenewTheMemoSoABusyKeyGetsItsExpireOncePerMemo() {
    ManualClock clock = new ManualClock();
    CrsPlanFilter f = CrsPlanFilter.of(config(null, "10m", clock));
    int sent = 0;
    for (int minute = 0; minute < 60; minute++) {
      sent +=
          (int)
              f.apply(plan()).expiries().stream()
                  .filter(e -> e.key().startsWith("usage:daily"))
                  .count();
      clock.now = clock.now.plus(Duration.ofMinutes(1));
    }
    assertThat(sent).isEqualTo(6);
  }

  @Test
  void anotherTtlIsSent() {
    CrsPlanFilter f = CrsPlanFilter.of(config(null, "1h", InstantSource.system()));
    f.apply(plan());
    UsagePlan other =
        UsagePlan.builder()
            .increment("usage:daily:k:2025-08-15", "requests", 1)
            .expire("usage:daily:k:2025-08-15", 9_999)
            .build();
    assertThat(f.apply(other).expiries())
        .containsExactly(new Expiry("usage:daily:k:2025-08-15", 9_999));
    assertThat(f.apply(other).expiries()).isEmpty();
  }

  @Test
  void aWriteGivenUpForgetsItsExpiries() {
    CrsPlanFilter f = CrsPlanFilter.of(config(null, "1h", InstantSource.system()));
    UsagePlan sent = f.apply(plan());
    f.forget(sent);
    assertThat(f.apply(plan()).expiries())
        .extracting(Expiry::key)
        .contains("usage:daily:k:2025-08-15");
  }

  @Test
  void badValuesNameThePropertyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> CrsPlanFilter.of(config("yes", null, InstantSource.system())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.crs.skip-zero=yes. Must be true or false.");
    for (String bad : List.of("soon", "0s", "-5m")) {
      assertThatThrownBy(() -> CrsPlanFilter.of(config(null, bad, InstantSource.system())))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "Invalid value for property usagesink.crs.expire-memo="
                  + bad
                  + ". Must be off or a positive duration like 10m or 1h.");
    }
    assertThat(CrsPlanFilter.of(config(null, "PT30M", InstantSource.system())).expireMemo())
        .contains(Duration.ofMinutes(30));
  }
}
