package io.usagesink.buffered;

import io.usagesink.buffered.journal.Journal;
import java.nio.file.Path;

/**
 * What one journal recovery did (see {@link FlushWorker}'s recovery): the figures of the summary it
 * logs, kept so that tests can read them ({@link BufferedSink#lastRecovery()}) rather than parse a
 * log line. Package-private; not part of the API.
 *
 * @param from the released position the recovery started at
 * @param to the end of what earlier processes appended (the journal's recoverable end)
 * @param read events read (including those counted failed because a sum would overflow)
 * @param batches recovered batches handed to the writer (the in-flight one included)
 * @param stored events the recovery counted stored
 * @param failed events the recovery counted failed
 * @param deferred events the recovery left in the journal, counted deferred
 * @param millis how long the recovery took
 * @param pendingBatch the batch in flight when the earlier process stopped that was rewritten
 *     first, or {@code null} when there was none (or it ended at or before the released position)
 * @param pendingEvents the events read from {@code pendingBatch} (0 without one)
 * @param pendingBeforeReleased whether {@code pendingBatch} started before the released position
 *     (logged as a warning; recovered anyway)
 * @param inFlight what became of {@code pendingBatch}
 * @param complete {@code false} when the close deadline stopped the recovery: the rest stays
 *     journaled for the next sink
 * @param badRegions damaged regions (a torn tail, corrupted bytes) skipped
 * @param badBytes the bytes of those regions
 * @param firstBadPosition the position of the first of them, or -1
 */
record RecoverySummary(
    long from,
    long to,
    long read,
    int batches,
    long stored,
    long failed,
    long deferred,
    long millis,
    Journal.Range pendingBatch,
    long pendingEvents,
    boolean pendingBeforeReleased,
    InFlight inFlight,
    boolean complete,
    long badRegions,
    long badBytes,
    long firstBadPosition) {

  /**
   * @throws IllegalArgumentException when {@code inFlight} and {@code pendingBatch} disagree: there
   *     is an in-flight outcome exactly when there is a pending batch
   */
  RecoverySummary {
    if ((pendingBatch == null) != (inFlight == InFlight.NONE)) {
      throw new IllegalArgumentException(
          "inFlight " + inFlight + " does not match pendingBatch " + pendingBatch);
    }
  }

  /** What became of the batch that was in flight when the earlier process stopped. */
  enum InFlight {
    /** There was no such batch. */
    NONE(""),
    /** The close deadline passed before it was stored: it stays journaled. */
    NOT_STORED("is not stored yet"),
    /** Its guard was not set: it had not been applied and was stored now. */
    STORED_NOW("had not been applied: stored now"),
    /** Its guard was set: it had been applied, and was not counted twice. */
    ALREADY_APPLIED("had been applied: its guard kept it from counting twice");

    final String text;

    InFlight(String text) {
      this.text = text;
    }
  }

  /** Whether the summary is logged as a warning: something was lost or left for later. */
  boolean warning() {
    return badRegions > 0 || !complete;
  }

  /** The summary line logged for the sink {@code name} and the journal in {@code dir}. */
  String message(String name, Path dir) {
    return name
        + ": recovered journal "
        + dir
        + " (positions "
        + from
        + " to "
        + to
        + "): "
        + read
        + " events read in "
        + batches
        + " batches, "
        + stored
        + " stored, "
        + failed
        + " failed, "
        + deferred
        + " left in the journal, in "
        + millis
        + " ms"
        + (pendingBatch == null
            ? ""
            : "; the batch in flight at the stop (positions "
                + pendingBatch.from()
                + " to "
                + pendingBatch.to()
                + ", "
                + pendingEvents
                + " events) "
                + inFlight.text)
        + (complete
            ? ""
            : "; stopped at the close deadline, the rest stays journaled for the next sink")
        + (badRegions == 0
            ? ""
            : "; "
                + badRegions
                + " damaged regions ("
                + badBytes
                + " bytes, the first at position "
                + firstBadPosition
                + ": a record torn by a crash or corrupted on disk) were skipped: "
                + "whatever they held is lost");
  }
}
