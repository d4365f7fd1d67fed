package io.usagesink.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFormatTest {

  @Test
  void documentHasTheSpecifiedShape() throws Exception {
    JsonNode root = Json.MAPPER.readTree(JsonFormat.render(Reports.sample()));
    assertThat(root.get("redis").get("mode").asText()).isEqualTo("embedded");
    assertThat(root.get("redis").get("version").asText()).isEqualTo("7.0.15");
    assertThat(root.get("redis").get("cluster").isBoolean()).isTrue();
    JsonNode results = root.get("results");
    assertThat(results).hasSize(18);
    JsonNode lua = results.get(1);
    List<String> names = new ArrayList<>();
    lua.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly(
            "backend",
            "label",
            "layout",
            "workload",
            "events",
            "clientCommandsPerEvent",
            "scriptCommandsPerEvent",
            "serverCommandsPerEvent",
            "roundTripsPerEvent",
            "eventsPerSecond",
            "sustainedEventsPerSecond",
            "recordLatencyMicros",
            "stateMatchesPipeline",
            "keys",
            "projectedPerDay");
    assertThat(lua.get("sustainedEventsPerSecond").asDouble())
        .isCloseTo(69_135.05, org.assertj.core.data.Offset.offset(0.06));
    assertThat(lua.get("backend").asText()).isEqualTo("redis-lua");
    assertThat(lua.get("clientCommandsPerEvent").asDouble()).isEqualTo(1.0);
    assertThat(lua.get("serverCommandsPerEvent").asDouble()).isEqualTo(150.0);
    assertThat(lua.get("recordLatencyMicros").get("p99").asDouble()).isEqualTo(31.25);
    assertThat(lua.get("projectedPerDay").get("billedCommands").asLong()).isEqualTo(450_001);
    assertThat(lua.get("projectedPerDay").get("usdPerMonth").asDouble()).isEqualTo(27.0);
    assertThat(lua.get("projectedPerDay").get("fitsFreeTier").asBoolean()).isFalse();
    JsonNode buffered = results.get(4);
    assertThat(buffered.get("settings").get("writer").asText()).isEqualTo("lua");
    assertThat(buffered.get("settings").get("flushInterval").asText()).isEqualTo("60s");
    JsonNode frugal = results.get(5);
    assertThat(frugal.get("label").asText()).isEqualTo("buffered (lua, crs frugal, 60s)");
    assertThat(frugal.get("settings").get("skipZero").asBoolean()).isTrue();
    assertThat(frugal.get("settings").get("expireMemo").asText()).isEqualTo("60m");
    JsonNode compact = results.get(7);
    assertThat(compact.get("label").asText()).isEqualTo("buffered (compact, 60s)");
    assertThat(compact.get("layout").asText()).isEqualTo("compact");
    assertThat(compact.get("settings").has("writer")).isFalse();
    // 0.37 billed per request x 3,000 x 30 = 33,300 a month: within the 500,000 of the free tier
    assertThat(compact.get("projectedPerDay").get("fitsFreeTier").asBoolean()).isTrue();
    for (JsonNode r : results) {
      assertThat(r.get("layout").asText())
          .as(r.toString())
          .isEqualTo(
              r.get("backend").asText().equals("noop")
                  ? "none"
                  : r.get("label").asText().contains("compact") ? "compact" : "crs");
    }
    JsonNode busy = results.get(9);
    assertThat(busy.get("workload").asText()).isEqualTo("busy");
    assertThat(busy.has("projectedPerDay")).isFalse();
    assertThat(root.get("scenario").get("statistics").asText())
        .isEqualTo("full layout (every ENABLE_* switch on)");
    assertThat(CompareReport.describe(io.usagesink.layout.StatsPolicy.CORE))
        .isEqualTo(
            "layout without hourly, minute, per-model, detailed cache statistics (ENABLE_*"
                + " switches)");
    assertThat(root.get("scenario").get("noteFigures").get(0).get("billedCommandsPerDay").asLong())
        .isEqualTo(482_640);
    assertThat(root.get("scenario").get("freeTierCommandsPerMonth").asLong()).isEqualTo(500_000);
  }

  @Test
  void tableIsAlignedAndCarriesTheProjection() {
    String table = TableFormat.render(Reports.sample());
    String[] lines = table.split("\n");
    String header =
        java.util.Arrays.stream(lines)
            .filter(l -> l.startsWith("workload"))
            .findFirst()
            .orElseThrow();
    int billedEnd = header.indexOf("billed cmd/ev") + "billed cmd/ev".length();
    for (String l : lines) {
      if (l.startsWith("seed-day ") || l.startsWith("busy ")) {
        assertThat(l.length()).isGreaterThan(billedEnd);
        assertThat(l.charAt(billedEnd - 1)).as(l).isNotEqualTo(' ');
      }
    }
    assertThat(table)
        .contains("Seed-day projection: 3,000 requests/day, 0.20 USD per 100,000 billed commands")
        .contains("note: today (full statistics)")
        .contains("482,640")
        .contains("28.96")
        .contains("no (stores nothing)")
        .contains("sustained ev/s")
        .contains("fits free tier")
        .contains("free tier 500,000 commands/month")
        .doesNotContain("reference");
    String compactLine =
        java.util.Arrays.stream(lines)
            .filter(l -> l.startsWith("buffered (compact, 60s)"))
            .findFirst()
            .orElseThrow();
    assertThat(compactLine).contains("compact").contains("1,110").endsWith("yes  yes");
  }
}
