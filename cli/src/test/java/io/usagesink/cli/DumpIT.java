package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.usagesink.UsageEvent;
import io.usagesink.cli.report.Json;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.golden.CrsCall;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.redis.StoredKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dump against a real Redis")
class DumpIT {

  private static RedisServer redis;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    redis = Fixture.redis();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() {
    redis.flushAll();
  }

  @Test
  void emptyDatabaseIsAnEmptyObject() throws Exception {
    Cli.Result r = Cli.run("dump", "--redis", redis.authenticatedUri());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(Json.MAPPER.readTree(r.out()).size()).isZero();
  }

  @Test
  void statisticsAreDumpedSortedWithTypeFieldsAndTtlButNoBookkeepingKeys() throws Exception {
    redis.command("HSET", "usage:k1", "totalRequests", "2", "totalInputTokens", "10");
    redis.command("HSET", "usage:daily:k1:2025-08-15", "requests", "2");
    redis.command("EXPIRE", "usage:daily:k1:2025-08-15", "2764800");
    redis.command("SADD", "usage:daily:index:2025-08-15", "k2", "k1");
    redis.command("EXPIRE", "usage:daily:index:2025-08-15", "600");
    redis.command("SET", "usagesink:guard:{x}:batch-1", "1");
    Cli.Result r = Cli.run("dump", "--redis", redis.authenticatedUri());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode root = Json.MAPPER.readTree(r.out());
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly("usage:daily:index:2025-08-15", "usage:daily:k1:2025-08-15", "usage:k1");
    JsonNode totals = root.get("usage:k1");
    assertThat(totals.get("type").asText()).isEqualTo("hash");
    assertThat(totals.get("ttl").asLong()).isEqualTo(-1);
    List<String> fields = new ArrayList<>();
    totals.get("fields").fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("totalInputTokens", "totalRequests");
    assertThat(totals.get("fields").get("totalRequests").asText()).isEqualTo("2");
    assertThat(root.get("usage:daily:k1:2025-08-15").get("ttl").asLong())
        .isBetween(2764790L, 2764800L);
    JsonNode index = root.get("usage:daily:index:2025-08-15");
    assertThat(index.get("type").asText()).isEqualTo("set");
    assertThat(index.get("members").toString()).isEqualTo("[\"k1\",\"k2\"]");
    assertThat(index.has("fields")).isFalse();
  }

  @Test
  void replayOfTheGoldenRequestDumpsTheGoldenState() throws Exception {
    GoldenFile golden = GoldenFile.loadOrSkip();
    GoldenCase c = golden.caseNamed("request-token-plus-account");
    List<UsageEvent> events = new ArrayList<>();
    for (CrsCall call : c.events()) {
      events.add(CrsCallAdapter.toEvent(call));
    }
    Path file = Fixture.write(dir.resolve("golden.jsonl"), events);
    Cli.Result replay =
        Cli.run(
            "replay",
            "--backend",
            "redis-pipeline",
            "--redis",
            redis.authenticatedUri(),
            "--input",
            file.toString(),
            "--zone",
            golden.config().zone().getId());
    assertThat(replay.exitCode()).as(replay.toString()).isZero();

    Cli.Result r = Cli.run("dump", "--redis", redis.authenticatedUri());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode root = Json.MAPPER.readTree(r.out());
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyElementsOf(c.state().keySet());
    for (Map.Entry<String, StoredKey> e : c.state().entrySet()) {
      JsonNode got = root.get(e.getKey());
      StoredKey want = e.getValue();
      assertThat(got.get("type").asText()).as(e.getKey()).isEqualTo(want.type());
      if (want.type().equals(StoredKey.HASH)) {
        Map<String, String> fields = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = got.get("fields").properties().iterator();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          fields.put(f.getKey(), f.getValue().asText());
        }
        assertThat(fields).as(e.getKey()).isEqualTo(want.fields());
      }
      if (want.ttl() < 0) {
        assertThat(got.get("ttl").asLong()).as(e.getKey()).isEqualTo(want.ttl());
      } else {
        assertThat(got.get("ttl").asLong())
            .as(e.getKey())
            .isBetween(want.ttl() - 30, want.ttl()); // 30 s: a loaded machine
      }
    }
  }

  @Test
  void aWrongPasswordExitsOneWithoutShowingIt() {
    try (RedisServer guarded =
        io.usagesink.launcher.RedisFixture.builder().requirePass("right-pw-1").start()) {
      Cli.Result r =
          Cli.run(
              "dump",
              "--redis",
              "redis://default:not-the-pw-42@" + guarded.host() + ":" + guarded.port());
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).startsWith("usagesink dump: ").contains("redis://default:***@");
      assertThat(r.out() + r.err()).doesNotContain("not-the-pw-42").doesNotContain("right-pw-1");
    }
  }
}
