package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.usagesink.launcher.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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

  @TempDir
  static Path dir;

  @BeforeAll
  static void compare() throws Exception {
    redis = Fixture.redis();
    redis.flushAll();
    run = Cli.run("compare", "--redis", redis.authenticatedUri(), "--events", "200", "--busy-seconds", "1",
        "--warmup-events", "100", "--json", "--report", dir.resolve("report.html").toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    json = Json.MAPPER.readTree(run.out());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static Map<String, JsonNode> byBackend(String workload, boolean longestFlushInterval) {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode r : json.get("results")) {
      if (r.get("workload").asText().equals(workload)) {
        String name = r.get("backend").asText();
        if (name.equals("buffered") && m.containsKey(name) && !longestFlushInterval) {
          continue;
        }
        m.put(name, r);
      }
    }
    return m;
  }

  @Test
  void redisIsDescribed() {
    assertThat(json.get("redis").get("mode").asText()).isEqualTo("external");
    assertThat(json.get("redis").get("version").asText()).matches("\\d+\\.\\d+.*");
    assertThat(json.get("redis").get("cluster").asBoolean()).isFalse();
  }

  @Test
  void everyBackendRanOnBothWorkloads() {
    Set<String> seen = new HashSet<>();
    for (JsonNode r : json.get("results")) {
      seen.add(r.get("workload").asText() + "/" + r.get("backend").asText());
    }
    assertThat(seen).containsExactlyInAnyOrder(
        "seed-day/redis-pipeline", "seed-day/redis-lua", "seed-day/buffered", "seed-day/noop",
        "busy/redis-pipeline", "busy/redis-lua", "busy/buffered", "busy/noop");
    // buffered runs once per flush interval (1s and 60s by default)
    assertThat(json.get("results")).hasSize(10);
    for (JsonNode r : json.get("results")) {
      if (r.get("workload").asText().equals("seed-day")) {
        assertThat(r.get("events").asLong()).isEqualTo(200);
      }
    }
  }

  @Test
  void luaSendsOneCommandPerEventAndNoopNone() {
    for (String w : new String[] {"seed-day", "busy"}) {
      Map<String, JsonNode> r = byBackend(w, false);
      // one EVALSHA per event, plus one SCRIPT LOAD per run
      assertThat(r.get("redis-lua").get("clientCommandsPerEvent").asDouble()).as(w).isBetween(1.0, 1.02);
      assertThat(r.get("redis-lua").get("roundTripsPerEvent").asDouble()).as(w).isBetween(1.0, 1.02);
      assertThat(r.get("redis-lua").get("scriptCommandsPerEvent").asDouble()).as(w).isGreaterThan(140);
      assertThat(r.get("noop").get("clientCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("noop").get("serverCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("redis-pipeline").get("scriptCommandsPerEvent").asDouble()).as(w).isZero();
      assertThat(r.get("redis-pipeline").get("clientCommandsPerEvent").asDouble()).as(w).isGreaterThan(140);
    }
  }

  @Test
  void bufferedBillsFewerCommandsThanThePipeline() {
    for (String w : new String[] {"seed-day", "busy"}) {
      Map<String, JsonNode> r = byBackend(w, true);
      assertThat(r.get("buffered").get("serverCommandsPerEvent").asDouble()).as(w)
          .isLessThan(r.get("redis-pipeline").get("serverCommandsPerEvent").asDouble());
    }
  }

  @Test
  void everyRedisBackendLeavesThePipelinesState() {
    for (JsonNode r : json.get("results")) {
      String backend = r.get("backend").asText();
      boolean expected = !backend.equals("noop");
      assertThat(r.get("stateMatchesPipeline").asBoolean()).as(r.toString()).isEqualTo(expected);
    }
  }

  @Test
  void seedDayCarriesTheProjectionAndBusyDoesNot() {
    for (JsonNode r : json.get("results")) {
      boolean seed = r.get("workload").asText().equals("seed-day");
      assertThat(r.has("projectedPerDay")).isEqualTo(seed);
      if (seed) {
        double perDay = r.get("serverCommandsPerEvent").asDouble() * 3000;
        assertThat(r.get("projectedPerDay").get("billedCommands").asDouble()).isCloseTo(perDay,
            org.assertj.core.data.Offset.offset(3000 * 0.001 + 1));
        assertThat(r.get("projectedPerDay").get("usdPerMonth").asDouble())
            .isCloseTo(perDay * 30 * 0.20 / 100_000, org.assertj.core.data.Offset.offset(0.01));
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
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "figure").getLength()).isEqualTo(4);
    assertThat(Files.readString(report)).contains(HtmlReport.num(
        json.get("results").get(0).get("serverCommandsPerEvent").asDouble()));
  }

  @Test
  void theDatabaseIsLeftEmpty() {
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void aTableIsPrintedWithoutJson() {
    Cli.Result r = Cli.run("compare", "--redis", redis.authenticatedUri(), "--workload", "seed-day", "--events", "50",
        "--warmup-events", "0", "--backend", "redis-lua,noop", "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("workload  backend").contains("seed-day  redis-lua")
        .contains("seed-day  noop").contains("Seed-day projection").doesNotContain("Report:");
  }

  @Test
  void aNonEmptyExternalDatabaseIsNotFlushed() {
    redis.command("SET", "precious", "1");
    try {
      Cli.Result r = Cli.run("compare", "--redis", redis.authenticatedUri(), "--events", "10", "--no-report");
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("holds 1 keys").contains("--allow-flush");
      assertThat(redis.command("GET", "precious")).isEqualTo("1");
    } finally {
      redis.flushAll();
    }
  }

  @Test
  void theEnableSwitchesOfTheEnvironmentApplyToEveryBackend() throws Exception {
    Cli.Result r = Cli.run(java.util.Map.of("ENABLE_HOURLY_STATS", "false", "ENABLE_MINUTE_STATS", "false",
        "ENABLE_MODEL_STATS", "false", "ENABLE_DETAILED_CACHE_STATS", "false"), "",
        "compare", "--redis", redis.authenticatedUri(), "--workload", "seed-day", "--events", "50",
        "--warmup-events", "0", "--backend", "redis-pipeline,redis-lua", "--json", "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    assertThat(doc.get("scenario").get("statistics").asText()).startsWith("layout without hourly, minute");
    for (JsonNode result : doc.get("results")) {
      // the core set: totals, daily and monthly of key and account
      assertThat(result.get("serverCommandsPerEvent").asDouble()).as(result.toString()).isBetween(20.0, 40.0);
      assertThat(result.get("stateMatchesPipeline").asBoolean()).isTrue();
    }
  }

  @Test
  void withoutRedisOptionOrRedisUrlItStartsItsOwn() throws Exception {
    var local = io.usagesink.launcher.RedisFixture.builder()
        .source(io.usagesink.launcher.RedisServer.Source.LOCAL_PROCESS);
    org.junit.jupiter.api.Assumptions.assumeTrue(local.unavailableReason().isEmpty(), "redis-server not on PATH");
    Cli.Result r = Cli.run(java.util.Map.of(), "", "compare", "--workload", "seed-day", "--events", "30",
        "--warmup-events", "0", "--backend", "redis-lua", "--json", "--no-report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    assertThat(doc.get("redis").get("mode").asText()).isEqualTo("embedded");
    assertThat(doc.get("results").get(0).get("stateMatchesPipeline").isNull()).isTrue();
  }
}
