package io.usagesink.cli.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.cli.report.Json;
import io.usagesink.redis.read.StoredKey;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisStateTest {

  private static RedisState state(long ttl, String value) {
    return new RedisState(
        Map.of(
            "usage:k1", StoredKey.hash(Map.of("totalRequests", value), -1),
            "usage:daily:k1:2025-08-15", StoredKey.hash(Map.of("requests", value), ttl),
            "idx", StoredKey.set(Set.of("b", "a"), ttl)));
  }

  @Test
  void ttlsWithinTheToleranceAreTheSame() {
    assertThat(state(2764800, "3").differences(state(2764795, "3"), 5, 10)).isEmpty();
  }

  @Test
  void ttlsBeyondTheToleranceDiffer() {
    assertThat(state(2764800, "3").differences(state(2764790, "3"), 5, 10))
        .containsExactly(
            "idx: ttl 2764800 vs 2764790", "usage:daily:k1:2025-08-15: ttl 2764800 vs 2764790");
  }

  @Test
  void aNoExpiryKeyNeverMatchesAnExpiringOne() {
    RedisState a = new RedisState(Map.of("k", StoredKey.hash(Map.of("f", "1"), -1)));
    RedisState b = new RedisState(Map.of("k", StoredKey.hash(Map.of("f", "1"), 3)));
    assertThat(a.differences(b, 100, 10)).containsExactly("k: ttl -1 vs 3");
  }

  @Test
  void valuesAndMissingKeysAreNamed() {
    RedisState a = state(10, "3");
    RedisState b =
        new RedisState(Map.of("usage:k1", StoredKey.hash(Map.of("totalRequests", "4"), -1)));
    assertThat(a.differences(b, 0, 10))
        .containsExactly(
            "idx: missing in the other state",
            "usage:daily:k1:2025-08-15: missing in the other state",
            "usage:k1: field totalRequests 3 vs 4");
  }

  @Test
  void theFrugalViewKeepsKeysWithoutFields() {
    RedisState s =
        new RedisState(
            Map.of(
                "idx",
                StoredKey.set(Set.of("a"), 5),
                "h",
                StoredKey.hash(Map.of("zero", "0"), -1),
                "s",
                new StoredKey("string", new java.util.TreeMap<>(), java.util.List.of(), "v", -1)));
    assertThat(s.withoutZeroFields().keys()).containsOnlyKeys("idx", "s");
  }

  @Test
  void aStringKeyShowsItsValue() throws Exception {
    RedisState s =
        new RedisState(
            Map.of(
                "s",
                new StoredKey("string", new java.util.TreeMap<>(), java.util.List.of(), "v", 7)));
    assertThat(Json.PRETTY.writeValueAsString(s.toJson()))
        .isEqualTo(
            "{\n"
                + "  \"s\": {\n"
                + "    \"type\": \"string\",\n"
                + "    \"value\": \"v\",\n"
                + "    \"ttl\": 7\n"
                + "  }\n"
                + "}");
  }

  @Test
  void jsonShapeIsTheGoldenStateFormat() throws Exception {
    String json = Json.PRETTY.writeValueAsString(state(600, "1").toJson());
    assertThat(json)
        .isEqualTo(
            "{\n"
                + "  \"idx\": {\n"
                + "    \"type\": \"set\",\n"
                + "    \"members\": [\n"
                + "      \"a\",\n"
                + "      \"b\"\n"
                + "    ],\n"
                + "    \"ttl\": 600\n"
                + "  },\n"
                + "  \"usage:daily:k1:2025-08-15\": {\n"
                + "    \"type\": \"hash\",\n"
                + "    \"fields\": {\n"
                + "      \"requests\": \"1\"\n"
                + "    },\n"
                + "    \"ttl\": 600\n"
                + "  },\n"
                + "  \"usage:k1\": {\n"
                + "    \"type\": \"hash\",\n"
                + "    \"fields\": {\n"
                + "      \"totalRequests\": \"1\"\n"
                + "    },\n"
                + "    \"ttl\": -1\n"
                + "  }\n"
                + "}");
  }
}
