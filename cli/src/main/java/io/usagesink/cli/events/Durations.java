package io.usagesink.cli.events;

import io.usagesink.DurationText;
import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations with the library's own rules ({@link DurationText}: {@code 500ms}, {@code 60s},
 * {@code 5m}, {@code 1h}, {@code 1d}, {@code PT1S}), so an option accepts exactly what the matching
 * setting accepts, and prints them short. Stateless and thread-safe.
 */
public final class Durations {

  /** What {@link #parse(String)} accepts, for error messages. */
  static final String ALLOWED = "a duration like 500ms, 60s, 5m, 1h or PT1S";

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the value and what is allowed
   */
  public static Duration parse(String text) {
    try {
      return DurationText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not " + ALLOWED, e);
    }
  }

  /**
   * Parses a positive duration; {@code -1s}, {@code 0s} and {@code -PT1S} are refused as not
   * positive.
   */
  public static Duration parsePositive(String text) {
    String t = text.strip();
    Duration d;
    if (t.startsWith("-") && parses(t.substring(1))) {
      d = Duration.ofSeconds(-1); // "-1s": a negative duration in the short form, which has no sign
    } else {
      d = parse(text);
    }
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' must be a positive duration, " + ALLOWED);
    }
    return d;
  }

  private static boolean parses(String text) {
    try {
      DurationText.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A short form: {@code 250ms}, {@code 1s}, {@code 60s}, {@code 1.5s}, {@code 5m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms % 60_000 == 0 && ms >= 120_000) {
      return (ms / 60_000) + "m";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return String.format(Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("0+s$", "s");
  }
}
