package io.usagesink.buffered;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The buffered backend's settings, read and checked here (their one home) from the {@link
 * ConfigProperties} view when the sink is built; the journal's are read by {@link
 * io.usagesink.buffered.journal.JournalSettings}, the Redis connection's by {@code RedisOptions}.
 *
 * <table>
 *   <caption>Buffered settings</caption>
 *   <tr><th>property</th><th>environment variable</th><th>value</th></tr>
 *   <tr><td>{@value #FLUSH_INTERVAL}</td><td>{@code USAGESINK_BUFFERED_FLUSH_INTERVAL}</td>
 *       <td>positive duration, default 1s</td></tr>
 *   <tr><td>{@value #MAX_PENDING_COUNTERS}</td><td>{@code USAGESINK_BUFFERED_MAX_PENDING_COUNTERS}</td>
 *       <td>positive int, default {@value #DEFAULT_MAX_PENDING_COUNTERS}</td></tr>
 *   <tr><td>{@value #WRITER}</td><td>{@code USAGESINK_BUFFERED_WRITER}</td>
 *       <td>{@code lua} (default) or {@code pipeline}</td></tr>
 * </table>
 *
 * @param flushInterval how often pending counters are flushed
 * @param maxPendingCounters cap on distinct pending accumulators
 * @param writer how a flush is written with the crs layout
 */
public record BufferedOptions(Duration flushInterval, int maxPendingCounters, Writer writer) {

  /** The flush interval: {@value}. */
  public static final String FLUSH_INTERVAL = "usagesink.buffered.flush-interval";

  /** The cap on distinct pending counters: {@value}. */
  public static final String MAX_PENDING_COUNTERS = "usagesink.buffered.max-pending-counters";

  /** The writer: {@value}. */
  public static final String WRITER = "usagesink.buffered.writer";

  /** Default flush interval: 1 s. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** Default cap on distinct pending counters: {@value}. */
  public static final int DEFAULT_MAX_PENDING_COUNTERS = 1_000_000;

  /** Every default. */
  public static final BufferedOptions DEFAULTS =
      new BufferedOptions(DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_PENDING_COUNTERS, Writer.LUA);

  /** How a flush is written with the crs layout ({@value #WRITER}). */
  public enum Writer {
    /** One EVALSHA per slot group, exactly once (the default). */
    LUA,
    /** Plain commands in one pipeline, at least once. */
    PIPELINE
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting and the value
   */
  public BufferedOptions {
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(writer, "writer");
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flushInterval must be positive but was " + flushInterval);
    }
    if (maxPendingCounters <= 0) {
      throw new IllegalArgumentException(
          "maxPendingCounters must be > 0 but was " + maxPendingCounters);
    }
  }

  /** The options of {@code config}'s {@link SinkConfig#properties() properties}. */
  public static BufferedOptions from(SinkConfig config) {
    return from(Objects.requireNonNull(config, "config").properties());
  }

  /**
   * Reads the options (see the class documentation); unset ones keep their defaults.
   *
   * @throws ConfigurationException naming the first invalid property or variable and its value
   */
  public static BufferedOptions from(ConfigProperties p) {
    return new BufferedOptions(
        p.getPositiveDuration(FLUSH_INTERVAL).orElse(DEFAULT_FLUSH_INTERVAL),
        p.getInt(MAX_PENDING_COUNTERS, n -> n > 0, "Must be a positive whole number like 1000000.")
            .orElse(DEFAULT_MAX_PENDING_COUNTERS),
        p.getEnum(WRITER, Writer.class).orElse(Writer.LUA));
  }
}
