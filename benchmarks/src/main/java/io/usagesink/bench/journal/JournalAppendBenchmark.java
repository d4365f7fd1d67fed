package io.usagesink.bench.journal;

import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.Journal;
import io.usagesink.buffered.journal.JournalConfig;
import io.usagesink.buffered.journal.JournalStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link Journal#append}: throughput and sampled latency (p50/p99/p99.9 from {@link
 * Mode#SampleTime}) per fsync policy, with default 16 MiB segments in a fresh directory under
 * {@code -DjournalDir} (default: the temp directory; use the disk production would use). Each
 * iteration ends with a release of everything appended, so the disk use stays bounded as in a sink
 * that keeps flushing.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> org.openjdk.jmh.Main JournalAppendBenchmark -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class JournalAppendBenchmark {

  /** The fsync policy. */
  @Param({"interval", "none"})
  public String fsync;

  private static final int EVENTS = 1 << 16;
  private static final String[] MODELS = {
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "claude-opus-4-20250514",
    "claude-3-opus:latest"
  };

  private UsageEvent[] events;
  private Path dir;
  private Journal journal;
  private int next;

  /** Builds the events (realistic ids and names, about 90 bytes a record) and opens the journal. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Instant at = Instant.parse("2025-08-15T03:10:00Z");
    events = new UsageEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      events[i] =
          UsageEvent.builder()
              .id("req_01J" + Integer.toString(1_000_000 + i, 36))
              .at(at.plusMillis(i))
              .keyId("key-" + i % 100)
              .accountId("acct-" + i % 3)
              .model(MODELS[i % 4])
              .inputTokens(1200 + i % 100)
              .outputTokens(350)
              .cacheReadTokens(i % 3 == 0 ? 5000 : 0)
              .realCostMicros(4200)
              .ratedCostMicros(5000)
              .build();
    }
    Path parent = Path.of(System.getProperty("journalDir", System.getProperty("java.io.tmpdir")));
    dir = Files.createTempDirectory(parent, "journal-bench");
    journal = Journal.open(JournalConfig.of(dir).withFsync(FsyncPolicy.parse("fsync", fsync)));
  }

  /** Releases everything appended: segments are deleted as a flushing sink would. */
  @TearDown(Level.Iteration)
  public void release() {
    journal.release(journal.nextPosition());
  }

  /** Closes the journal, prints its figures and deletes the directory. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    JournalStats s = journal.stats();
    journal.close();
    System.out.printf(
        "%n[journal] appended=%d fsyncs=%d mean fsync=%.0f us segments=%d diskBytes=%d%n",
        s.appended(),
        s.fsyncs(),
        s.fsyncs() == 0 ? 0.0 : s.fsyncNanos() / 1000.0 / s.fsyncs(),
        s.segments(),
        s.diskBytes());
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One append from one thread. */
  @Benchmark
  public long append() {
    int i = next;
    next = (i + 1) & (EVENTS - 1);
    return journal.append(events[i]);
  }
}
