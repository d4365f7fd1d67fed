package io.usagesink.bench.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.BufferedSink;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.CompletionStage;
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
 * The cost of {@link BufferedSink#record}: throughput ({@code -t 1}, {@code -t 2}) and sampled
 * latency (p50/p99 from {@link Mode#SampleTime}), with {@code distinct} accumulators in play. The
 * sink runs as in production (the reference layout, a 1 s flush interval on the wall clock, its
 * flush worker planning every batch) except that batches go to a writer that discards them, so
 * Redis does not limit the figure. {@code journal}: {@code off}, or the fsync policy of a journal
 * in a fresh directory under {@code -DjournalDir} (default: the temp directory), released after
 * every batch as in production.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> org.openjdk.jmh.Main RecordBenchmark -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class RecordBenchmark {

  /** Distinct (key, account, model, minute) combinations the events cycle through. */
  @Param({"1000", "100000"})
  public int distinct;

  /** {@code off} or the journal's fsync policy ({@code none}, {@code interval}, {@code always}). */
  @Param({"off", "interval"})
  public String journal;

  private Path dir;

  private static final int EVENTS = 1 << 18;
  private static final String[] MODELS = {
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "claude-opus-4-20250514",
    "claude-3-opus:latest"
  };

  private UsageEvent[] events;
  private BufferedSink sink;

  /** Builds the events and the sink. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Instant at = Instant.parse("2025-08-15T03:10:00Z");
    events = new UsageEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      int c = i % distinct; // combination c: key c/8, account c%2, model (c/2)%4
      events[i] =
          UsageEvent.builder()
              .at(at.plusMillis(i % 1000))
              .keyId("key-" + c / 8)
              .accountId("acct-" + c % 2)
              .model(MODELS[(c / 2) % 4])
              .inputTokens(1200 + i % 100)
              .outputTokens(350)
              .cacheReadTokens(i % 3 == 0 ? 5000 : 0)
              .build();
    }
    SinkConfig config =
        SinkConfig.builder()
            .flushInterval(Duration.ofSeconds(Long.getLong("flushSeconds", 1)))
            .shutdownHook(false)
            .maxPendingCounters(10_000_000)
            .build();
    BufferedSink.Builder b = BufferedSink.builder(config).writer(new DiscardWriter());
    if (!journal.equals("off")) {
      Path parent = Path.of(System.getProperty("journalDir", System.getProperty("java.io.tmpdir")));
      dir = Files.createTempDirectory(parent, "record-bench");
      b.journal(JournalConfig.of(dir).withFsync(FsyncPolicy.parse("journal", journal)));
    } else {
      b.journal(null);
    }
    sink = b.build();
  }

  /** Closes the sink. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    sink.close();
    if (dir != null) {
      sink.journalStats()
          .ifPresent(
              s ->
                  System.out.printf(
                      "%n[journal] appended=%d fsyncs=%d mean fsync=%.0f us"
                          + " segments=%d diskBytes=%d%n",
                      s.appended(),
                      s.fsyncs(),
                      s.fsyncs() == 0 ? 0.0 : s.fsyncNanos() / 1000.0 / s.fsyncs(),
                      s.segments(),
                      s.diskBytes()));
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Per-thread position in the event array. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    /** Starts each thread elsewhere in the array. */
    @Setup(Level.Trial)
    public void setUp() {
      next = (int) (Thread.currentThread().getId() * 7919) & (EVENTS - 1);
    }
  }

  /** One record() call. */
  @Benchmark
  public CompletionStage<Void> record(Cursor cursor) {
    int i = cursor.next;
    cursor.next = (i + 1) & (EVENTS - 1);
    return sink.record(events[i]);
  }
}
