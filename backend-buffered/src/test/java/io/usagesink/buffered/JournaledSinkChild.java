package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.journal.FsyncPolicy;
import io.usagesink.buffered.journal.JournalConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A child process for the kill tests: {@code DIR REDIS_URI SEED COUNT}: records the seeded workload
 * {@link JournalKillIT#events} through a buffered sink journaling to DIR (fsync none, 20 ms flush
 * interval, so batches are often in flight), prints {@code ack <i>} after each record() returns,
 * and waits to be killed. An optional fifth argument paces recording: a 1 ms pause every that many
 * events (0: none); an optional sixth names the layout ({@code crs}, the default, or {@code
 * compact}).
 */
public final class JournaledSinkChild {
  private JournaledSinkChild() {}

  /** Entry point; see the class documentation. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    Path dir = Path.of(args[0]);
    String layout = args.length > 5 ? args[5] : "crs";
    SinkConfig config =
        JournalKillIT.config(args[1], layout).flushInterval(Duration.ofMillis(20)).build();
    List<UsageEvent> events =
        JournalKillIT.events(Long.parseLong(args[2]), Integer.parseInt(args[3]));
    BufferedSink sink =
        BufferedSink.builder(config)
            .journal(JournalConfig.of(dir).withFsync(FsyncPolicy.NONE).withSegmentBytes(256 << 10))
            .build();
    out.println("open");
    int pace = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    for (int i = 0; i < events.size(); i++) {
      if (pace > 0 && i % pace == 0) {
        Thread.sleep(1);
      }
      sink.record(events.get(i)).toCompletableFuture().join();
      out.println("ack " + i);
    }
    out.println("done");
    Thread.sleep(Long.MAX_VALUE);
  }
}
