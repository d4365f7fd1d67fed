package io.usagesink.testkit.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrsCallAdapterTest {

  static final Instant AT = Instant.parse("2025-08-15T03:10:00Z");

  static UsageEvent token(Map<String, Object> args) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("keyId", "k1");
    all.putAll(args);
    return CrsCallAdapter.toEvent(
        new CrsCall(CrsMethod.INCREMENT_TOKEN_USAGE, AT, new CrsArgs(all)));
  }

  static UsageEvent account(Map<String, Object> args) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("accountId", "a1");
    all.putAll(args);
    return CrsCallAdapter.toEvent(
        new CrsCall(CrsMethod.INCREMENT_ACCOUNT_USAGE, AT, new CrsArgs(all)));
  }

  @Test
  void tokenUsageBecomesAKeyOnlyEvent() {
    UsageEvent e =
        token(
            Map.of(
                "tokens",
                1550L,
                "inputTokens",
                1200L,
                "outputTokens",
                350L,
                "cacheCreateTokens",
                5000L,
                "cacheReadTokens",
                20000L,
                "model",
                "m",
                "ephemeral5mTokens",
                3000L,
                "ephemeral1hTokens",
                2000L,
                "isLongContextRequest",
                true));
    assertThat(e)
        .isEqualTo(
            UsageEvent.builder()
                .at(AT)
                .keyId("k1")
                .model("m")
                .inputTokens(1200)
                .outputTokens(350)
                .cacheCreateTokens(5000)
                .cacheReadTokens(20000)
                .ephemeral5mTokens(3000)
                .ephemeral1hTokens(2000)
                .longContext(true)
                .build());
  }

  @Test
  void tokensAreBookedAsOutputWhenInputAndOutputAreZero() {
    assertThat(token(Map.of("tokens", 777L, "inputTokens", 0L, "outputTokens", 0L)).outputTokens())
        .isEqualTo(777);
    assertThat(token(Map.of("tokens", 777L)).outputTokens()).isEqualTo(777);
  }

  @Test
  void tokensAreIgnoredWhenInputOrOutputIsNonZero() {
    assertThat(
            token(Map.of("tokens", 777L, "inputTokens", 500L, "outputTokens", 0L)).outputTokens())
        .isZero();
    assertThat(token(Map.of("tokens", 777L, "inputTokens", 0L, "outputTokens", 5L)).outputTokens())
        .isEqualTo(5);
  }

  @Test
  void accountUsageIgnoresTotalTokensAndHasNoFallback() {
    UsageEvent e =
        account(Map.of("totalTokens", 999L, "inputTokens", 0L, "outputTokens", 0L, "model", "m"));
    assertThat(e.keyId()).isNull();
    assertThat(e.accountId()).isEqualTo("a1");
    assertThat(e.outputTokens()).isZero();
    assertThat(e.inputTokens()).isZero();
  }

  @Test
  void omittedModelIsUnknownAndNullOrEmptyAreUnknownToo() {
    assertThat(token(Map.of()).model()).isEqualTo("unknown");
    Map<String, Object> nullModel = new HashMap<>();
    nullModel.put("model", null);
    assertThat(token(nullModel).model()).isEqualTo("unknown");
    assertThat(token(Map.of("model", "")).model()).isEqualTo("unknown");
  }

  @Test
  void countsFollowJsOrZero() {
    Map<String, Object> args = new HashMap<>();
    args.put("inputTokens", null);
    args.put("outputTokens", false);
    args.put("cacheReadTokens", 0.0);
    args.put("tokens", 0L);
    UsageEvent e = token(args);
    assertThat(e.inputTokens()).isZero();
    assertThat(e.outputTokens()).isZero();
    assertThat(e.cacheReadTokens()).isZero();
  }

  @Test
  void longContextFollowsJsTruthiness() {
    assertThat(token(Map.of("isLongContextRequest", 1L)).longContext()).isTrue();
    assertThat(token(Map.of("isLongContextRequest", "yes")).longContext()).isTrue();
    assertThat(token(Map.of("isLongContextRequest", 0L)).longContext()).isFalse();
    assertThat(token(Map.of("isLongContextRequest", "")).longContext()).isFalse();
    assertThat(token(Map.of()).longContext()).isFalse();
  }

  @Test
  void countsTheApiCannotExpressAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> token(Map.of("inputTokens", 1.5)))
        .withMessage("argument inputTokens is not an integer count: 1.5");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> token(Map.of("inputTokens", "12")))
        .withMessage("argument inputTokens is not an integer count: 12");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> token(Map.of("inputTokens", -3L)))
        .withMessage("inputTokens must be >= 0 but was -3");
  }

  @Test
  void unknownMethodNameIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> CrsMethod.fromJsName("incrementCost"))
        .withMessage(
            "unknown CRS method \"incrementCost\"; known: incrementTokenUsage,"
                + " incrementAccountUsage");
  }
}
