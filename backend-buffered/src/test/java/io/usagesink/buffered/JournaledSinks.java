package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.write.PlanWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support for buffered sinks on one journal directory against in-memory writers: the zone and
 * start instant of these tests, sinks built on a {@link ManualClock} at {@link #T0} and all closed
 * by {@link #close()}, and the reference state of events planned and applied one by one, as the
 * per-event backends do. One per test; not thread-safe.
 */
final class JournaledSinks implements AutoCloseable {

  static final ZoneOffset PLUS_8 = ZoneOffset.ofHours(8);
  static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  private final Path dir;
  private final List<BufferedSink> sinks = new ArrayList<>();
  private final UsageLayout layout = UsageLayouts.crs(SinkConfig.builder().zone(PLUS_8).build());

  JournaledSinks(Path dir) {
    this.dir = dir;
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
}
