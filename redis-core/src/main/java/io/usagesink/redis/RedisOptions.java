package io.usagesink.redis;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigValue;
import io.usagesink.ConfigurationException;
import io.usagesink.RedisUriMask;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of the Redis backends, read and checked here (their one home) from the {@link
 * ConfigProperties} view when a sink or reader opens:
 *
 * <table>
 *   <caption>Redis settings</caption>
 *   <tr><th>property</th><th>environment variable</th><th>value</th></tr>
 *   <tr><td>{@value #URI}</td><td>{@value #URI_VARIABLE}</td><td>Redis URI, checked (port, database,
 *       {@code timeout}) and always shown masked</td></tr>
 *   <tr><td>{@value #CLUSTER}</td><td>{@code USAGESINK_REDIS_CLUSTER}</td>
 *       <td>{@code true|false}; unset detects</td></tr>
 *   <tr><td>{@value #COMMAND_TIMEOUT}</td><td>{@code USAGESINK_COMMAND_TIMEOUT}</td>
 *       <td>positive duration, default 10s</td></tr>
 *   <tr><td>{@value #GUARD_TTL}</td><td>{@code USAGESINK_GUARD_TTL}</td>
 *       <td>duration of at least 1s, default 10m</td></tr>
 *   <tr><td>{@value #CONNECT}</td><td>{@code USAGESINK_REDIS_CONNECT}</td>
 *       <td>{@code background} (default) or {@code fail}</td></tr>
 * </table>
 *
 * <p>The TLS trust file ({@link io.usagesink.redis.connect.RedisConnection#TLS_CA_FILE_PROPERTY})
 * is read when a TLS connection is made. {@link #toString()} masks the password of the URI.
 *
 * @param uri the Redis URI, if set; may hold a password
 * @param cluster forced ({@code true}) or forbidden ({@code false}) cluster mode; empty detects
 * @param commandTimeout how long one Redis command may take
 * @param guardTtl how long an exactly-once guard (event or batch id) is remembered
 * @param connect whether {@code open()} connects in the background or fails fast
 */
public record RedisOptions(
    Optional<String> uri,
    Optional<Boolean> cluster,
    Duration commandTimeout,
    Duration guardTtl,
    Connect connect) {

  /** The Redis URI: {@value}. */
  public static final String URI = "usagesink.redis.uri";

  /** The environment variable of {@link #URI}: {@value}. */
  public static final String URI_VARIABLE = "REDIS_URL";

  /** Forced cluster mode: {@value}. */
  public static final String CLUSTER = "usagesink.redis.cluster";

  /** How long one Redis command may take: {@value}. */
  public static final String COMMAND_TIMEOUT = "usagesink.command-timeout";

  /** How long an exactly-once guard is remembered: {@value}. */
  public static final String GUARD_TTL = "usagesink.guard-ttl";

  /** How {@code open()} connects: {@value}. */
  public static final String CONNECT = "usagesink.redis.connect";

  /** Default time a single Redis command may take before it counts as failed: 10 s. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);

  /** Default lifetime of an exactly-once guard: 10 minutes. */
  public static final Duration DEFAULT_GUARD_TTL = Duration.ofMinutes(10);

  /** How {@code open()} connects ({@value #CONNECT}). */
  public enum Connect {
    /** Return at once and connect in the background (the default). */
    BACKGROUND,
    /** Connect before returning, failing when Redis is unreachable. */
    FAIL
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting and the value (a URI masked)
   */
  public RedisOptions {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(guardTtl, "guardTtl");
    Objects.requireNonNull(connect, "connect");
    uri.ifPresent(RedisOptions::checkUri);
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException(
          "commandTimeout must be positive but was " + commandTimeout);
    }
    if (guardTtl.toSeconds() < 1) {
      throw new IllegalArgumentException("guardTtl must be at least 1s but was " + guardTtl);
    }
  }

  /**
   * Checks a Redis URI as far as can be told without connecting: the scheme, a host, each port, the
   * database and the {@code timeout} parameter.
   *
   * @return {@code uri}
   * @throws IllegalArgumentException naming the masked URI and what is wrong, e.g. {@code uri
   *     redis://:***@h:abc is invalid. Must give the port as a number from 1 to 65535, ...}
   */
  public static String checkUri(String uri) {
    String problem = RedisUris.problem(Objects.requireNonNull(uri, "uri"));
    if (problem != null) {
      throw new IllegalArgumentException(
          "uri " + RedisUriMask.mask(uri) + " is invalid. " + problem + ".");
    }
    return uri;
  }

  /** The options of {@code config}'s {@link SinkConfig#properties() properties}. */
  public static RedisOptions from(SinkConfig config) {
    return from(Objects.requireNonNull(config, "config").properties());
  }

  /**
   * Reads the options (see the class documentation); unset ones keep their defaults.
   *
   * @throws ConfigurationException naming the first invalid property or variable and its value (a
   *     URI masked)
   */
  public static RedisOptions from(ConfigProperties p) {
    Optional<ConfigValue> uri = p.find(URI, URI_VARIABLE);
    uri.ifPresent(
        v -> {
          String problem = RedisUris.problem(v.value());
          if (problem != null) {
            throw v.invalidShown(RedisUriMask.mask(v.value()), problem + ".", null);
          }
        });
    return new RedisOptions(
        uri.map(ConfigValue::value),
        p.getBoolean(CLUSTER),
        p.getPositiveDuration(COMMAND_TIMEOUT).orElse(DEFAULT_COMMAND_TIMEOUT),
        p.getDuration(
                GUARD_TTL, d -> d.toSeconds() >= 1, "Must be a duration of at least 1s like 10m.")
            .orElse(DEFAULT_GUARD_TTL),
        p.getEnum(CONNECT, Connect.class).orElse(Connect.BACKGROUND));
  }

  /**
   * The URI.
   *
   * @throws ConfigurationException when none is set, saying how to set it
   */
  public String requireUri() {
    return uri.orElseThrow(
        () ->
            new ConfigurationException(
                "usagesink.redis.uri (or REDIS_URL) is not set; set it to the Redis to write to,"
                    + " e.g. redis://localhost:6379 or rediss://user:password@host:6380/0"));
  }

  /** The settings, the URI's password masked. */
  @Override
  public String toString() {
    return "RedisOptions[uri="
        + uri.map(RedisUriMask::mask).orElse("(none)")
        + ", cluster="
        + cluster
        + ", commandTimeout="
        + commandTimeout
        + ", guardTtl="
        + guardTtl
        + ", connect="
        + connect
        + "]";
  }
}
