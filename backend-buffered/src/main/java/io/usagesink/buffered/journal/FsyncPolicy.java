package io.usagesink.buffered.journal;

import java.util.Locale;

/** When the journal forces what it appended to storage; every policy survives a process crash. */
public enum FsyncPolicy {
  /** Never: survives a crash of the process (the page cache keeps the data), not a power loss. */
  NONE,
  /** Every {@link JournalConfig#fsyncInterval()}: a power loss loses at most about one interval. */
  INTERVAL,
  /**
   * Before {@code append} returns: a power loss loses nothing appended; costs a disk flush each.
   */
  ALWAYS;

  /**
   * Parses {@code none}, {@code interval} or {@code always} (any case).
   *
   * @throws IllegalArgumentException naming {@code property} and the value otherwise
   */
  public static FsyncPolicy parse(String property, String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "none":
        return NONE;
      case "interval":
        return INTERVAL;
      case "always":
        return ALWAYS;
      default:
        throw new IllegalArgumentException(
            "Invalid value for property "
                + property
                + "="
                + value
                + ". Must be none, interval or always.");
    }
  }
}
