package io.usagesink;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The generic property view a {@link UsageSinkProvider} reads its own settings from (after
 * OpenTelemetry's autoconfigure {@code ConfigProperties}): properties (system properties, or those
 * set with {@link SinkConfig.Builder#property}) win over environment variables; a property's
 * variable is its name in upper case with dots and dashes as underscores ({@code
 * usagesink.buffered.flush-interval}: {@code USAGESINK_BUFFERED_FLUSH_INTERVAL}). Values are
 * stripped; blank counts as not set.
 *
 * <p>One parser per type and one message style: every typed getter that meets a value it cannot
 * accept throws a {@link ConfigurationException} naming the property or variable as the user wrote
 * it, the value and what is allowed ({@link ConfigValue#invalid}). Durations are written as {@link
 * DurationText} says; booleans {@code true} or {@code false} in any case.
 *
 * <p>Immutable and thread-safe. {@link #toString()} lists names only, never values.
 *
 * @param properties the properties, by name
 * @param environment the environment variables, by name
 */
public record ConfigProperties(Map<String, String> properties, Map<String, String> environment) {

  /** What a duration must look like. */
  public static final String DURATION = "Must be a duration like 500ms or 60s.";

  /** What a positive duration must look like. */
  public static final String POSITIVE_DURATION = "Must be a positive duration like 500ms or 60s.";

  /** What a boolean must look like. */
  public static final String BOOLEAN = "Must be true or false.";

  private static final ConfigProperties EMPTY = new ConfigProperties(Map.of(), Map.of());

  /** Copies the maps (sorted, immutable); {@code null} keys or values are left out. */
  public ConfigProperties {
    properties = copy(properties);
    environment = copy(environment);
  }

  /** No property and no variable. */
  public static ConfigProperties empty() {
    return EMPTY;
  }

  /**
   * A view of {@code properties} (e.g. {@link System#getProperties()}; entries whose key or value
   * is not a string are ignored) and {@code environment} (e.g. {@link System#getenv()}).
   */
  public static ConfigProperties of(Map<?, ?> properties, Map<String, String> environment) {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(environment, "environment");
    Map<String, String> props = new TreeMap<>();
    properties.forEach(
        (k, v) -> {
          if (k instanceof String && v instanceof String) {
            props.put((String) k, (String) v);
          }
        });
    return new ConfigProperties(props, environment);
  }

  /** The environment variable of a property: upper case, dots and dashes as underscores. */
  public static String environmentName(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The setting {@code property}, else its environment variable ({@link #environmentName}). */
  public Optional<ConfigValue> find(String property) {
    return find(property, environmentName(property));
  }

  /** The property if set and not blank, else the environment variable {@code variable} if so. */
  public Optional<ConfigValue> find(String property, String variable) {
    Objects.requireNonNull(property, "property");
    Objects.requireNonNull(variable, "variable");
    String value = properties.get(property);
    if (value != null && !value.isBlank()) {
      return Optional.of(new ConfigValue(property, value.strip(), false));
    }
    value = environment.get(variable);
    if (value != null && !value.isBlank()) {
      return Optional.of(new ConfigValue(variable, value.strip(), true));
    }
    return Optional.empty();
  }

  /** A text setting. */
  public Optional<String> getString(String name) {
    return find(name).map(ConfigValue::value);
  }

  /** A boolean setting, {@code true} or {@code false} ignoring case ({@value #BOOLEAN}). */
  public Optional<Boolean> getBoolean(String name) {
    return get(name, ConfigProperties::parseBoolean, BOOLEAN);
  }

  /** A whole number that {@code valid} accepts; anything else fails with {@code must}. */
  public Optional<Integer> getInt(String name, IntPredicate valid, String must) {
    return get(
        name,
        v -> {
          int n = Integer.parseInt(v);
          if (!valid.test(n)) {
            throw new IllegalArgumentException("not allowed: " + n);
          }
          return n;
        },
        must);
  }

  /** A whole number that {@code valid} accepts; anything else fails with {@code must}. */
  public Optional<Long> getLong(String name, LongPredicate valid, String must) {
    return get(
        name,
        v -> {
          long n = Long.parseLong(v);
          if (!valid.test(n)) {
            throw new IllegalArgumentException("not allowed: " + n);
          }
          return n;
        },
        must);
  }

  /** A duration ({@link DurationText}); text that is none fails with {@value #DURATION}. */
  public Optional<Duration> getDuration(String name) {
    return get(name, DurationText::parse, DURATION);
  }

  /**
   * A duration that {@code valid} accepts: text that is no duration fails with {@value #DURATION},
   * a duration {@code valid} refuses with {@code must}.
   */
  public Optional<Duration> getDuration(String name, Predicate<Duration> valid, String must) {
    return find(name)
        .map(
            v -> {
              Duration d = v.parse(DurationText::parse, DURATION);
              if (!valid.test(d)) {
                throw v.invalid(must);
              }
              return d;
            });
  }

  /** A positive duration; zero or negative fails with {@value #POSITIVE_DURATION}. */
  public Optional<Duration> getPositiveDuration(String name) {
    return getDuration(name, d -> !d.isNegative() && !d.isZero(), POSITIVE_DURATION);
  }

  /**
   * A constant of {@code type} written as its name in lower case with dashes for underscores
   * ({@code LUA} is {@code lua}), ignoring case; anything else fails naming every constant: {@code
   * Must be lua or pipeline.}
   */
  public <E extends Enum<E>> Optional<E> getEnum(String name, Class<E> type) {
    List<E> constants = Arrays.asList(type.getEnumConstants());
    String must =
        "Must be "
            + alternatives(
                constants.stream().map(ConfigProperties::text).collect(Collectors.toList()))
            + ".";
    return get(
        name,
        v ->
            constants.stream()
                .filter(c -> text(c).equalsIgnoreCase(v))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no constant " + v)),
        must);
  }

  /** How {@link #getEnum} writes a constant: lower case, dashes for underscores. */
  public static String text(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * A setting parsed by {@code parser}; a parser that throws (see {@link ConfigValue#parse}) fails
   * with {@code must}, a sentence starting with "Must".
   */
  public <T> Optional<T> get(String name, Function<String, T> parser, String must) {
    return find(name).map(v -> v.parse(parser, must));
  }

  /** {@code true} or {@code false}, ignoring case and surrounding blanks. */
  public static boolean parseBoolean(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("true")) {
      return true;
    }
    if (t.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("not a boolean: " + text);
  }

  /**
   * Names only, never values: the {@code usagesink.*} properties and {@code USAGESINK_*} variables.
   */
  @Override
  public String toString() {
    return "ConfigProperties{properties="
        + namesWith(properties, "usagesink.")
        + ", environment="
        + namesWith(environment, "USAGESINK_")
        + "}";
  }

  /** The names in {@code map} that start with {@code prefix}, sorted. */
  static List<String> namesWith(Map<String, String> map, String prefix) {
    return map.keySet().stream()
        .filter(k -> k.startsWith(prefix))
        .collect(Collectors.toUnmodifiableList());
  }

  /** {@code a}, {@code a or b}, {@code a, b or c}. */
  private static String alternatives(List<String> names) {
    if (names.size() < 2) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1))
        + " or "
        + names.get(names.size() - 1);
  }

  private static Map<String, String> copy(Map<String, String> map) {
    Objects.requireNonNull(map);
    Map<String, String> m = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            m.put(k, v);
          }
        });
    return Collections.unmodifiableMap(m);
  }
}
