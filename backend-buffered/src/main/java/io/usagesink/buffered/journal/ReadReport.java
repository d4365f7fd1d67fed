package io.usagesink.buffered.journal;

/**
 * What a {@link JournalReader} found between {@code from} and where it stopped.
 *
 * <p>A <b>bad region</b> is a range of non-zero bytes that is not a valid record: a record torn by
 * a crash while it was written, or corrupted on disk. Reading skips it and resumes at the next
 * valid record, so only the bad bytes are lost. A <b>hole</b> is zeros followed by a valid record:
 * space reserved by an append that never completed (its caller never got a position back).
 *
 * @param from where reading started
 * @param to the position after the last record read (where the next read would start)
 * @param events events delivered
 * @param cancelled events skipped because a later cancel record cancels them
 * @param badRegions bad regions skipped
 * @param badBytes bytes in them
 * @param firstBadPosition the position of the first bad region, or -1
 * @param holes holes skipped
 */
public record ReadReport(
    long from,
    long to,
    long events,
    long cancelled,
    long badRegions,
    long badBytes,
    long firstBadPosition,
    long holes) {

  /** Whether nothing was skipped as bad. */
  public boolean clean() {
    return badRegions == 0;
  }
}
