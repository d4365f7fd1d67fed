package io.usagesink.cli;

import io.usagesink.UsageEvent;
import io.usagesink.cli.compare.RedisState;
import io.usagesink.cli.events.EventLines;
import io.usagesink.cli.events.Workloads;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.StoredKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Test helpers shared by the integration tests: a fixture Redis and event files. */
final class Fixture {
  private Fixture() {}

  /**
   * A real Redis from the testkit fixture (USAGESINK_TEST_REDIS_URL, a container, or a local
   * redis-server).
   */
  static RedisServer redis() {
    return RedisFixture.start();
  }

  /** Writes the events as JSON lines. */
  static Path write(Path file, List<UsageEvent> events) throws IOException {
    Files.writeString(
        file, events.stream().map(EventLines::format).collect(Collectors.joining("\n", "", "\n")));
    return file;
  }

  /** The first {@code n} events of seed-day (both ids, the realistic token mix). */
  static List<UsageEvent> seedDay(int n) {
    List<UsageEvent> list = new java.util.ArrayList<>();
    Iterator<UsageEvent> it = Workloads.seedDay(n).iterator();
    it.forEachRemaining(list::add);
    return list;
  }

  /** {@code keys} (the test kit's model, e.g. the plan interpreter's state) as the CLI's state. */
  static RedisState state(Map<String, StoredKey> keys) {
    Map<String, io.usagesink.redis.read.StoredKey> out = new TreeMap<>();
    keys.forEach(
        (k, v) ->
            out.put(
                k,
                new io.usagesink.redis.read.StoredKey(
                    v.type(), v.fields(), v.members(), v.value(), v.ttl())));
    return new RedisState(out);
  }
}
