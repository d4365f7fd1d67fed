package io.usagesink;

import java.time.DateTimeException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one syntax of durations in settings ({@code usagesink.*}, {@code USAGESINK_*}) and in the
 * command line: {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d} (a whole number and
 * a unit, in any case: {@code 60S} too) or ISO-8601 such as {@code PT1S}. Stateless and
 * thread-safe.
 */
public final class DurationText {
  private static final Pattern SIMPLE =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private DurationText() {}

  /**
   * Parses {@code text} (surrounding blanks ignored).
   *
   * @throws IllegalArgumentException when the text is not a duration or overflows
   */
  public static Duration parse(String text) {
    String t = text.strip();
    Matcher m = SIMPLE.matcher(t);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms":
            return Duration.ofMillis(n);
          case "s":
            return Duration.ofSeconds(n);
          case "m":
            return Duration.ofMinutes(n);
          case "h":
            return Duration.ofHours(n);
          default:
            return Duration.ofDays(n);
        }
      }
      if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P") || t.startsWith("-p")) {
        return Duration.parse(t);
      }
    } catch (ArithmeticException | DateTimeException e) {
      throw new IllegalArgumentException("not a duration: " + text, e);
    }
    throw new IllegalArgumentException("not a duration: " + text);
  }
}
