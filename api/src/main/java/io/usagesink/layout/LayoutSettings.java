package io.usagesink.layout;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;

/**
 * The layout's settings, read and checked here (their one home) from the {@link ConfigProperties}
 * view, for every backend that stores statistics:
 *
 * <table>
 *   <caption>Layout settings</caption>
 *   <tr><th>property</th><th>environment variable</th><th>value</th></tr>
 *   <tr><td>{@value #LAYOUT}</td><td>{@code USAGESINK_LAYOUT}</td>
 *       <td>{@code crs} (default) or {@code compact}</td></tr>
 *   <tr><td>{@value #ZONE}</td><td>{@code USAGESINK_ZONE}</td><td>zone id, default {@value #DEFAULT_ZONE}</td></tr>
 *   <tr><td>{@value #METRICS_WINDOW}</td><td>{@code USAGESINK_METRICS_WINDOW}</td>
 *       <td>whole minutes, default 5m</td></tr>
 *   <tr><td>{@value #KEY_PREFIX}</td><td>{@code USAGESINK_KEY_PREFIX}</td>
 *       <td>text, default {@value #DEFAULT_KEY_PREFIX}</td></tr>
 *   <tr><td>{@code ENABLE_USAGE_STATISTICS}, {@code ENABLE_HOURLY_STATS}, {@code ENABLE_MINUTE_STATS},
 *       {@code ENABLE_MODEL_STATS}, {@code ENABLE_DETAILED_CACHE_STATS}</td><td>(same name)</td>
 *       <td>on unless {@code false} (see {@link StatsPolicy#fromSwitches})</td></tr>
 * </table>
 *
 * @param layout {@link UsageLayouts#CRS} or {@link UsageLayouts#COMPACT}
 * @param zone zone of the day, hour and month buckets
 * @param metricsWindow the metrics window, a positive whole number of minutes
 * @param statsPolicy which statistics are written
 * @param keyPrefix prefix of the library's bookkeeping keys (guards, markers), never of statistics
 */
public record LayoutSettings(
    String layout, ZoneId zone, Duration metricsWindow, StatsPolicy statsPolicy, String keyPrefix) {

  /** The layout to store with: {@value}. */
  public static final String LAYOUT = "usagesink.layout";

  /** The zone of the day, hour and month buckets: {@value}. */
  public static final String ZONE = "usagesink.zone";

  /** The metrics window (TTL of the minute hash = window x 120 s): {@value}. */
  public static final String METRICS_WINDOW = "usagesink.metrics-window";

  /** The prefix of the library's bookkeeping keys: {@value}. */
  public static final String KEY_PREFIX = "usagesink.key-prefix";

  /** Default zone: {@value}. */
  public static final String DEFAULT_ZONE = "UTC";

  /** Default metrics window: 5 minutes. */
  public static final Duration DEFAULT_METRICS_WINDOW = Duration.ofMinutes(5);

  /** Default key prefix: {@value}. */
  public static final String DEFAULT_KEY_PREFIX = "usagesink:";

  /** Every default: the reference layout in UTC, a 5-minute window, every statistic. */
  public static final LayoutSettings DEFAULTS =
      new LayoutSettings(
          UsageLayouts.CRS,
          ZoneId.of(DEFAULT_ZONE),
          DEFAULT_METRICS_WINDOW,
          StatsPolicy.ALL,
          DEFAULT_KEY_PREFIX);

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting and the value
   */
  public LayoutSettings {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(metricsWindow, "metricsWindow");
    Objects.requireNonNull(statsPolicy, "statsPolicy");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (!layout.equals(UsageLayouts.CRS) && !layout.equals(UsageLayouts.COMPACT)) {
      throw new IllegalArgumentException(
          "layout must be crs or compact but was \"" + layout + "\"");
    }
    if (!wholeMinutes(metricsWindow)) {
      throw new IllegalArgumentException(
          "metricsWindow must be a positive whole number of minutes but was " + metricsWindow);
    }
    if (keyPrefix.isEmpty()) {
      throw new IllegalArgumentException("keyPrefix must not be empty");
    }
  }

  /** The settings of {@code config}'s {@link SinkConfig#properties() properties}. */
  public static LayoutSettings from(SinkConfig config) {
    return from(Objects.requireNonNull(config, "config").properties());
  }

  /**
   * Reads the settings (see the class documentation); unset ones keep their defaults.
   *
   * @throws ConfigurationException naming the first invalid property or variable and its value
   */
  public static LayoutSettings from(ConfigProperties p) {
    String layout =
        p.get(LAYOUT, LayoutSettings::layoutName, "Must be crs or compact.")
            .orElse(UsageLayouts.CRS);
    ZoneId zone =
        p.get(ZONE, ZoneId::of, "Must be a zone id like UTC, +08:00 or Asia/Shanghai.")
            .orElse(DEFAULTS.zone());
    Duration window =
        p.getDuration(
                METRICS_WINDOW,
                LayoutSettings::wholeMinutes,
                "Must be a whole number of minutes like 5m.")
            .orElse(DEFAULT_METRICS_WINDOW);
    String keyPrefix = p.getString(KEY_PREFIX).orElse(DEFAULT_KEY_PREFIX);
    StatsPolicy policy = StatsPolicy.fromSwitches(name -> p.getString(name).orElse(null));
    return new LayoutSettings(layout, zone, window, policy, keyPrefix);
  }

  /** Whether these settings select the compact layout. */
  public boolean compact() {
    return layout.equals(UsageLayouts.COMPACT);
  }

  /** The layout these settings describe, configured from them. */
  public UsageLayout toLayout() {
    UsageLayout crs = UsageLayouts.crs(zone, metricsWindow, statsPolicy);
    return compact()
        ? new CompactLayout(new ZoneBuckets(zone), metricsWindow, statsPolicy, keyPrefix)
        : crs;
  }

  private static String layoutName(String text) {
    String v = text.toLowerCase(Locale.ROOT);
    if (!v.equals(UsageLayouts.CRS) && !v.equals(UsageLayouts.COMPACT)) {
      throw new IllegalArgumentException("not a layout: " + text);
    }
    return v;
  }

  /** A positive whole number of minutes whose minute-hash TTL ({@code x 120} s) fits a long. */
  private static boolean wholeMinutes(Duration d) {
    return d.toMinutes() >= 1
        && d.equals(Duration.ofMinutes(d.toMinutes()))
        && d.toMinutes() <= Long.MAX_VALUE / 120;
  }
}
