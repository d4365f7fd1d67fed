package io.usagesink;

import java.time.DateTimeException;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting as the user wrote it: the name it was found under (a property or an environment
 * variable) and its value, stripped of surrounding blanks. Its {@link #invalid} methods give the
 * one message style of every configuration error: {@code Invalid value for property
 * usagesink.buffered.flush-interval=abc. Must be a duration like 500ms or 60s.}
 *
 * @param name the property or environment variable the value was found under
 * @param value the value, never blank
 * @param environment whether {@code name} is an environment variable
 */
public record ConfigValue(String name, String value, boolean environment) {

  /** Checks the components. */
  public ConfigValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /**
   * Parses the value; a parser that throws {@link IllegalArgumentException} (a {@link
   * NumberFormatException} too), {@link DateTimeException} or {@link ArithmeticException} gives
   * {@link #invalid(String, Throwable)} with {@code must}.
   *
   * @param must what is allowed, a sentence starting with "Must", e.g. {@code Must be true or
   *     false.}
   */
  public <T> T parse(Function<String, T> parser, String must) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
      throw invalid(must, e);
    }
  }

  /** The error for this value: {@code Invalid value for property NAME=VALUE. MUST}. */
  public ConfigurationException invalid(String must) {
    return invalid(must, null);
  }

  /** As {@link #invalid(String)}, with the cause. */
  public ConfigurationException invalid(String must, Throwable cause) {
    return invalidShown(value, must, cause);
  }

  /**
   * As {@link #invalid(String, Throwable)}, showing {@code shownValue} instead of the value (a
   * secret masked).
   */
  public ConfigurationException invalidShown(String shownValue, String must, Throwable cause) {
    return new ConfigurationException(
        "Invalid value for " + describe(shownValue) + ". " + must, cause);
  }

  /** {@code property NAME=SHOWN} or {@code environment variable NAME=SHOWN}. */
  public String describe(String shownValue) {
    return (environment ? "environment variable " : "property ") + name + "=" + shownValue;
  }
}
