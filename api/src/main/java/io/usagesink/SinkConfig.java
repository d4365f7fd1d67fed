package io.usagesink;

import io.usagesink.layout.StatsPolicy;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Everything a {@link UsageSinkProvider} needs to build a sink. Immutable and thread-safe; validated
 * when built, so bad configuration fails at start-up with a {@link ConfigurationException} naming
 * the property and the value.
 *
 * <p>Build it in code with {@link #builder()}, or from system properties and the environment with
 * {@link #fromEnvironment()}. The Redis URI may hold a password: it never appears in {@link
 * #toString()} or in any exception message of this library.
 *
 * <p>Backends read the settings they need; settings of other backends are ignored. Custom backends
 * read their own settings with {@link #property(String)}.
 */
public final class SinkConfig {

  /** Default zone of the day, hour and month buckets: {@value}. */
  public static final String DEFAULT_ZONE = "UTC";
  /** Default metrics window (TTL of the minute hash = window x 120 s): 5 minutes. */
  public static final Duration DEFAULT_METRICS_WINDOW = Duration.ofMinutes(5);
  /** Default prefix of the library's own bookkeeping keys: {@value}. */
  public static final String DEFAULT_KEY_PREFIX = "usagesink:";
  /** Default time {@link UsageSink#close()} may take to store pending data: 30 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** Default time a single Redis command may take before it counts as failed: 10 s. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
  /** Default lifetime of an exactly-once guard (event or batch id): 10 minutes. */
  public static final Duration DEFAULT_GUARD_TTL = Duration.ofMinutes(10);
  /** Default flush interval of the buffered backend: 1 s. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  /** Default cap on distinct pending counters of the buffered backend: {@value}. */
  public static final int DEFAULT_MAX_PENDING_COUNTERS = 1_000_000;
  /** Default writer of the buffered backend: {@value}. */
  public static final String DEFAULT_BUFFERED_WRITER = "lua";

  private final String backend;
  private final String redisUri;
  private final Boolean redisCluster;
  private final ZoneId zone;
  private final Duration metricsWindow;
  private final StatsPolicy statsPolicy;
  private final String keyPrefix;
  private final Duration closeTimeout;
  private final Duration commandTimeout;
  private final Duration guardTtl;
  private final Duration flushInterval;
  private final int maxPendingCounters;
  private final String bufferedWriter;
  private final boolean shutdownHook;
  private final InstantSource clock;
  private final Map<String, String> properties;
  private final Map<String, String> environment;

  private SinkConfig(Builder b) {
    this.backend = b.backend;
    this.redisUri = b.redisUri;
    this.redisCluster = b.redisCluster;
    this.zone = b.zone;
    this.metricsWindow = b.metricsWindow;
    this.statsPolicy = b.statsPolicy;
    this.keyPrefix = b.keyPrefix;
    this.closeTimeout = b.closeTimeout;
    this.commandTimeout = b.commandTimeout;
    this.guardTtl = b.guardTtl;
    this.flushInterval = b.flushInterval;
    this.maxPendingCounters = b.maxPendingCounters;
    this.bufferedWriter = b.bufferedWriter;
    this.shutdownHook = b.shutdownHook;
    this.clock = b.clock;
    this.properties = Map.copyOf(b.properties);
    this.environment = Map.copyOf(b.environment);
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
    Properties system = System.getProperties();
    Map<String, String> snapshot = new HashMap<>();
    for (String name : system.stringPropertyNames()) {
      String value = system.getProperty(name);
      if (value != null) {
        snapshot.put(name, value);
      }
    }
    return ConfigReader.read(snapshot, System.getenv());
  }

  /**
   * Reads the configuration from the given properties and environment variables; a property wins
   * over the environment. Blank values count as not set. Unset settings keep their defaults.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>property</th><th>environment variable</th><th>value</th></tr>
   *   <tr><td>{@code usagesink.backend}</td><td>{@code USAGESINK_BACKEND}</td><td>provider name</td></tr>
   *   <tr><td>{@code usagesink.redis.uri}</td><td>{@code REDIS_URL}</td><td>Redis URI</td></tr>
   *   <tr><td>{@code usagesink.redis.cluster}</td><td>{@code USAGESINK_REDIS_CLUSTER}</td><td>{@code true|false}</td></tr>
   *   <tr><td>{@code usagesink.zone}</td><td>{@code USAGESINK_ZONE}</td><td>zone id</td></tr>
   *   <tr><td>{@code usagesink.metrics-window}</td><td>{@code USAGESINK_METRICS_WINDOW}</td><td>whole minutes, e.g. {@code 5m}</td></tr>
   *   <tr><td>{@code usagesink.key-prefix}</td><td>{@code USAGESINK_KEY_PREFIX}</td><td>text</td></tr>
   *   <tr><td>{@code usagesink.close-timeout}</td><td>{@code USAGESINK_CLOSE_TIMEOUT}</td><td>duration</td></tr>
   *   <tr><td>{@code usagesink.command-timeout}</td><td>{@code USAGESINK_COMMAND_TIMEOUT}</td><td>duration</td></tr>
   *   <tr><td>{@code usagesink.guard-ttl}</td><td>{@code USAGESINK_GUARD_TTL}</td><td>duration, at least 1s</td></tr>
   *   <tr><td>{@code usagesink.buffered.flush-interval}</td><td>{@code USAGESINK_BUFFERED_FLUSH_INTERVAL}</td><td>duration</td></tr>
   *   <tr><td>{@code usagesink.buffered.max-pending-counters}</td><td>{@code USAGESINK_BUFFERED_MAX_PENDING_COUNTERS}</td><td>positive int</td></tr>
   *   <tr><td>{@code usagesink.buffered.writer}</td><td>{@code USAGESINK_BUFFERED_WRITER}</td><td>{@code lua|pipeline}</td></tr>
   *   <tr><td>{@code usagesink.shutdown-hook} (older name, still read: {@code usagesink.buffered.shutdown-hook})</td>
   *       <td>{@code USAGESINK_SHUTDOWN_HOOK} ({@code USAGESINK_BUFFERED_SHUTDOWN_HOOK})</td><td>{@code true|false}</td></tr>
   *   <tr><td>{@code ENABLE_USAGE_STATISTICS}, {@code ENABLE_HOURLY_STATS}, {@code ENABLE_MINUTE_STATS},
   *       {@code ENABLE_MODEL_STATS}, {@code ENABLE_DETAILED_CACHE_STATS}</td><td>(same name)</td>
   *       <td>on unless {@code false} (see {@link StatsPolicy#fromSwitches})</td></tr>
   * </table>
   *
   * <p>Durations are written {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d} or in
   * ISO-8601 ({@code PT1S}). Every other {@code usagesink.*} property and every {@code USAGESINK_*}
   * environment variable is kept for {@link #property(String)}.
   *
   * @throws ConfigurationException naming the property (or environment variable, whichever was
   *     used) and the value that is invalid, and what is allowed; a Redis URI is shown masked
   */
  public static SinkConfig from(Map<?, ?> properties, Map<String, String> environment) {
    return ConfigReader.read(properties, environment);
  }

  /** The backend named by the user ({@code usagesink.backend}), if any. */
  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  /**
   * The Redis URI ({@code usagesink.redis.uri} / {@code REDIS_URL}), if any. May contain a
   * password: never log it; log {@link #maskedRedisUri()}.
   */
  public Optional<String> redisUri() {
    return Optional.ofNullable(redisUri);
  }

  /** The Redis URI with its password replaced by {@code ***}, if any; safe to log. */
  public Optional<String> maskedRedisUri() {
    return Optional.ofNullable(redisUri).map(RedisUris::mask);
  }

  /** Forced cluster mode ({@code usagesink.redis.cluster}); empty means detect. */
  public Optional<Boolean> redisCluster() {
    return Optional.ofNullable(redisCluster);
  }

  /** The zone of the day, hour and month buckets. */
  public ZoneId zone() {
    return zone;
  }

  /** The metrics window; the minute hash lives {@code window x 120} seconds. */
  public Duration metricsWindow() {
    return metricsWindow;
  }

  /** Which statistics are written. */
  public StatsPolicy statsPolicy() {
    return statsPolicy;
  }

  /** Prefix of the library's bookkeeping keys (guards, markers), never of statistics. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** How long {@link UsageSink#close()} may take. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** How long one Redis command may take. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How long an exactly-once guard (event or batch id) is remembered. */
  public Duration guardTtl() {
    return guardTtl;
  }

  /** Flush interval of the buffered backend. */
  public Duration flushInterval() {
    return flushInterval;
  }

  /** Cap on distinct pending counters of the buffered backend. */
  public int maxPendingCounters() {
    return maxPendingCounters;
  }

  /** Writer of the buffered backend: {@code lua} or {@code pipeline}. */
  public String bufferedWriter() {
    return bufferedWriter;
  }

  /**
   * Whether a sink registers a JVM shutdown hook that closes it (flushing what is pending) when the
   * JVM exits; on by default, for every backend that stores ({@code usagesink.shutdown-hook}).
   */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  /** The time source of time-driven backends (flush intervals); the system clock by default. */
  public InstantSource clock() {
    return clock;
  }

  /**
   * A raw setting by property name, for custom backends: the property if it was given, else the
   * environment variable of the same name in upper case with dots and dashes as underscores (for
   * {@code usagesink.my-backend.url}: {@code USAGESINK_MY_BACKEND_URL}) when the configuration was
   * read with {@link #from(Map, Map)} or {@link #fromEnvironment()}.
   */
  public Optional<String> property(String name) {
    Objects.requireNonNull(name, "name");
    String value = properties.get(name);
    return Optional.ofNullable(value != null ? value : environment.get(environmentName(name)));
  }

  /** The environment variable name of a property: upper case, dots and dashes as underscores. */
  static String environmentName(String property) {
    return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A builder initialised from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.backend = backend;
    b.redisUri = redisUri;
    b.redisCluster = redisCluster;
    b.zone = zone;
    b.metricsWindow = metricsWindow;
    b.statsPolicy = statsPolicy;
    b.keyPrefix = keyPrefix;
    b.closeTimeout = closeTimeout;
    b.commandTimeout = commandTimeout;
    b.guardTtl = guardTtl;
    b.flushInterval = flushInterval;
    b.maxPendingCounters = maxPendingCounters;
    b.bufferedWriter = bufferedWriter;
    b.shutdownHook = shutdownHook;
    b.clock = clock;
    b.properties.putAll(properties);
    b.environment.putAll(environment);
    return b;
  }

  /** Equal when every setting is equal (the clock by its own {@code equals}). */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SinkConfig)) {
      return false;
    }
    SinkConfig c = (SinkConfig) o;
    return maxPendingCounters == c.maxPendingCounters
        && shutdownHook == c.shutdownHook
        && Objects.equals(backend, c.backend)
        && Objects.equals(redisUri, c.redisUri)
        && Objects.equals(redisCluster, c.redisCluster)
        && zone.equals(c.zone)
        && metricsWindow.equals(c.metricsWindow)
        && statsPolicy.equals(c.statsPolicy)
        && keyPrefix.equals(c.keyPrefix)
        && closeTimeout.equals(c.closeTimeout)
        && commandTimeout.equals(c.commandTimeout)
        && guardTtl.equals(c.guardTtl)
        && flushInterval.equals(c.flushInterval)
        && bufferedWriter.equals(c.bufferedWriter)
        && clock.equals(c.clock)
        && properties.equals(c.properties)
        && environment.equals(c.environment);
  }

  @Override
  public int hashCode() {
    return Objects.hash(backend, redisUri, redisCluster, zone, metricsWindow, statsPolicy, keyPrefix,
        closeTimeout, commandTimeout, guardTtl, flushInterval, maxPendingCounters, bufferedWriter,
        shutdownHook, clock, properties, environment);
  }

  /** Lists the settings; the Redis password is masked. */
  @Override
  public String toString() {
    return "SinkConfig{backend=" + backend
        + ", redisUri=" + RedisUris.mask(redisUri)
        + ", redisCluster=" + redisCluster
        + ", zone=" + zone
        + ", metricsWindow=" + metricsWindow
        + ", statsPolicy=" + statsPolicy
        + ", keyPrefix=" + keyPrefix
        + ", closeTimeout=" + closeTimeout
        + ", commandTimeout=" + commandTimeout
        + ", guardTtl=" + guardTtl
        + ", flushInterval=" + flushInterval
        + ", maxPendingCounters=" + maxPendingCounters
        + ", bufferedWriter=" + bufferedWriter
        + ", shutdownHook=" + shutdownHook
        + ", properties=" + new TreeMap<>(properties).keySet()
        + (environment.isEmpty() ? "" : ", environment=" + new TreeMap<>(environment).keySet())
        + "}";
  }

  /**
   * Builds a {@link SinkConfig}. Setters reject bad values at once with {@link
   * IllegalArgumentException} naming the setting and the value. Not thread-safe.
   */
  public static final class Builder {
    private String backend;
    private String redisUri;
    private Boolean redisCluster;
    private ZoneId zone = ZoneId.of(DEFAULT_ZONE);
    private Duration metricsWindow = DEFAULT_METRICS_WINDOW;
    private StatsPolicy statsPolicy = StatsPolicy.ALL;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration guardTtl = DEFAULT_GUARD_TTL;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private int maxPendingCounters = DEFAULT_MAX_PENDING_COUNTERS;
    private String bufferedWriter = DEFAULT_BUFFERED_WRITER;
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
        throw new IllegalArgumentException("backend must be null or non-blank but was \"" + name + "\"");
      }
      this.backend = name == null ? null : name.strip();
      return this;
    }

    /**
     * The Redis URI, e.g. {@code redis://user:secret@host:6379/0}, {@code rediss://...} (TLS) or a
     * cluster seed list {@code redis://secret@h1:7000,h2:7001}; {@code null} for none.
     *
     * @throws IllegalArgumentException naming the setting and the URI with its password masked
     */
    public Builder redisUri(String uri) {
      if (uri != null) {
        RedisUris.validate("redisUri", uri);
      }
      this.redisUri = uri;
      return this;
    }

    /** Force ({@code true}) or forbid ({@code false}) Redis Cluster mode; {@code null} detects. */
    public Builder redisCluster(Boolean cluster) {
      this.redisCluster = cluster;
      return this;
    }

    /** Zone of the day, hour and month buckets. */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /** The metrics window (whole minutes, at least one). */
    public Builder metricsWindow(Duration window) {
      Objects.requireNonNull(window, "metricsWindow");
      if (window.toMinutes() < 1 || !window.equals(Duration.ofMinutes(window.toMinutes()))) {
        throw new IllegalArgumentException("metricsWindow must be a positive whole number of minutes but was " + window);
      }
      this.metricsWindow = window;
      return this;
    }

    /** Which statistics to write. */
    public Builder statsPolicy(StatsPolicy policy) {
      this.statsPolicy = Objects.requireNonNull(policy, "statsPolicy");
      return this;
    }

    /** Prefix of bookkeeping keys; non-empty. */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "keyPrefix");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix must not be empty");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /** How long close may take; positive. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive("closeTimeout", timeout);
      return this;
    }

    /** How long one Redis command may take; positive. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive("commandTimeout", timeout);
      return this;
    }

    /** How long exactly-once guards are remembered; at least one second. */
    public Builder guardTtl(Duration ttl) {
      positive("guardTtl", ttl);
      if (ttl.toSeconds() < 1) {
        throw new IllegalArgumentException("guardTtl must be at least 1s but was " + ttl);
      }
      this.guardTtl = ttl;
      return this;
    }

    /** Flush interval of the buffered backend; positive. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = positive("flushInterval", interval);
      return this;
    }

    /** Cap on distinct pending counters of the buffered backend; positive. */
    public Builder maxPendingCounters(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPendingCounters must be > 0 but was " + max);
      }
      this.maxPendingCounters = max;
      return this;
    }

    /** Writer of the buffered backend: {@code lua} or {@code pipeline}. */
    public Builder bufferedWriter(String writer) {
      Objects.requireNonNull(writer, "bufferedWriter");
      if (!writer.equals("lua") && !writer.equals("pipeline")) {
        throw new IllegalArgumentException("bufferedWriter must be lua or pipeline but was \"" + writer + "\"");
      }
      this.bufferedWriter = writer;
      return this;
    }

    /** Whether the buffered backend closes itself in a JVM shutdown hook. */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    /** The time source of time-driven backends. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A raw setting for custom backends. */
    public Builder property(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      properties.put(name, value);
      return this;
    }

    /** Environment variables kept for {@link SinkConfig#property(String)}; used by ConfigReader. */
    Builder environment(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /** Builds the configuration. */
    public SinkConfig build() {
      return new SinkConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      return d;
    }
  }
}
