package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Instant;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation of {@link UsageEvent}: messages name the field and the value. */
class UsageEventTest {

  private static UsageEvent.Builder valid() {
    return UsageEvent.builder()
        .at(Instant.parse("2025-07-31T16:30:00Z"))
        .keyId("k1")
        .accountId("a1")
        .model("claude-sonnet-4-20250514")
        .inputTokens(1200)
        .outputTokens(350);
  }

  static Stream<Arguments> counts() {
    return Stream.of(
        Arguments.of(
            "inputTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::inputTokens),
        Arguments.of(
            "outputTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::outputTokens),
        Arguments.of(
            "cacheCreateTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::cacheCreateTokens),
        Arguments.of(
            "cacheReadTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::cacheReadTokens),
        Arguments.of(
            "ephemeral5mTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::ephemeral5mTokens),
        Arguments.of(
            "ephemeral1hTokens",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::ephemeral1hTokens),
        Arguments.of(
            "realCostMicros",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::realCostMicros),
        Arguments.of(
            "ratedCostMicros",
            (BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder>)
                UsageEvent.Builder::ratedCostMicros));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("counts")
  void aNegativeCountIsRejectedNamingTheFieldAndTheValue(
      String field, BiFunction<UsageEvent.Builder, Long, UsageEvent.Builder> setter) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> setter.apply(valid(), -7L).build())
        .withMessage(field + " must be >= 0 but was -7");
  }

  @Test
  void anEventWithoutKeyIdAndAccountIdIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().keyId(null).accountId(null).build())
        .withMessage("keyId and accountId are both absent; at least one is required");
  }

  @Test
  void oneIdIsEnough() {
    assertThat(valid().keyId(null).build().accountId()).isEqualTo("a1");
    assertThat(valid().accountId(null).build().keyId()).isEqualTo("k1");
  }

  @Test
  void aBlankIdIsRejectedNamingTheField() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().keyId(" ").build())
        .withMessage("keyId must be absent (null) or non-blank but was \" \"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().accountId("").build())
        .withMessage("accountId must be absent (null) or non-blank but was \"\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().id("\t").build())
        .withMessage("id must be null or non-blank but was \"\t\"");
  }

  @Test
  void aMissingTimeIsRejected() {
    assertThatNullPointerException().isThrownBy(() -> valid().at(null).build()).withMessage("at");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void aBlankModelBecomesUnknown(String model) {
    assertThat(valid().model(model).build().model()).isEqualTo(UsageEvent.UNKNOWN_MODEL);
  }

  @Test
  void aNullModelBecomesUnknown() {
    assertThat(valid().model(null).build().model()).isEqualTo("unknown");
  }

  @Test
  void aTokenSumThatOverflowsALongIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().inputTokens(Long.MAX_VALUE).outputTokens(1).build())
        .withMessage(
            "inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens overflows a long: "
                + Long.MAX_VALUE
                + " + 1 + 0 + 0");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                valid()
                    .inputTokens(0)
                    .outputTokens(0)
                    .cacheCreateTokens(Long.MAX_VALUE / 2 + 1)
                    .cacheReadTokens(Long.MAX_VALUE / 2 + 1)
                    .build())
        .withMessageStartingWith(
            "inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens overflows a long");
  }

  @Test
  void theLargestSumThatFitsIsAccepted() {
    UsageEvent e =
        valid()
            .inputTokens(Long.MAX_VALUE - 3)
            .outputTokens(1)
            .cacheCreateTokens(1)
            .cacheReadTokens(1)
            .build();
    assertThat(e.allTokens()).isEqualTo(Long.MAX_VALUE);
    assertThat(e.coreTokens()).isEqualTo(Long.MAX_VALUE - 2);
  }

  @Test
  void toBuilderRoundTrips() {
    UsageEvent e =
        valid()
            .id("req-1")
            .cacheReadTokens(5)
            .ephemeral1hTokens(2)
            .longContext(true)
            .ratedCostMicros(9)
            .build();
    assertThat(e.toBuilder().build()).isEqualTo(e);
  }

  @Test
  void countSetsEachEventFieldByMeasure() {
    UsageEvent.Builder b = valid();
    long v = 1;
    for (Measure m : Measure.eventFields()) {
      b.count(m, v++);
    }
    UsageEvent e = b.build();
    v = 1;
    for (Measure m : Measure.eventFields()) {
      assertThat(m.of(e)).as(m.name()).isEqualTo(v++);
    }
    assertThat(e.inputTokens()).isEqualTo(1);
    assertThat(e.ratedCostMicros()).isEqualTo(8);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> valid().count(Measure.REQUESTS, 1))
        .withMessage("REQUESTS is not a field of an event");
  }
}
