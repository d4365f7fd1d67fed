package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.usagesink.cli.report.HtmlReport;
import io.usagesink.cli.report.Json;
import io.usagesink.launcher.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("compare end to end against a real Redis")
class CompareIT {

  private static RedisServer redis;
  private static Cli.Result run;
  private static JsonNode json;

  @TempDir static Path dir;

  /** Labels of the rows of one workload, in run order. */
  private static final java.util.List<String> LABELS =
      java.util.List.of(
          "redis-pipeline",
          "redis-lua",
          "redis-lua (frugal)",
          "buffered (lua, 1s)",
          "buffered (lua, 60s)",
          "buffered (lua, crs frugal, 60s)",
          "buffered (compact, 1s)",
          "buffered (compact, 60s)",
          "noop");

  @BeforeAll
  static void compare() throws Exception {
    redis = Fixture.redis();
    redis.flushAll();
    // fixed counts: 200 seed-day events, and busy capped at 200 events long before its 600 s time
    // box
    run =
        Cli.run(
            "compare",
            "--redis",
            redis.authenticatedUri(),
            "--events",
            "200",
            "--busy-seconds",
            "600",
            "--warmup-events",
            "100",
            "--sustain",
            "300ms",
            "--json",
            "--report",
            dir.resolve("report.html").toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    json = Json.MAPPER.readTree(run.out());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  /** The rows of {@code workload} by label. */
  private static Map<String, JsonNode> byLabel(String workload) {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode r : json.get("results")) {
      if (r.get("workload").asText().equals(workload)) {
        m.put(r.get("label").asText(), r);
      }
    }
    return m;
  }

  private static double billed(Map<String, JsonNode> rows, String label) {
    return rows.get(label).get("serverCommandsPerEvent").asDouble();
  }

  @Test
  void redisIsDescribed() {
    assertThat(json.get("redis").get("mode").asText()).isEqualTo("external");
    assertThat(json.get("redis").get("version").asText()).matches("\\d+\\.\\d+.*");
    assertThat(json.get("redis").get("cluster").asBoolean()).isFalse();
  }

  @Test
  void everyOptionRanOnBothWorkloadsWithTheSameFixedCount() {
    for (String w : new String[] {"seed-day", "busy"}) {
      java.util.List<String> labels = new java.util.ArrayList<>();
      for (JsonNode r : json.get("results")) {
        if (r.get("workload").asText().equals(w)) {
          labels.add(r.get("label").asText());
          assertThat(r.get("events").asLong()).as(r.toString()).isEqualTo(200);
        }
      }
      assertThat(labels).as(w).containsExactlyElementsOf(LABELS);
    }
    assertThat(json.get("results")).hasSize(2 * LABELS.size());
  }

  @Test
  void everyRowNamesItsLayout() {
    for (JsonNode r : json.get("results")) {
      String label = r.get("label").asText();
      String expected =
          label.equals("noop") ? "none" : label.contains("compact") ? "compact" : "crs";
      assertThat(r.get("layout").asText()).as(label).isEqualTo(expected);
    }
  }

  @Test
  void luaSendsOneCommandPerEventAndNoopNone() {
    for (String w : new String[] {"seed-day", "busy"}) {
      Map<String, JsonNode> r = byLabel(w);
      // one EVALSHA per event, plus one SCRIPT LOAD per run
      assertThat(r.get("redis-lua").get("clientCommandsPerEvent").asDouble())
          .as(w)
          .isBetween(1.0, 1.02);
      assertThat(r.get("redis-lua").get("roundTripsPerEvent").asDouble())
          .as(w)
          .isBetween(1.0, 1.02);
      assertThat(r.get("redis-lua").get("scriptCommandsPerEvent").asDouble())
          .as(w)
          .isGreaterThan(140);
      assertThat(r.get("noop").get("clientCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("noop").get("serverCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("redis-pipeline").get("scriptCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("redis-pipeline").get("clientCommandsPerEvent").asDouble())
          .as(w)
          .isGreaterThan(140);
    }
  }

  @Test
  void bufferedBillsFewerCommandsThanThePipelineAndCompactFewerStill() {
    for (String w : new String[] {"seed-day", "busy"}) {
      Map<String, JsonNode> r = byLabel(w);
      assertThat(billed(r, "buffered (lua, 60s)")).as(w).isLessThan(billed(r, "redis-pipeline"));
      assertThat(billed(r, "buffered (compact, 60s)"))
          .as(w)
          .isLessThan(billed(r, "buffered (lua, 60s)"));
      assertThat(billed(r, "buffered (compact, 1s)"))
          .as(w)
          .isLessThan(billed(r, "buffered (lua, 1s)"));
    }
    // busy: 200 requests in 0.2 s of event time are one flush at 60 s: a few commands for all of
    // them
    assertThat(billed(byLabel("busy"), "buffered (compact, 60s)")).isLessThan(0.5);
  }

  @Test
  void frugalWritesBillFewerCommandsThanByteExactOnes() {
    for (String w : new String[] {"seed-day", "busy"}) {
      Map<String, JsonNode> r = byLabel(w);
      assertThat(billed(r, "redis-lua (frugal)")).as(w).isLessThan(billed(r, "redis-lua"));
      assertThat(billed(r, "buffered (lua, crs frugal, 60s)"))
          .as(w)
          .isLessThan(billed(r, "buffered (lua, 60s)"));
      assertThat(r.get("redis-lua (frugal)").get("settings").get("skipZero").asBoolean()).isTrue();
      assertThat(r.get("redis-lua (frugal)").get("settings").get("expireMemo").asText())
          .isEqualTo("60m");
    }
  }

  @Test
  void everyRowIncludingThePipelineIsCheckedAgainstTheExpectedState() {
    for (JsonNode r : json.get("results")) {
      boolean expected = !r.get("backend").asText().equals("noop");
      assertThat(r.get("stateMatchesPipeline").asBoolean()).as(r.toString()).isEqualTo(expected);
      assertThat(r.has("stateDifferences")).as(r.toString()).isFalse();
      if (expected) {
        assertThat(r.get("keys").asLong()).as(r.toString()).isPositive();
      }
    }
  }

  @Test
  void everyRowCarriesItsSustainedThroughput() {
    for (JsonNode r : json.get("results")) {
      assertThat(r.get("sustainedEventsPerSecond").asDouble()).as(r.toString()).isPositive();
    }
    // one figure per option: each workload's row of it shows the same
    Map<String, JsonNode> seed = byLabel("seed-day");
    byLabel("busy")
        .forEach(
            (label, r) ->
                assertThat(r.get("sustainedEventsPerSecond").asDouble())
                    .isEqualTo(seed.get(label).get("sustainedEventsPerSecond").asDouble()));
  }

  @Test
  void seedDayCarriesTheProjectionAndBusyDoesNot() {
    for (JsonNode r : json.get("results")) {
      boolean seed = r.get("workload").asText().equals("seed-day");
      assertThat(r.has("projectedPerDay")).isEqualTo(seed);
      if (seed) {
        double perDay = r.get("serverCommandsPerEvent").asDouble() * 3000;
        assertThat(r.get("projectedPerDay").get("billedCommands").asDouble())
            .isCloseTo(perDay, org.assertj.core.data.Offset.offset(3000 * 0.001 + 1));
        assertThat(r.get("projectedPerDay").get("usdPerMonth").asDouble())
            .isCloseTo(perDay * 30 * 0.20 / 100_000, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.get("projectedPerDay").get("fitsFreeTier").asBoolean())
            .as(r.toString())
            .isEqualTo(r.get("projectedPerDay").get("billedCommands").asDouble() * 30 <= 500_000);
      }
      assertThat(r.get("recordLatencyMicros").get("p50").asDouble()).isPositive();
      assertThat(r.get("recordLatencyMicros").get("max").asDouble())
          .isGreaterThanOrEqualTo(r.get("recordLatencyMicros").get("p99").asDouble());
      assertThat(r.get("eventsPerSecond").asDouble()).isPositive();
    }
  }

  @Test
  void stdoutIsOnlyJsonAndTheReportIsWritten() throws Exception {
    assertThat(run.out().strip()).startsWith("{").endsWith("}");
    assertThat(run.err()).contains("Report: " + dir.resolve("report.html").toAbsolutePath());
    Path report = dir.resolve("report.html");
    assertThat(report).exists();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    var doc = f.newDocumentBuilder().parse(report.toFile());
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "figure").getLength())
        .isEqualTo(4);
    assertThat(Files.readString(report))
        .contains(
            HtmlReport.num(json.get("results").get(0).get("serverCommandsPerEvent").asDouble()));
  }

  @Test
  void theDatabaseIsLeftEmpty() {
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void aTableIsPrintedWithoutJson() {
    Cli.Result r =
        Cli.run(
            "compare",
            "--redis",
            redis.authenticatedUri(),
            "--workload",
            "seed-day",
            "--events",
            "50",
            "--warmup-events",
            "0",
            "--backend",
            "redis-lua,noop",
            "--sustain",
            "0",
            "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("workload  backend")
        .contains("seed-day  redis-lua")
        .contains("seed-day  redis-lua (frugal)")
        .contains("seed-day  noop")
        .contains("Seed-day projection")
        .contains("fits free tier")
        .contains("sustained ev/s")
        .doesNotContain("Report:");
  }

  @Test
  void layoutAndFrugalFlagsChooseTheRows() throws Exception {
    Cli.Result r =
        Cli.run(
            "compare",
            "--redis",
            redis.authenticatedUri(),
            "--workload",
            "seed-day",
            "--events",
            "30",
            "--warmup-events",
            "0",
            "--backend",
            "redis-lua,buffered",
            "--layout",
            "compact",
            "--frugal",
            "off",
            "--flush-interval",
            "60s",
            "--sustain",
            "off",
            "--json",
            "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    java.util.List<String> labels = new java.util.ArrayList<>();
    doc.get("results").forEach(x -> labels.add(x.get("label").asText()));
    assertThat(labels).containsExactly("redis-lua", "buffered (compact, 60s)");
    doc.get("results")
        .forEach(x -> assertThat(x.get("sustainedEventsPerSecond").isNull()).isTrue());
    assertThat(Cli.run("compare", "--layout", "wide").err())
        .contains("'wide' is not a layout; use crs or compact");
  }

  @Test
  void aNonEmptyExternalDatabaseIsNotFlushed() {
    redis.command("SET", "precious", "1");
    try {
      Cli.Result r =
          Cli.run("compare", "--redis", redis.authenticatedUri(), "--events", "10", "--no-report");
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("holds 1 keys").contains("--allow-flush");
      assertThat(redis.command("GET", "precious")).isEqualTo("1");
    } finally {
      redis.flushAll();
    }
  }

  @Test
  void theEnableSwitchesOfTheEnvironmentApplyToEveryBackend() throws Exception {
    Cli.Result r =
        Cli.run(
            java.util.Map.of(
                "ENABLE_HOURLY_STATS",
                "false",
                "ENABLE_MINUTE_STATS",
                "false",
                "ENABLE_MODEL_STATS",
                "false",
                "ENABLE_DETAILED_CACHE_STATS",
                "false"),
            "",
            "compare",
            "--redis",
            redis.authenticatedUri(),
            "--workload",
            "seed-day",
            "--events",
            "50",
            "--warmup-events",
            "0",
            "--backend",
            "redis-pipeline,redis-lua",
            "--frugal",
            "off",
            "--sustain",
            "0",
            "--json",
            "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    assertThat(doc.get("scenario").get("statistics").asText())
        .startsWith("layout without hourly, minute");
    for (JsonNode result : doc.get("results")) {
      // the core set: totals, daily and monthly of key and account
      assertThat(result.get("serverCommandsPerEvent").asDouble())
          .as(result.toString())
          .isBetween(20.0, 40.0);
      assertThat(result.get("stateMatchesPipeline").asBoolean()).isTrue();
    }
  }

  @Test
  void withoutRedisOptionOrRedisUrlItStartsItsOwn() throws Exception {
    var local =
        io.usagesink.launcher.RedisFixture.builder()
            .source(io.usagesink.launcher.RedisServer.Source.LOCAL_PROCESS);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        local.unavailableReason().isEmpty(), "redis-server not on PATH");
    Cli.Result r =
        Cli.run(
            java.util.Map.of(),
            "",
            "compare",
            "--workload",
            "seed-day",
            "--events",
            "30",
            "--warmup-events",
            "0",
            "--backend",
            "redis-lua",
            "--sustain",
            "0",
            "--json",
            "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    assertThat(doc.get("redis").get("mode").asText()).isEqualTo("embedded");
    // no pipeline run, yet every row is checked: the expected state does not come from a backend
    assertThat(doc.get("results")).hasSize(2);
    doc.get("results").forEach(x -> assertThat(x.get("stateMatchesPipeline").asBoolean()).isTrue());
  }
}
