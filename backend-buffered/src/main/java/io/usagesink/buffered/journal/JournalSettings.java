package io.usagesink.buffered.journal;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigValue;
import io.usagesink.ConfigurationException;
import io.usagesink.DurationText;
import io.usagesink.SinkConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads the journal settings of the buffered sink from a {@link SinkConfig}'s {@link
 * ConfigProperties} view (so the environment variables {@code USAGESINK_BUFFERED_JOURNAL_DIR} etc.
 * work too); their one home. Stateless and thread-safe.
 */
public final class JournalSettings {

  /** Directory of the journal; absent or blank: no journal. */
  public static final String DIR = "usagesink.buffered.journal-dir";

  /** {@code none}, {@code interval} (the default) or {@code always}. */
  public static final String FSYNC = "usagesink.buffered.journal-fsync";

  /**
   * The interval of {@code interval}, e.g. {@code 200ms}; default 500 ms. Under every policy also
   * how often the windows appenders have left are unmapped.
   */
  public static final String FSYNC_INTERVAL = "usagesink.buffered.journal-fsync-interval";

  private JournalSettings() {}

  /**
   * The journal configuration, or empty when {@value #DIR} is not set.
   *
   * @throws ConfigurationException naming the property and the value when one is invalid
   */
  public static Optional<JournalConfig> from(SinkConfig config) {
    ConfigProperties p = config.properties();
    Optional<ConfigValue> dir = p.find(DIR);
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    Path path = dir.get().parse(Path::of, "Must be a directory path.");
    FsyncPolicy fsync = p.getEnum(FSYNC, FsyncPolicy.class).orElse(FsyncPolicy.INTERVAL);
    String must = "Must be a positive duration like 200ms or 1s.";
    Duration interval =
        p.find(FSYNC_INTERVAL)
            .map(
                v -> {
                  Duration d = v.parse(DurationText::parse, must);
                  if (d.isNegative() || d.isZero()) {
                    throw v.invalid(must);
                  }
                  return d;
                })
            .orElse(JournalConfig.DEFAULT_FSYNC_INTERVAL);
    return Optional.of(
        new JournalConfig(path, fsync, interval, JournalConfig.DEFAULT_SEGMENT_BYTES));
  }
}
