package io.usagesink.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations like {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h} or {@code PT1S}. */
final class Durations {

  /** What {@link #parse(String)} accepts, for error messages. */
  static final String ALLOWED = "a duration like 500ms, 60s, 5m, 1h or PT1S";

  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the value and what is allowed
   */
  static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": return Duration.ofMillis(n);
        case "s": return Duration.ofSeconds(n);
        case "m": return Duration.ofMinutes(n);
        case "h": return Duration.ofHours(n);
        default: return Duration.ofDays(n);
      }
    }
    if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        return Duration.parse(text.trim());
      } catch (DateTimeParseException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not " + ALLOWED);
  }

  /** Parses a positive duration. */
  static Duration parsePositive(String text) {
    Duration d = parse(text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' must be a positive duration, " + ALLOWED);
    }
    return d;
  }

  /** A short form: {@code 250ms}, {@code 1s}, {@code 60s}, {@code 1.5s}, {@code 5m}. */
  static String format(Duration d) {
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
