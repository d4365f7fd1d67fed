package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.write.PlanWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test support for buffered sinks on one journal directory against in-memory writers: the zone and
 * start instant of these tests, their configuration and events, journals left as an earlier process
 * would ({@link #leave}), sinks built on a {@link ManualClock} at {@link #T0} and all closed by
 * {@link #close()}, and the reference state of events planned and applied one by one, as the
 * per-event backends do. One per test; not thread-safe.
 *
 * <p>A test class registers one on its {@code @TempDir}, and the sinks are closed after each test
 * (before JUnit deletes the directory):
 *
 * <pre>{@code
 * @RegisterExtension final JournaledSinks sinks;
 *
 * MyTest(@TempDir Path dir) {
 *   sinks = new JournaledSinks(dir);
 * }
 * }</pre>
 */
final class JournaledSinks implements AfterEachCallback, AutoCloseable {

  static final ZoneOffset PLUS_8 = ZoneOffset.ofHours(8);
  static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  private final Path dir;
  private final List<BufferedSink> sinks = new ArrayList<>();
  private final UsageLayout layout = UsageLayouts.crs(SinkConfig.builder().zone(PLUS_8).build());

  JournaledSinks(Path dir) {
    this.dir = dir;
  }

  /**
   * The configuration of these tests: {@link #PLUS_8}, no shutdown hook, {@code closeTimeout} and
   * an interval of an hour (batches are cut by flush and close only).
   */
  static SinkConfig.Builder config(Duration closeTimeout) {
    return SinkConfig.builder()
        .zone(PLUS_8)
        .shutdownHook(false)
        .closeTimeout(closeTimeout)
        .flushInterval(Duration.ofHours(1));
  }

  /** An event at {@link #T0} of key {@code k<key>}, account a1, with {@code in} input tokens. */
  static UsageEvent event(int key, long in) {
    return UsageEvent.builder()
        .at(T0)
        .keyId("k" + key)
        .accountId("a1")
        .model("claude-sonnet-4-20250514")
        .inputTokens(in)
        .outputTokens(1)
        .build();
  }

  /** What an earlier process left: its journal's id, the events' positions and its end. */
  record Left(String id, List<Long> positions, long end) {
    /** The guard id of the batch {@code [from, to)} of that journal. */
    String guard(long from, long to) {
      return id + ":" + from + "-" + to;
    }
  }

  /**
   * Journals {@code events} on the directory as an earlier process would; {@code then} is given the
   * journal and the events' positions after (to begin a batch, say).
   */
  Left leave(List<UsageEvent> events, BiConsumer<Journal, List<Long>> then) {
    try (Journal j = Journal.open(journal())) {
      List<Long> positions = new ArrayList<>();
      for (UsageEvent e : events) {
        positions.add(j.append(e));
      }
      then.accept(j, positions);
      return new Left(j.id(), positions, j.nextPosition());
    }
  }

  /** The plan of {@code events} merged into one (the CRS layout, planned one by one). */
  UsagePlan plan(List<UsageEvent> events) {
    UsagePlan.Builder b = UsagePlan.builder();
    for (UsageEvent e : events) {
      b.addAll(layout.plan(e));
    }
    return b.build();
  }

  /** The journal on the directory: no fsync, 64 KiB segments, so the tests roll segments. */
  JournalConfig journal() {
    return JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(64 << 10);
  }

  /** A sink with {@code writer} and the {@link #journal()}, closed with the others. */
  BufferedSink open(PlanWriter writer, SinkConfig.Builder config) {
    return add(
        BufferedSink.builder(config.build())
            .writer(writer)
            .clock(new ManualClock(T0))
            .journal(journal())
            .build());
  }

  /** Closes {@code sink} with the others; returns it. */
  BufferedSink add(BufferedSink sink) {
    sinks.add(sink);
    return sink;
  }

  /** The state of planning and applying every event on its own. */
  InMemoryRedis reference(List<UsageEvent> events) {
    InMemoryRedis r = new InMemoryRedis();
    for (UsageEvent e : events) {
      r.apply(layout.plan(e), null);
    }
    return r;
  }

  /** Closes every sink built or added (a closed sink's close returns at once). */
  @Override
  public void close() {
    sinks.forEach(BufferedSink::close);
  }

  /** {@link #close()} after each test of the class that registers this. */
  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
