package io.usagesink;

import io.usagesink.layout.StatsPolicy;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link SinkConfig} from properties and environment variables; a property wins. The names
 * are listed at {@link SinkConfig#from(Map, Map)}. Every failure is a {@link ConfigurationException}
 * whose message names the setting as the user wrote it (property or environment variable), the value
 * (a Redis URI masked) and what is allowed:
 * {@code Invalid value for property usagesink.buffered.flush-interval=abc. Must be a duration like
 * 500ms or 60s.}
 */
final class ConfigReader {

  static final String BACKEND = "usagesink.backend";
  static final String REDIS_URI = "usagesink.redis.uri";
  static final String REDIS_URI_ENV = "REDIS_URL";
  static final String REDIS_CLUSTER = "usagesink.redis.cluster";
  static final String ZONE = "usagesink.zone";
  static final String METRICS_WINDOW = "usagesink.metrics-window";
  static final String KEY_PREFIX = "usagesink.key-prefix";
  static final String CLOSE_TIMEOUT = "usagesink.close-timeout";
  static final String COMMAND_TIMEOUT = "usagesink.command-timeout";
  static final String GUARD_TTL = "usagesink.guard-ttl";
  static final String FLUSH_INTERVAL = "usagesink.buffered.flush-interval";
  static final String MAX_PENDING_COUNTERS = "usagesink.buffered.max-pending-counters";
  static final String BUFFERED_WRITER = "usagesink.buffered.writer";
  static final String SHUTDOWN_HOOK = "usagesink.shutdown-hook";
  /** The buffered backend's older name of {@link #SHUTDOWN_HOOK}, still honoured when that one is not set. */
  static final String BUFFERED_SHUTDOWN_HOOK = "usagesink.buffered.shutdown-hook";


  private static final String PROPERTY_PREFIX = "usagesink.";
  private static final String ENV_PREFIX = "USAGESINK_";

  static final String DURATION = "Must be a duration like 500ms or 60s.";
  static final String POSITIVE_DURATION = "Must be a positive duration like 500ms or 60s.";
  static final String BOOLEAN = "Must be true or false.";

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private final Map<String, String> properties;
  private final Map<String, String> environment;

  private ConfigReader(Map<String, String> properties, Map<String, String> environment) {
    this.properties = properties;
    this.environment = environment;
  }

  /**
   * Reads the configuration.
   *
   * @param properties e.g. the system properties; non-string keys and values are ignored
   * @param environment e.g. {@link System#getenv()}
   * @throws ConfigurationException for the first invalid setting, in the order of the table at
   *     {@link SinkConfig#from(Map, Map)}
   */
  static SinkConfig read(Map<?, ?> properties, Map<String, String> environment) {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(environment, "environment");
    Map<String, String> props = new TreeMap<>();
    properties.forEach((k, v) -> {
      if (k instanceof String && v instanceof String) {
        props.put((String) k, (String) v);
      }
    });
    Map<String, String> env = new TreeMap<>();
    environment.forEach((k, v) -> {
      if (k != null && v != null) {
        env.put(k, v);
      }
    });
    return new ConfigReader(props, env).read();
  }

  private SinkConfig read() {
    SinkConfig.Builder b = SinkConfig.builder();
    Map<String, String> keptProperties = new TreeMap<>();
    properties.forEach((k, v) -> {
      if (k.startsWith(PROPERTY_PREFIX)) {
        keptProperties.put(k, v);
      }
    });
    keptProperties.forEach(b::property);
    Map<String, String> keptEnvironment = new TreeMap<>();
    environment.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX)) {
        keptEnvironment.put(k, v);
      }
    });
    b.environment(keptEnvironment);

    apply(lookup(BACKEND), "Must be a backend name like redis-lua.", b::backend);
    Setting uri = lookup(REDIS_URI, REDIS_URI_ENV);
    if (uri != null) {
      String problem = RedisUris.problem(uri.value);
      if (problem != null) {
        throw new ConfigurationException("Invalid value for " + uri.describe(RedisUris.mask(uri.value)) + ". " + problem + ".");
      }
      b.redisUri(uri.value);
    }
    apply(lookup(REDIS_CLUSTER), BOOLEAN, v -> b.redisCluster(parseBoolean(v)));
    apply(lookup(ZONE), "Must be a zone id like UTC, +08:00 or Asia/Shanghai.", v -> b.zone(parseZone(v)));
    applyDuration(lookup(METRICS_WINDOW), "Must be a whole number of minutes like 5m.", b::metricsWindow);
    apply(lookup(KEY_PREFIX), "Must be a non-empty text like usagesink:.", b::keyPrefix);
    applyDuration(lookup(CLOSE_TIMEOUT), POSITIVE_DURATION, b::closeTimeout);
    applyDuration(lookup(COMMAND_TIMEOUT), POSITIVE_DURATION, b::commandTimeout);
    applyDuration(lookup(GUARD_TTL), "Must be a duration of at least 1s like 10m.", b::guardTtl);
    applyDuration(lookup(FLUSH_INTERVAL), POSITIVE_DURATION, b::flushInterval);
    apply(lookup(MAX_PENDING_COUNTERS), "Must be a positive whole number like 1000000.",
        v -> b.maxPendingCounters(Integer.parseInt(v)));
    apply(lookup(BUFFERED_WRITER), "Must be lua or pipeline.", b::bufferedWriter);
    Setting hook = lookup(SHUTDOWN_HOOK);
    apply(hook != null ? hook : lookup(BUFFERED_SHUTDOWN_HOOK), BOOLEAN, v -> b.shutdownHook(parseBoolean(v)));
    b.statsPolicy(statsPolicy());
    return b.build();
  }

  /**
   * The originating system's switches ({@code ENABLE_*}), each read as a property of that name, else
   * as an environment variable; the rule (on unless {@code false}) is {@link
   * StatsPolicy#fromSwitches}'s.
   */
  private StatsPolicy statsPolicy() {
    return StatsPolicy.fromSwitches(name -> {
      Setting s = lookup(name, name);
      return s == null ? null : s.value;
    });
  }

  private Setting lookup(String property) {
    return lookup(property, SinkConfig.environmentName(property));
  }

  /** The property if set and not blank, else the environment variable if set and not blank. */
  private Setting lookup(String property, String variable) {
    String value = properties.get(property);
    if (value != null && !value.isBlank()) {
      return new Setting("property", property, value.strip());
    }
    value = environment.get(variable);
    if (value != null && !value.isBlank()) {
      return new Setting("environment variable", variable, value.strip());
    }
    return null;
  }

  private static void apply(Setting s, String allowed, Consumer<String> setter) {
    if (s == null) {
      return;
    }
    try {
      setter.accept(s.value);
    } catch (IllegalArgumentException | DateTimeException e) {
      throw s.invalid(allowed, e);
    }
  }

  /** A duration setting: unparsable gives {@link #DURATION}; parsed but not allowed gives {@code allowed}. */
  private static void applyDuration(Setting s, String allowed, Consumer<Duration> setter) {
    if (s == null) {
      return;
    }
    Duration d;
    try {
      d = parseDuration(s.value);
    } catch (IllegalArgumentException e) {
      throw s.invalid(DURATION, e);
    }
    apply(s, allowed, v -> setter.accept(d));
  }

  /**
   * Parses {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d} (units in any case:
   * {@code 60S} is 60 seconds, {@code 5M} 5 minutes) or an ISO-8601 duration such as {@code PT1S}.
   *
   * @throws IllegalArgumentException when the text is none of these or overflows
   */
  static Duration parseDuration(String text) {
    String t = text.strip();
    Matcher m = SIMPLE_DURATION.matcher(t);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms": return Duration.ofMillis(n);
          case "s": return Duration.ofSeconds(n);
          case "m": return Duration.ofMinutes(n);
          case "h": return Duration.ofHours(n);
          default: return Duration.ofDays(n);
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

  /** {@code true} or {@code false}, ignoring case. */
  static boolean parseBoolean(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("true")) {
      return true;
    }
    if (t.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("not a boolean: " + text);
  }

  private static ZoneId parseZone(String text) {
    return ZoneId.of(text);
  }

  /** One setting as the user gave it. */
  private static final class Setting {
    final String kind;
    final String name;
    final String value;

    Setting(String kind, String name, String value) {
      this.kind = kind;
      this.name = name;
      this.value = value;
    }

    String describe(String shownValue) {
      return kind + " " + name + "=" + shownValue;
    }

    ConfigurationException invalid(String allowed, Exception cause) {
      return new ConfigurationException("Invalid value for " + describe(value) + ". " + allowed, cause);
    }
  }
}
