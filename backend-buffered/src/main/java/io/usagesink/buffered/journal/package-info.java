/**
 * The buffered backend's crash-safe local journal: {@link io.usagesink.buffered.journal.Journal} (a
 * segmented, memory-mapped, checksummed log of usage events), its reader and settings. Not API: it
 * may change without notice; configure the journal through the buffered sink's properties ({@code
 * usagesink.buffered.journal-dir}, {@code usagesink.buffered.journal-fsync}).
 */
package io.usagesink.buffered.journal;
