package io.usagesink.cli;

import io.usagesink.UsageEvent;
import io.usagesink.cli.events.EventLines;
import io.usagesink.cli.events.Workloads;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/** Test helpers shared by the integration tests: a fixture Redis and event files. */
final class Fixture {
  private Fixture() {}

  /** A real Redis from the testkit fixture (USAGESINK_TEST_REDIS_URL, a container, or a local redis-server). */
  static RedisServer redis() {
    return RedisFixture.start();
  }

  /** Writes the events as JSON lines. */
  static Path write(Path file, List<UsageEvent> events) throws IOException {
    Files.writeString(file, events.stream().map(EventLines::format).collect(Collectors.joining("\n", "", "\n")));
    return file;
  }

  /** The first {@code n} events of seed-day (both ids, the realistic token mix). */
  static List<UsageEvent> seedDay(int n) {
    List<UsageEvent> list = new java.util.ArrayList<>();
    Iterator<UsageEvent> it = Workloads.seedDay(n).iterator();
    it.forEachRemaining(list::add);
    return list;
  }
}
