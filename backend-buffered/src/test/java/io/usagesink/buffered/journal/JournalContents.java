package io.usagesink.buffered.journal;

import io.usagesink.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a journal directory holds, for the journal's tests: every event a new journal on it reads
 * back, and the bases of its segment files.
 *
 * @param positions each event's position, in order
 * @param events the events, in order
 * @param report the reader's report
 */
record JournalContents(List<Long> positions, List<UsageEvent> events, ReadReport report) {

  /**
   * Opens a journal on {@code config} ({@code background}: with its threads), reads every event of
   * its earlier processes and closes it.
   */
  static JournalContents read(JournalConfig config, boolean background) {
    try (Journal j = Journal.open(config, background);
        JournalReader r = j.reader(0)) {
      List<Long> positions = new ArrayList<>();
      List<UsageEvent> events = new ArrayList<>();
      while (r.next()) {
        positions.add(r.position());
        events.add(r.event());
      }
      return new JournalContents(positions, events, r.report());
    }
  }

  /** The bases of the segment files in {@code dir}, ascending. */
  static List<Long> segmentBases(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(Segment.SUFFIX))
          .map(n -> Long.parseLong(n.substring(0, n.length() - Segment.SUFFIX.length())))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
