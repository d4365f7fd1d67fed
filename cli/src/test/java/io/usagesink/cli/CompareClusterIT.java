package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.usagesink.cli.report.Json;
import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisFixture;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("compare and dump against a 3-master Redis Cluster")
class CompareClusterIT {

  @TempDir Path dir;

  @Test
  void everyBackendLeavesThePipelinesStateOnACluster() throws Exception {
    var builder = RedisFixture.builder();
    Assumptions.assumeTrue(
        builder.clusterUnavailableReason().isEmpty(),
        () -> "no cluster: " + builder.clusterUnavailableReason().orElse(""));
    try (RedisClusterHandle cluster = builder.startCluster()) {
      Cli.Result r =
          Cli.run(
              "compare",
              "--redis",
              cluster.seedUri(),
              "--workload",
              "seed-day",
              "--events",
              "100",
              "--warmup-events",
              "50",
              "--sustain",
              "200ms",
              "--json",
              "--no-report");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      JsonNode json = Json.MAPPER.readTree(r.out());
      assertThat(json.get("redis").get("cluster").asBoolean()).isTrue();
      Set<String> backends = new HashSet<>();
      Set<String> labels = new HashSet<>();
      for (JsonNode result : json.get("results")) {
        String backend = result.get("backend").asText();
        backends.add(backend);
        labels.add(result.get("label").asText());
        assertThat(result.get("sustainedEventsPerSecond").asDouble())
            .as(result.toString())
            .isPositive();
        assertThat(result.get("stateMatchesPipeline").asBoolean())
            .as(result.toString())
            .isEqualTo(!backend.equals("noop"));
        if (result.get("label").asText().equals("redis-lua")) {
          // one EVALSHA per slot group: the keys of one request spread over the three masters
          assertThat(result.get("clientCommandsPerEvent").asDouble()).isGreaterThan(1.0);
          assertThat(result.get("scriptCommandsPerEvent").asDouble()).isGreaterThan(140);
        }
      }
      assertThat(backends).contains("redis-pipeline", "redis-lua", "buffered", "noop");
      // every row, compact (its CRS view) and frugal ones included, is checked against the expected
      // state
      assertThat(labels)
          .contains(
              "buffered (compact, 1s)",
              "buffered (compact, 60s)",
              "redis-lua (frugal)",
              "buffered (lua, crs frugal, 60s)");
      assertThat(cluster.dbSize()).isZero();

      Path events = Fixture.write(dir.resolve("e.jsonl"), Fixture.seedDay(20));
      Cli.Result replay =
          Cli.run(
              "replay",
              "--backend",
              "redis-pipeline",
              "--redis",
              cluster.seedUri(),
              "--input",
              events.toString());
      assertThat(replay.exitCode()).as(replay.toString()).isZero();
      Cli.Result dump = Cli.run("dump", "--redis", cluster.seedUri());
      assertThat(dump.exitCode()).as(dump.toString()).isZero();
      assertThat((long) Json.MAPPER.readTree(dump.out()).size()).isEqualTo(cluster.dbSize());
    }
  }
}
