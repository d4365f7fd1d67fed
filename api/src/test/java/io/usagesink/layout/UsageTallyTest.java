package io.usagesink.layout;

import static io.usagesink.Measure.ALL_TOKENS;
import static io.usagesink.Measure.CACHE_CREATE_TOKENS;
import static io.usagesink.Measure.CACHE_READ_TOKENS;
import static io.usagesink.Measure.CORE_TOKENS;
import static io.usagesink.Measure.EPHEMERAL_1H_TOKENS;
import static io.usagesink.Measure.EPHEMERAL_5M_TOKENS;
import static io.usagesink.Measure.INPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_INPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_OUTPUT_TOKENS;
import static io.usagesink.Measure.LONG_CONTEXT_REQUESTS;
import static io.usagesink.Measure.OUTPUT_TOKENS;
import static io.usagesink.Measure.RATED_COST_MICROS;
import static io.usagesink.Measure.REAL_COST_MICROS;
import static io.usagesink.Measure.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageTallyTest {

  static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");

  /**
   * Counts in tallied-measure order: requests, in, out, cc, cr, e5m, e1h, lcReq, lcIn, lcOut, real,
   * rated.
   */
  static Map<Measure, Long> counts(long... values) {
    Map<Measure, Long> m = new EnumMap<>(Measure.class);
    for (int i = 0; i < values.length; i++) {
      m.put(Measure.all().get(i), values[i]);
    }
    return m;
  }

  static UsageTally tally(
      long requests, long in, long out, long lcRequests, long lcIn, long lcOut) {
    return UsageTally.of(
        AT, "k", "a", "m", counts(requests, in, out, 3, 4, 5, 6, lcRequests, lcIn, lcOut, 7, 8));
  }

  @Test
  void everyTalliedMeasureHasACellAndTheSumsFollowTheParts() {
    assertThat(Measure.TALLIED).isEqualTo(12);
    assertThat(Measure.sums()).containsExactly(ALL_TOKENS, CORE_TOKENS);
    assertThat(Measure.eventFields())
        .containsExactly(
            INPUT_TOKENS,
            OUTPUT_TOKENS,
            CACHE_CREATE_TOKENS,
            CACHE_READ_TOKENS,
            EPHEMERAL_5M_TOKENS,
            EPHEMERAL_1H_TOKENS,
            REAL_COST_MICROS,
            RATED_COST_MICROS);
    for (Measure m : Measure.all()) {
      assertThat(m.ordinal() < Measure.TALLIED).as(m.name()).isEqualTo(m.isTallied());
    }
  }

  @Test
  void eventBecomesOneRequestWithLongContextTalliedApart() {
    UsageEvent e =
        UsageEvent.builder()
            .at(AT)
            .keyId("k")
            .model("m")
            .inputTokens(10)
            .outputTokens(20)
            .cacheCreateTokens(3)
            .cacheReadTokens(4)
            .ephemeral5mTokens(1)
            .ephemeral1hTokens(2)
            .longContext(true)
            .realCostMicros(5)
            .ratedCostMicros(6)
            .build();
    assertThat(UsageTally.of(e))
        .isEqualTo(
            UsageTally.of(AT, "k", null, "m", counts(1, 10, 20, 3, 4, 1, 2, 1, 10, 20, 5, 6)));
    assertThat(UsageTally.of(e.toBuilder().longContext(false).build()))
        .isEqualTo(UsageTally.of(AT, "k", null, "m", counts(1, 10, 20, 3, 4, 1, 2, 0, 0, 0, 5, 6)));
    UsageTally t = UsageTally.of(e);
    for (Measure m : Measure.all()) {
      assertThat(t.get(m)).as(m.name()).isEqualTo(m.of(e));
    }
    assertThat(t.get(LONG_CONTEXT_REQUESTS)).isEqualTo(1);
    assertThat(t.get(LONG_CONTEXT_INPUT_TOKENS)).isEqualTo(10);
    assertThat(t.get(LONG_CONTEXT_OUTPUT_TOKENS)).isEqualTo(20);
    assertThat(t.get(REQUESTS)).isEqualTo(t.requests()).isEqualTo(1);
  }

  @Test
  void plusAddsEveryCountAndKeepsTheFirstInstant() {
    UsageTally a = tally(1, 10, 20, 1, 10, 20);
    UsageTally b =
        UsageTally.of(
            AT.plusSeconds(30),
            "k",
            "a",
            "m",
            counts(2, 100, 200, 30, 40, 50, 60, 0, 0, 0, 70, 80));
    assertThat(a.plus(b))
        .isEqualTo(
            UsageTally.of(
                AT, "k", "a", "m", counts(3, 110, 220, 33, 44, 55, 66, 1, 10, 20, 77, 88)));
  }

  /** Requests without tokens (errors, refusals) merge too: a sum of measures may well be 0. */
  @Test
  void plusOfTalliesWithoutTokensAddsTheRequests() {
    UsageTally a = UsageTally.of(AT, "k", "a", "m", counts(1));
    UsageTally sum = a.plus(UsageTally.of(AT.plusSeconds(1), "k", "a", "m", counts(2)));
    assertThat(sum).isEqualTo(UsageTally.of(AT, "k", "a", "m", counts(3)));
    assertThat(sum.get(ALL_TOKENS)).isZero();
  }

  @Test
  void plusRejectsDifferentIdsOrModel() {
    UsageTally a = tally(1, 1, 1, 0, 0, 0);
    UsageTally otherModel = UsageTally.of(AT, "k", "a", "n", counts(1, 1, 1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> a.plus(otherModel))
        .withMessage(
            "cannot sum tallies of different keyId/accountId/model: (k, a, m) and (k, a, n)");
    UsageTally noAccount = UsageTally.of(AT, "k", null, "m", counts(1, 1, 1));
    assertThatIllegalArgumentException().isThrownBy(() -> a.plus(noAccount));
  }

  @Test
  void plusRejectsOverflowNamingTheField() {
    UsageTally big = tally(1, Long.MAX_VALUE - 100, 0, 0, 0, 0);
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> big.plus(tally(1, 101, 0, 0, 0, 0)))
        .withMessage("inputTokens overflows a long: 9223372036854775707 + 101");
    UsageTally half = tally(1, Long.MAX_VALUE / 2, 0, 0, 0, 0);
    UsageTally quarter = tally(1, 0, Long.MAX_VALUE / 2, 0, 0, 0);
    assertThatExceptionOfType(ArithmeticException.class)
        .isThrownBy(() -> half.plus(quarter))
        .withMessageStartingWith(
            "inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens of the sum"
                + " overflows");
  }

  @Test
  void negativeCountsAreRejectedNamingTheField() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tally(-1, 0, 0, 0, 0, 0))
        .withMessage("requests must be >= 0 but was -1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsageTally.of(AT, "k", null, "m", counts(1, 0, 0, 0, 0, -5)))
        .withMessage("ephemeral5mTokens must be >= 0 but was -5");
  }

  @Test
  void longContextCannotExceedTheTotals() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tally(1, 10, 10, 2, 0, 0))
        .withMessage("longContextRequests must be <= requests (1) but was 2");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tally(1, 10, 10, 1, 11, 0))
        .withMessage("longContextInputTokens must be <= inputTokens (10) but was 11");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tally(1, 10, 10, 1, 10, 11))
        .withMessage("longContextOutputTokens must be <= outputTokens (10) but was 11");
  }

  @Test
  void allTokensMustFitInALong() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tally(1, Long.MAX_VALUE, 1, 0, 0, 0))
        .withMessageStartingWith(
            "inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens overflows a long");
  }

  @Test
  void aSumIsNotACell() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsageTally.of(AT, "k", null, "m", Map.of(REQUESTS, 1L, ALL_TOKENS, 5L)))
        .withMessage("ALL_TOKENS is a sum of measures, not a cell of a tally");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsageTally.of(AT, "k", null, "m", new long[3]))
        .withMessage("expected 12 cells but got 3");
  }

  @Test
  void anIdIsRequired() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsageTally.of(AT, null, null, "m", counts(1)))
        .withMessage("keyId and accountId are both absent; at least one is required");
  }

  @Test
  void coreAndAllTokens() {
    UsageTally t = tally(1, 10, 20, 0, 0, 0);
    assertThat(t.get(CORE_TOKENS)).isEqualTo(30);
    assertThat(t.get(ALL_TOKENS)).isEqualTo(37);
  }

  @Test
  void cellsAreCopiedInAndOut() {
    long[] cells = UsageTally.of(AT, "k", null, "m", counts(1, 10)).cells();
    UsageTally t = UsageTally.of(AT, "k", null, "m", cells);
    cells[INPUT_TOKENS.ordinal()] = 99;
    assertThat(t.get(INPUT_TOKENS)).isEqualTo(10);
    t.cells()[INPUT_TOKENS.ordinal()] = 99;
    assertThat(t.get(INPUT_TOKENS)).isEqualTo(10);
  }

  @Test
  void talliesAreEqualExactlyWhenTheirInstantIdsModelAndCellsAre() {
    UsageTally t = UsageTally.of(AT, "k", "a", "m", counts(1, 10, 20));
    assertThat(t)
        .isEqualTo(UsageTally.of(AT, "k", "a", "m", counts(1, 10, 20)))
        .hasSameHashCodeAs(UsageTally.of(AT, "k", "a", "m", counts(1, 10, 20)))
        .isNotEqualTo(UsageTally.of(AT.plusMillis(1), "k", "a", "m", counts(1, 10, 20)))
        .isNotEqualTo(UsageTally.of(AT, "k2", "a", "m", counts(1, 10, 20)))
        .isNotEqualTo(UsageTally.of(AT, "k", null, "m", counts(1, 10, 20)))
        .isNotEqualTo(UsageTally.of(AT, "k", "a", "m2", counts(1, 10, 20)))
        .isNotEqualTo(UsageTally.of(AT, "k", "a", "m", counts(1, 10, 21)))
        .isNotEqualTo("k");
  }
}
