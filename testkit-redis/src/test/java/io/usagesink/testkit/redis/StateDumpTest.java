package io.usagesink.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StateDumpTest {
  private static final Duration TOLERANCE = Duration.ofSeconds(30);

  private static StateDump dump(Object... keysAndValues) {
    Map<String, StoredKey> keys = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.put((String) keysAndValues[i], (StoredKey) keysAndValues[i + 1]);
    }
    return StateDump.of(keys);
  }

  @Test
  void equalStatesWithTtlsWithinTheToleranceHaveNoDifference() {
    StateDump a =
        dump(
            "usage:k1",
            StoredKey.hash(Map.of("totalTokens", "5"), 100),
            "idx",
            StoredKey.set(List.of("b", "a"), -1));
    StateDump e =
        dump(
            "usage:k1",
            StoredKey.hash(Map.of("totalTokens", "5"), 125),
            "idx",
            StoredKey.set(List.of("a", "b"), -1));
    assertThat(a.diff(e, TOLERANCE).isEmpty()).isTrue();
    assertThat(a.diff(e, TOLERANCE).toString()).isEqualTo("no differences");
  }

  @Test
  void eachDifferenceIsOneReadableLine() {
    StateDump actual =
        dump(
            "extra", StoredKey.string("x", -1),
            "usage:k1", StoredKey.hash(Map.of("totalTokens", "120", "surplus", "1"), 100),
            "idx", StoredKey.set(List.of("a", "c"), 50),
            "typed", StoredKey.set(List.of("a"), -1));
    StateDump expected =
        dump(
            "gone", StoredKey.hash(Map.of("f", "1"), -1),
            "usage:k1", StoredKey.hash(Map.of("totalTokens", "100", "lost", "7"), 200),
            "idx", StoredKey.set(List.of("a", "b"), -1),
            "typed", StoredKey.hash(Map.of("f", "1"), -1));
    assertThat(actual.diff(expected, TOLERANCE).lines())
        .containsExactly(
            "extra: not expected (string \"x\", ttl -1)",
            "gone: missing (expected hash, 1 fields, ttl -1)",
            "idx members: missing [b], not expected [c]",
            "idx: ttl 50, expected -1",
            "typed: a set, expected a hash",
            "usage:k1 field lost: missing, expected 7",
            "usage:k1 field surplus: 1, not expected",
            "usage:k1 field totalTokens: 120, expected 100 (+20)",
            "usage:k1: ttl 100, expected 200 +- 30");
  }

  @Test
  void aLongDiffShowsTheFirstFortyLinesAndCountsTheRest() {
    Map<String, StoredKey> many = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      many.put(String.format("k%03d", i), StoredKey.hash(Map.of("f", "1"), -1));
    }
    StateDiff d = StateDump.of(many).diff(dump(), TOLERANCE);
    assertThat(d.lines()).hasSize(100);
    assertThat(d.toString().lines())
        .hasSize(1 + StateDiff.SHOWN + 1)
        .startsWith("100 differences")
        .endsWith("  ... and 60 more");
    assertThatThrownBy(() -> d.assertNone("after the run"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("after the run: 100 differences\n  k000: not expected");
  }

  @Test
  void withoutTtlsKeepsNoExpiryAndZeroesTheRest() {
    StateDump d =
        dump("a", StoredKey.hash(Map.of("f", "1"), 70), "b", StoredKey.hash(Map.of("f", "1"), -1));
    assertThat(d.withoutTtls().keys().get("a").ttl()).isZero();
    assertThat(d.withoutTtls().keys().get("b").ttl()).isEqualTo(-1);
    assertThat(d.filter(k -> k.equals("b")).keys()).containsOnlyKeys("b");
  }

  @Test
  void aStoredKeyHoldsOnlyTheContentOfItsType() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new StoredKey("set", new TreeMap<>(Map.of("f", "1")), List.of(), null, -1))
        .withMessage("a set has no fields");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> StoredKey.hash(Map.of(), -2))
        .withMessage("ttl must be -1 (none) or >= 0 but was -2");
    assertThat(StoredKey.set(List.of("b", "a", "b"), 5).members()).containsExactly("a", "b");
  }
}
