package io.usagesink;

import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.StatsPolicy;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a {@link UsageSinkProvider} gets to build a sink: the settings every backend shares (which
 * backend, how long {@code close()} may take, the shutdown hook, the clock) and the generic {@link
 * #properties() property view} each backend reads its own settings from, after OpenTelemetry's
 * autoconfigure: the Redis backends their {@code RedisOptions} (redis-core), the buffered backend
 * its {@code BufferedOptions}, every backend the layout's {@link LayoutSettings}. Each of those
 * validates when the backend opens, so bad configuration fails at start-up with a {@link
 * ConfigurationException} naming the property (or environment variable) and the value; settings of
 * other backends are ignored. Immutable and thread-safe.
 *
 * <p>Build it in code with {@link #builder()}, or from system properties and the environment with
 * {@link #fromEnvironment()}. The typed setters of settings that belong to a backend or to the
 * layout ({@link Builder#redisUri}, {@link Builder#zone}, {@link Builder#flushInterval}, ...) set
 * the property of that name, as {@link Builder#property} does. Values, a Redis password among them,
 * never appear in {@link #toString()}.
 */
public final class SinkConfig {

  /** The backend to use: {@value}, environment variable {@code USAGESINK_BACKEND}. */
  public static final String BACKEND = "usagesink.backend";

  /** How long {@link UsageSink#close()} may take: {@value}. */
  public static final String CLOSE_TIMEOUT = "usagesink.close-timeout";

  /** Whether a sink closes itself in a JVM shutdown hook: {@value}. */
  public static final String SHUTDOWN_HOOK = "usagesink.shutdown-hook";

  /** The buffered backend's older name of {@link #SHUTDOWN_HOOK}, read when that one is not set. */
  static final String OLD_SHUTDOWN_HOOK = "usagesink.buffered.shutdown-hook";

  /** Default time {@link UsageSink#close()} may take to store pending data: 30 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** Default zone of the day, hour and month buckets: {@value}. */
  @Deprecated(since = "0.2") // moved: LayoutSettings.DEFAULT_ZONE
  public static final String DEFAULT_ZONE = LayoutSettings.DEFAULT_ZONE;

  /** Default metrics window (TTL of the minute hash = window x 120 s): 5 minutes. */
  @Deprecated(since = "0.2") // moved: LayoutSettings.DEFAULT_METRICS_WINDOW
  public static final Duration DEFAULT_METRICS_WINDOW = Duration.ofMinutes(5);

  /** Default prefix of the library's own bookkeeping keys: {@value}. */
  @Deprecated(since = "0.2") // moved: LayoutSettings.DEFAULT_KEY_PREFIX
  public static final String DEFAULT_KEY_PREFIX = LayoutSettings.DEFAULT_KEY_PREFIX;

  /** Default time a single Redis command may take before it counts as failed: 10 s. */
  @Deprecated(since = "0.2") // moved: io.usagesink.redis.RedisOptions.DEFAULT_COMMAND_TIMEOUT
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);

  /** Default lifetime of an exactly-once guard (event or batch id): 10 minutes. */
  @Deprecated(since = "0.2") // moved: io.usagesink.redis.RedisOptions.DEFAULT_GUARD_TTL
  public static final Duration DEFAULT_GUARD_TTL = Duration.ofMinutes(10);

  /** Default flush interval of the buffered backend: 1 s. */
  @Deprecated(since = "0.2") // moved: io.usagesink.buffered.BufferedOptions.DEFAULT_FLUSH_INTERVAL
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** Default cap on distinct pending counters of the buffered backend: {@value}. */
  @Deprecated(
      since = "0.2") // moved: io.usagesink.buffered.BufferedOptions.DEFAULT_MAX_PENDING_COUNTERS
  public static final int DEFAULT_MAX_PENDING_COUNTERS = 1_000_000;

  /** Default writer of the buffered backend: {@value}. */
  @Deprecated(since = "0.2") // moved: io.usagesink.buffered.BufferedOptions.DEFAULT_WRITER
  public static final String DEFAULT_BUFFERED_WRITER = "lua";

  // Properties of settings owned elsewhere, written by the typed setters kept for compatibility;
  // each owner's tests check that it reads what these setters write.
  private static final String REDIS_URI = "usagesink.redis.uri"; // RedisOptions
  private static final String REDIS_URI_VARIABLE = "REDIS_URL"; // RedisOptions
  private static final String REDIS_CLUSTER = "usagesink.redis.cluster"; // RedisOptions
  private static final String COMMAND_TIMEOUT = "usagesink.command-timeout"; // RedisOptions
  private static final String GUARD_TTL = "usagesink.guard-ttl"; // RedisOptions
  private static final String FLUSH_INTERVAL =
      "usagesink.buffered.flush-interval"; // BufferedOptions
  private static final String MAX_PENDING_COUNTERS =
      "usagesink.buffered.max-pending-counters"; // BufferedOptions
  private static final String BUFFERED_WRITER = "usagesink.buffered.writer"; // BufferedOptions

  /** The values; equality, hash code and the text come from the record. */
  private record Values(
      String backend,
      Duration closeTimeout,
      boolean shutdownHook,
      InstantSource clock,
      ConfigProperties properties) {}

  private final Values values;

  private SinkConfig(Builder b) {
    this.values =
        new Values(
            b.backend,
            b.closeTimeout,
            b.shutdownHook,
            b.clock,
            new ConfigProperties(b.properties, b.environment));
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the configuration from the system properties and the environment variables; a system
   * property wins over the environment. Equivalent to {@code from(System.getProperties(),
   * System.getenv())}.
   *
   * @throws ConfigurationException naming the property (or environment variable) and the value that
   *     is invalid, and what is allowed
   * @see #from(Map, Map)
   */
  public static SinkConfig fromEnvironment() {
    return from(System.getProperties(), System.getenv());
  }

  /**
   * Reads the configuration from the given properties and environment variables; a property wins
   * over the environment, blank values count as not set ({@link ConfigProperties}). Here only the
   * shared settings are read and checked; every property and variable stays in {@link
   * #properties()} for the backend and the layout, which check theirs when the sink opens.
   *
   * <table>
   *   <caption>Shared settings</caption>
   *   <tr><th>property</th><th>environment variable</th><th>value</th></tr>
   *   <tr><td>{@code usagesink.backend}</td><td>{@code USAGESINK_BACKEND}</td><td>provider name</td></tr>
   *   <tr><td>{@code usagesink.close-timeout}</td><td>{@code USAGESINK_CLOSE_TIMEOUT}</td><td>duration</td></tr>
   *   <tr><td>{@code usagesink.shutdown-hook} (older name, still read: {@code usagesink.buffered.shutdown-hook})</td>
   *       <td>{@code USAGESINK_SHUTDOWN_HOOK} ({@code USAGESINK_BUFFERED_SHUTDOWN_HOOK})</td>
   *       <td>{@code true|false}</td></tr>
   * </table>
   *
   * <p>The layout's settings are listed at {@link LayoutSettings}, the Redis backends' at {@code
   * io.usagesink.redis.RedisOptions}, the buffered backend's at {@code
   * io.usagesink.buffered.BufferedOptions}. Durations are written as {@link DurationText} says.
   *
   * @param properties e.g. the system properties; entries that are not strings are ignored
   * @throws ConfigurationException naming the property (or environment variable, whichever was
   *     used) and the value that is invalid, and what is allowed
   */
  public static SinkConfig from(Map<?, ?> properties, Map<String, String> environment) {
    ConfigProperties view = ConfigProperties.of(properties, environment);
    Builder b = builder();
    b.properties.putAll(view.properties());
    b.environment.putAll(view.environment());
    view.find(BACKEND).ifPresent(v -> b.backend = v.value());
    view.getPositiveDuration(CLOSE_TIMEOUT).ifPresent(b::closeTimeout);
    view.getBoolean(SHUTDOWN_HOOK)
        .or(() -> view.getBoolean(OLD_SHUTDOWN_HOOK))
        .ifPresent(b::shutdownHook);
    return b.build();
  }

  /** The backend named by the user ({@code usagesink.backend}), if any. */
  public Optional<String> backend() {
    return Optional.ofNullable(values.backend());
  }

  /** How long {@link UsageSink#close()} may take. */
  public Duration closeTimeout() {
    return values.closeTimeout();
  }

  /**
   * Whether a sink registers a JVM shutdown hook that closes it (flushing what is pending) when the
   * JVM exits; on by default, for every backend that stores ({@code usagesink.shutdown-hook}).
   */
  public boolean shutdownHook() {
    return values.shutdownHook();
  }

  /** The time source of time-driven backends (flush intervals); the system clock by default. */
  public InstantSource clock() {
    return values.clock();
  }

  /** The property view backends and the layout read their own settings from. */
  public ConfigProperties properties() {
    return values.properties();
  }

  /**
   * A raw setting by property name, for custom backends: the property if it was given, else its
   * environment variable ({@link ConfigProperties#environmentName}); blank counts as not set. Same
   * as {@code properties().getString(name)}.
   */
  public Optional<String> property(String name) {
    return properties().getString(Objects.requireNonNull(name, "name"));
  }

  /**
   * The Redis URI ({@code usagesink.redis.uri} / {@code REDIS_URL}), if any, unchecked. May contain
   * a password: never log it.
   *
   * @deprecated the Redis backends read it: {@code RedisOptions.from(config).uri()} (redis-core)
   */
  @Deprecated(since = "0.2")
  public Optional<String> redisUri() {
    return properties().find(REDIS_URI, REDIS_URI_VARIABLE).map(ConfigValue::value);
  }

  /**
   * The Redis URI with its password replaced by {@code ***}, if any; safe to log.
   *
   * @deprecated use {@link RedisUriMask#mask} on {@code RedisOptions.from(config).uri()}
   */
  @Deprecated(since = "0.2")
  public Optional<String> maskedRedisUri() {
    return redisUri().map(RedisUriMask::mask);
  }

  /**
   * Forced cluster mode ({@code usagesink.redis.cluster}); empty means detect.
   *
   * @deprecated the Redis backends read it: {@code RedisOptions.from(config).cluster()}
   */
  @Deprecated(since = "0.2")
  public Optional<Boolean> redisCluster() {
    return properties().getBoolean(REDIS_CLUSTER);
  }

  /**
   * The zone of the day, hour and month buckets.
   *
   * @deprecated the layout reads it: {@code LayoutSettings.from(config).zone()}
   */
  @Deprecated(since = "0.2")
  public ZoneId zone() {
    return LayoutSettings.from(properties()).zone();
  }

  /**
   * The metrics window; the minute hash lives {@code window x 120} seconds.
   *
   * @deprecated the layout reads it: {@code LayoutSettings.from(config).metricsWindow()}
   */
  @Deprecated(since = "0.2")
  public Duration metricsWindow() {
    return LayoutSettings.from(properties()).metricsWindow();
  }

  /**
   * Which statistics are written.
   *
   * @deprecated the layout reads it: {@code LayoutSettings.from(config).statsPolicy()}
   */
  @Deprecated(since = "0.2")
  public StatsPolicy statsPolicy() {
    return LayoutSettings.from(properties()).statsPolicy();
  }

  /**
   * Prefix of the library's bookkeeping keys (guards, markers), never of statistics.
   *
   * @deprecated the layout reads it: {@code LayoutSettings.from(config).keyPrefix()}
   */
  @Deprecated(since = "0.2")
  public String keyPrefix() {
    return LayoutSettings.from(properties()).keyPrefix();
  }

  /**
   * How long one Redis command may take.
   *
   * @deprecated the Redis backends read it: {@code RedisOptions.from(config).commandTimeout()}
   */
  @Deprecated(since = "0.2")
  public Duration commandTimeout() {
    return properties().getDuration(COMMAND_TIMEOUT).orElse(DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * How long an exactly-once guard (event or batch id) is remembered.
   *
   * @deprecated the Redis backends read it: {@code RedisOptions.from(config).guardTtl()}
   */
  @Deprecated(since = "0.2")
  public Duration guardTtl() {
    return properties().getDuration(GUARD_TTL).orElse(DEFAULT_GUARD_TTL);
  }

  /**
   * Flush interval of the buffered backend.
   *
   * @deprecated the buffered backend reads it: {@code BufferedOptions.from(config).flushInterval()}
   */
  @Deprecated(since = "0.2")
  public Duration flushInterval() {
    return properties().getDuration(FLUSH_INTERVAL).orElse(DEFAULT_FLUSH_INTERVAL);
  }

  /**
   * Cap on distinct pending counters of the buffered backend.
   *
   * @deprecated the buffered backend reads it: {@code
   *     BufferedOptions.from(config).maxPendingCounters()}
   */
  @Deprecated(since = "0.2")
  public int maxPendingCounters() {
    return properties()
        .getInt(MAX_PENDING_COUNTERS, n -> true, "Must be a whole number.")
        .orElse(DEFAULT_MAX_PENDING_COUNTERS);
  }

  /**
   * Writer of the buffered backend: {@code lua} or {@code pipeline}.
   *
   * @deprecated the buffered backend reads it: {@code BufferedOptions.from(config).writer()}
   */
  @Deprecated(since = "0.2")
  public String bufferedWriter() {
    return properties().getString(BUFFERED_WRITER).orElse(DEFAULT_BUFFERED_WRITER);
  }

  /** A builder initialised from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.backend = values.backend();
    b.closeTimeout = values.closeTimeout();
    b.shutdownHook = values.shutdownHook();
    b.clock = values.clock();
    b.properties.putAll(properties().properties());
    b.environment.putAll(properties().environment());
    return b;
  }

  /**
   * Equal when every setting, property and environment variable is equal (the clock by its own
   * {@code equals}).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SinkConfig && ((SinkConfig) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /**
   * Lists the shared settings and the names of the {@code usagesink} properties, never their
   * values.
   */
  @Override
  public String toString() {
    return "SinkConfig" + values.toString().substring("Values".length());
  }

  /**
   * Builds a {@link SinkConfig}. Setters of the shared settings reject bad values at once with
   * {@link IllegalArgumentException} naming the setting and the value; the other setters set the
   * property of their name, checked by its owner when the sink opens. Not thread-safe.
   */
  public static final class Builder {
    private String backend;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private boolean shutdownHook = true;
    private InstantSource clock = InstantSource.system();
    private final Map<String, String> properties = new TreeMap<>();
    private final Map<String, String> environment = new TreeMap<>();

    private Builder() {}

    /**
     * The backend to use by name (surrounding white space is removed; names are matched ignoring
     * case); {@code null} lets discovery choose.
     */
    public Builder backend(String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException(
            "backend must be null or non-blank but was \"" + name + "\"");
      }
      this.backend = name == null ? null : name.strip();
      return this;
    }

    /** How long close may take; positive. */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "closeTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("closeTimeout must be positive but was " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /** Whether the sink closes itself in a JVM shutdown hook. */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    /** The time source of time-driven backends. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A setting by property name, for the backends and the layout; wins over the environment. */
    public Builder property(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      properties.put(name, value);
      return this;
    }

    /** Several settings by property name, as {@link #property} sets each. */
    public Builder properties(Map<String, String> settings) {
      Objects.requireNonNull(settings, "settings").forEach(this::property);
      return this;
    }

    /**
     * The Redis URI ({@code usagesink.redis.uri}), e.g. {@code redis://user:secret@host:6379/0},
     * {@code rediss://...} (TLS) or a cluster seed list {@code redis://secret@h1:7000,h2:7001};
     * {@code null} for none. The Redis backends check it when they open.
     */
    public Builder redisUri(String uri) {
      return set(REDIS_URI, uri);
    }

    /** Force ({@code true}) or forbid ({@code false}) Redis Cluster mode; {@code null} detects. */
    public Builder redisCluster(Boolean cluster) {
      return set(REDIS_CLUSTER, cluster == null ? null : cluster.toString());
    }

    /** Zone of the day, hour and month buckets ({@link LayoutSettings#ZONE}). */
    public Builder zone(ZoneId zone) {
      return set(LayoutSettings.ZONE, Objects.requireNonNull(zone, "zone").getId());
    }

    /** The metrics window ({@link LayoutSettings#METRICS_WINDOW}): whole minutes, at least one. */
    public Builder metricsWindow(Duration window) {
      return set(
          LayoutSettings.METRICS_WINDOW,
          Objects.requireNonNull(window, "metricsWindow").toString());
    }

    /**
     * Which statistics to write.
     *
     * @deprecated set the switches as properties: {@code properties(policy.switches())}
     */
    @Deprecated(since = "0.2")
    public Builder statsPolicy(StatsPolicy policy) {
      return properties(Objects.requireNonNull(policy, "statsPolicy").switches());
    }

    /** Prefix of bookkeeping keys ({@link LayoutSettings#KEY_PREFIX}); non-empty. */
    public Builder keyPrefix(String prefix) {
      return set(LayoutSettings.KEY_PREFIX, Objects.requireNonNull(prefix, "keyPrefix"));
    }

    /** How long one Redis command may take ({@code usagesink.command-timeout}); positive. */
    public Builder commandTimeout(Duration timeout) {
      return set(COMMAND_TIMEOUT, Objects.requireNonNull(timeout, "commandTimeout").toString());
    }

    /** How long exactly-once guards are remembered ({@code usagesink.guard-ttl}); at least 1 s. */
    public Builder guardTtl(Duration ttl) {
      return set(GUARD_TTL, Objects.requireNonNull(ttl, "guardTtl").toString());
    }

    /**
     * Flush interval of the buffered backend ({@code usagesink.buffered.flush-interval}); positive.
     */
    public Builder flushInterval(Duration interval) {
      return set(FLUSH_INTERVAL, Objects.requireNonNull(interval, "flushInterval").toString());
    }

    /** Cap on distinct pending counters of the buffered backend; positive. */
    public Builder maxPendingCounters(int max) {
      return set(MAX_PENDING_COUNTERS, Integer.toString(max));
    }

    /**
     * Writer of the buffered backend ({@code usagesink.buffered.writer}): {@code lua} or {@code
     * pipeline}.
     */
    public Builder bufferedWriter(String writer) {
      return set(BUFFERED_WRITER, Objects.requireNonNull(writer, "bufferedWriter"));
    }

    /** Builds the configuration. */
    public SinkConfig build() {
      return new SinkConfig(this);
    }

    /** Sets the property, or removes it for {@code null}. */
    private Builder set(String name, String value) {
      if (value == null) {
        properties.remove(name);
      } else {
        properties.put(name, value);
      }
      return this;
    }
  }
}
