package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.UsageEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageTallyTest {

  static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");

  static UsageTally tally(long requests, long in, long out, long lcRequests, long lcIn, long lcOut) {
    return new UsageTally(AT, "k", "a", "m", requests, in, out, 3, 4, 5, 6, lcRequests, lcIn, lcOut, 7, 8);
  }

  @Test
  void eventBecomesOneRequestWithLongContextTalliedApart() {
    UsageEvent e = UsageEvent.builder().at(AT).keyId("k").model("m").inputTokens(10).outputTokens(20)
        .cacheCreateTokens(3).cacheReadTokens(4).ephemeral5mTokens(1).ephemeral1hTokens(2)
        .longContext(true).realCostMicros(5).ratedCostMicros(6).build();
    assertThat(UsageTally.of(e)).isEqualTo(new UsageTally(AT, "k", null, "m", 1, 10, 20, 3, 4, 1, 2, 1, 10, 20, 5, 6));
    assertThat(UsageTally.of(e.toBuilder().longContext(false).build()))
        .isEqualTo(new UsageTally(AT, "k", null, "m", 1, 10, 20, 3, 4, 1, 2, 0, 0, 0, 5, 6));
  }

  @Test
  void plusAddsEveryCountAndKeepsTheFirstInstant() {
    UsageTally a = tally(1, 10, 20, 1, 10, 20);
    UsageTally b = new UsageTally(AT.plusSeconds(30), "k", "a", "m", 2, 100, 200, 30, 40, 50, 60, 0, 0, 0, 70, 80);
    assertThat(a.plus(b)).isEqualTo(
        new UsageTally(AT, "k", "a", "m", 3, 110, 220, 33, 44, 55, 66, 1, 10, 20, 77, 88));
  }

  @Test
  void plusRejectsDifferentIdsOrModel() {
    UsageTally a = tally(1, 1, 1, 0, 0, 0);
    UsageTally otherModel = new UsageTally(AT, "k", "a", "n", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThatIllegalArgumentException().isThrownBy(() -> a.plus(otherModel))
        .withMessage("cannot sum tallies of different keyId/accountId/model: (k, a, m) and (k, a, n)");
    UsageTally noAccount = new UsageTally(AT, "k", null, "m", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThatIllegalArgumentException().isThrownBy(() -> a.plus(noAccount));
  }

  @Test
  void plusRejectsOverflowNamingTheField() {
    UsageTally big = tally(1, Long.MAX_VALUE - 100, 0, 0, 0, 0);
    assertThatExceptionOfType(ArithmeticException.class).isThrownBy(() -> big.plus(tally(1, 101, 0, 0, 0, 0)))
        .withMessage("inputTokens overflows a long: 9223372036854775707 + 101");
    UsageTally half = tally(1, Long.MAX_VALUE / 2, 0, 0, 0, 0);
    UsageTally quarter = tally(1, 0, Long.MAX_VALUE / 2, 0, 0, 0);
    assertThatExceptionOfType(ArithmeticException.class).isThrownBy(() -> half.plus(quarter))
        .withMessageStartingWith("inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens of the sum overflows");
  }

  @Test
  void negativeCountsAreRejectedNamingTheField() {
    assertThatIllegalArgumentException().isThrownBy(() -> tally(-1, 0, 0, 0, 0, 0))
        .withMessage("requests must be >= 0 but was -1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new UsageTally(AT, "k", null, "m", 1, 0, 0, 0, 0, -5, 0, 0, 0, 0, 0, 0))
        .withMessage("ephemeral5mTokens must be >= 0 but was -5");
  }

  @Test
  void longContextCannotExceedTheTotals() {
    assertThatIllegalArgumentException().isThrownBy(() -> tally(1, 10, 10, 2, 0, 0))
        .withMessage("longContextRequests must be <= requests (1) but was 2");
    assertThatIllegalArgumentException().isThrownBy(() -> tally(1, 10, 10, 1, 11, 0))
        .withMessage("longContextInputTokens must be <= inputTokens (10) but was 11");
    assertThatIllegalArgumentException().isThrownBy(() -> tally(1, 10, 10, 1, 10, 11))
        .withMessage("longContextOutputTokens must be <= outputTokens (10) but was 11");
  }

  @Test
  void allTokensMustFitInALong() {
    assertThatIllegalArgumentException().isThrownBy(() -> tally(1, Long.MAX_VALUE, 1, 0, 0, 0))
        .withMessageStartingWith("inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens overflows a long");
  }

  @Test
  void anIdIsRequired() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new UsageTally(AT, null, null, "m", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        .withMessage("keyId and accountId are both absent; at least one is required");
  }

  @Test
  void coreAndAllTokens() {
    UsageTally t = tally(1, 10, 20, 0, 0, 0);
    assertThat(t.coreTokens()).isEqualTo(30);
    assertThat(t.allTokens()).isEqualTo(37);
  }
}
