package io.usagesink.buffered.journal;

import io.usagesink.UsageEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A child process for journal tests. {@code hold DIR}: opens the journal, prints {@code open} and
 * waits to be killed. {@code append DIR}: appends events with ids 0, 1, 2, ... and prints {@code
 * ack <id> <position>} after each append returns, until killed.
 */
public final class JournalChild {
  private JournalChild() {}

  /** Entry point; see the class documentation. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    JournalConfig config =
        JournalConfig.of(Path.of(args[1])).withFsync(FsyncPolicy.NONE).withSegmentBytes(256 << 10);
    Journal j = Journal.open(config);
    if (args[0].equals("hold")) {
      out.println("open");
      Thread.sleep(Long.MAX_VALUE);
    }
    Instant at = Instant.parse("2025-08-15T03:10:00Z");
    for (long i = 0; ; i++) {
      long pos =
          j.append(
              UsageEvent.builder()
                  .id(Long.toString(i))
                  .at(at.plusMillis(i))
                  .keyId("key-" + i % 7)
                  .model("claude-sonnet-4")
                  .inputTokens(i)
                  .outputTokens(1)
                  .build());
      out.println("ack " + i + " " + pos);
    }
  }
}
