package io.usagesink.buffered.journal;

import io.usagesink.ConfigurationException;
import io.usagesink.DurationText;
import io.usagesink.SinkConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads the journal settings of the buffered sink from a {@link SinkConfig} through {@link
 * SinkConfig#property(String)} (so the environment variables {@code USAGESINK_BUFFERED_JOURNAL_DIR}
 * etc. work too). Stateless and thread-safe.
 */
public final class JournalSettings {

  /** Directory of the journal; absent or blank: no journal. */
  public static final String DIR = "usagesink.buffered.journal-dir";
  /** {@code none}, {@code interval} (the default) or {@code always}. */
  public static final String FSYNC = "usagesink.buffered.journal-fsync";
  /** The interval of {@code interval}, e.g. {@code 200ms}; default 500 ms. */
  public static final String FSYNC_INTERVAL = "usagesink.buffered.journal-fsync-interval";

  private JournalSettings() {}

  /**
   * The journal configuration, or empty when {@value #DIR} is not set.
   *
   * @throws ConfigurationException naming the property and the value when one is invalid
   */
  public static Optional<JournalConfig> from(SinkConfig config) {
    Optional<String> dir = config.property(DIR).filter(s -> !s.isBlank());
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(dir.get().trim());
    } catch (InvalidPathException e) {
      throw new ConfigurationException("Invalid value for property " + DIR + "=" + dir.get()
          + ". Must be a directory path.", e);
    }
    FsyncPolicy fsync;
    try {
      fsync = FsyncPolicy.parse(FSYNC, config.property(FSYNC).orElse("interval"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(e.getMessage(), e);
    }
    Duration interval = JournalConfig.DEFAULT_FSYNC_INTERVAL;
    Optional<String> text = config.property(FSYNC_INTERVAL);
    if (text.isPresent()) {
      try {
        interval = DurationText.parse(text.get());
      } catch (IllegalArgumentException e) {
        interval = null;
      }
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new ConfigurationException("Invalid value for property " + FSYNC_INTERVAL + "=" + text.get()
            + ". Must be a positive duration like 200ms or 1s.");
      }
    }
    return Optional.of(new JournalConfig(path, fsync, interval, JournalConfig.DEFAULT_SEGMENT_BYTES));
  }
}
