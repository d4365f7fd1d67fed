package io.usagesink;

import java.time.Duration;

/**
 * The one syntax of durations in settings ({@code usagesink.*}, {@code USAGESINK_*}) and in the
 * command line: {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d} (a whole number and a
 * unit, in any case: {@code 60S} too) or ISO-8601 such as {@code PT1S}. Stateless and thread-safe.
 */
public final class DurationText {
  private DurationText() {}

  /**
   * Parses {@code text} as the configuration does.
   *
   * @throws IllegalArgumentException when the text is not a duration or overflows
   */
  public static Duration parse(String text) {
    return ConfigReader.parseDuration(text);
  }
}
