package io.usagesink.buffered.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link Journal}: its directory, the fsync policy and interval, and the size of a
 * segment file. Validated on construction ({@link IllegalArgumentException} naming the value).
 *
 * @param dir the journal directory; created if absent; one process at a time
 * @param fsync when appended records are forced to storage
 * @param fsyncInterval the interval of {@link FsyncPolicy#INTERVAL}; under every policy also how
 *     often the sync thread unmaps the windows appenders have left
 * @param segmentBytes the size of each segment file, {@value #MIN_SEGMENT_BYTES} to {@value
 *     #MAX_SEGMENT_BYTES}; also the largest record
 */
public record JournalConfig(Path dir, FsyncPolicy fsync, Duration fsyncInterval, int segmentBytes) {

  /** Default fsync interval: 500 ms (Vector's disk buffer flushes at the same rate). */
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(500);

  /** Default segment size: {@value} bytes (16 MiB). */
  public static final int DEFAULT_SEGMENT_BYTES = 16 << 20;

  /** Smallest segment: {@value} bytes. */
  public static final int MIN_SEGMENT_BYTES = 64 << 10;

  /** Largest segment: {@value} bytes. */
  public static final int MAX_SEGMENT_BYTES = 1 << 30;

  /** Validates every setting. */
  public JournalConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(fsyncInterval, "fsyncInterval");
    if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
      throw new IllegalArgumentException("fsyncInterval must be > 0 but was " + fsyncInterval);
    }
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          "segmentBytes must be between "
              + MIN_SEGMENT_BYTES
              + " and "
              + MAX_SEGMENT_BYTES
              + " but was "
              + segmentBytes);
    }
  }

  /** The defaults in {@code dir}: fsync every {@link #DEFAULT_FSYNC_INTERVAL}, 16 MiB segments. */
  public static JournalConfig of(Path dir) {
    return new JournalConfig(
        dir, FsyncPolicy.INTERVAL, DEFAULT_FSYNC_INTERVAL, DEFAULT_SEGMENT_BYTES);
  }

  /** This configuration with another fsync policy. */
  public JournalConfig withFsync(FsyncPolicy policy) {
    return new JournalConfig(dir, policy, fsyncInterval, segmentBytes);
  }

  /** This configuration with another segment size. */
  public JournalConfig withSegmentBytes(int bytes) {
    return new JournalConfig(dir, fsync, fsyncInterval, bytes);
  }
}
