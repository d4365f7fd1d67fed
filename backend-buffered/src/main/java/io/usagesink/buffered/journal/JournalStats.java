package io.usagesink.buffered.journal;

/**
 * A snapshot of a journal's figures.
 *
 * @param segments segment files in the directory (including one prepared in advance)
 * @param diskBytes bytes of those files (each is allocated in full when created)
 * @param appended records appended by this process
 * @param appendFailures appends that failed (the record is not in the journal)
 * @param fsyncs forces to storage done (records under {@code always}, passes under {@code
 *     interval})
 * @param fsyncNanos time spent in them
 * @param released the position before which everything is stored (persisted)
 * @param nextPosition a lower bound of the position of the next record
 */
public record JournalStats(
    long segments,
    long diskBytes,
    long appended,
    long appendFailures,
    long fsyncs,
    long fsyncNanos,
    long released,
    long nextPosition) {}
