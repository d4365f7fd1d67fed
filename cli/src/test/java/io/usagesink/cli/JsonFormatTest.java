package io.usagesink.cli;

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
    assertThat(results).hasSize(10);
    JsonNode lua = results.get(1);
    List<String> names = new ArrayList<>();
    lua.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("backend", "workload", "events", "clientCommandsPerEvent",
        "scriptCommandsPerEvent", "serverCommandsPerEvent", "roundTripsPerEvent", "eventsPerSecond",
        "recordLatencyMicros", "stateMatchesPipeline", "projectedPerDay");
    assertThat(lua.get("backend").asText()).isEqualTo("redis-lua");
    assertThat(lua.get("clientCommandsPerEvent").asDouble()).isEqualTo(1.0);
    assertThat(lua.get("serverCommandsPerEvent").asDouble()).isEqualTo(150.0);
    assertThat(lua.get("recordLatencyMicros").get("p99").asDouble()).isEqualTo(31.25);
    assertThat(lua.get("projectedPerDay").get("billedCommands").asLong()).isEqualTo(450_001);
    assertThat(lua.get("projectedPerDay").get("usdPerMonth").asDouble()).isEqualTo(27.0);
    JsonNode buffered = results.get(3);
    assertThat(buffered.get("settings").get("writer").asText()).isEqualTo("lua");
    assertThat(buffered.get("settings").get("flushInterval").asText()).isEqualTo("60s");
    JsonNode busy = results.get(5);
    assertThat(busy.get("workload").asText()).isEqualTo("busy");
    assertThat(busy.has("projectedPerDay")).isFalse();
    assertThat(root.get("scenario").get("statistics").asText()).isEqualTo("full layout (every ENABLE_* switch on)");
    assertThat(CompareReport.describe(io.usagesink.layout.StatsPolicy.CORE))
        .isEqualTo("layout without hourly, minute, per-model, detailed cache statistics (ENABLE_* switches)");
    assertThat(root.get("scenario").get("noteFigures").get(0).get("billedCommandsPerDay").asLong()).isEqualTo(482_640);
  }

  @Test
  void tableIsAlignedAndCarriesTheProjection() {
    String table = TableFormat.render(Reports.sample());
    String[] lines = table.split("\n");
    String header = java.util.Arrays.stream(lines).filter(l -> l.startsWith("workload")).findFirst().orElseThrow();
    int billedEnd = header.indexOf("billed cmd/ev") + "billed cmd/ev".length();
    for (String l : lines) {
      if (l.startsWith("seed-day ") || l.startsWith("busy ")) {
        assertThat(l.length()).isGreaterThan(billedEnd);
        assertThat(l.charAt(billedEnd - 1)).as(l).isNotEqualTo(' ');
      }
    }
    assertThat(table).contains("Seed-day projection: 3,000 requests/day, 0.20 USD per 100,000 billed commands")
        .contains("note: today (full statistics)").contains("482,640").contains("28.96")
        .contains("no (stores nothing)").contains("reference");
  }
}
