package io.usagesink.layout;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Factories of the built-in {@link UsageLayout}s. Every layout returned is immutable and
 * thread-safe.
 *
 * <h2>The reference layout ({@link #crs(ZoneId, Duration, StatsPolicy)})</h2>
 *
 * <p>Reproduces the "full" statistics of claude-relay-service as of 2025-12-26 (commit {@code
 * e187b894}, {@code shared/reference/crs-usage-layout.md} sections 3-8): a tally with a {@code
 * keyId} plans the 80 counters + 10 expiries of {@code incrementTokenUsage} (keys {@code usage:*}
 * and {@code system:metrics:minute:*}), a tally with an {@code accountId} the 52 counters + 6
 * expiries of {@code incrementAccountUsage} (keys {@code account_usage:*}), a tally with both,
 * both. Long-context fields (+3 per total hash, +3 per daily hash) appear only when the tally has
 * {@code longContextRequests > 0}; their values are the tallied long-context input and output
 * tokens and the long-context request count. Zero increments are planned, as CRS sends them. {@code
 * realCostMicros} and {@code ratedCostMicros} are not part of this layout.
 *
 * <p><b>Buckets.</b> Day ({@code YYYY-MM-DD}), month ({@code YYYY-MM}) and hour ({@code
 * YYYY-MM-DD:HH}) are the wall clock of the event instant in {@code zone} (at the offset in force
 * at that instant); with a fixed offset such as {@code +08:00} this is exactly CRS's rule. The
 * minute key is the UTC epoch minute ({@code floor(epochMillis / 60000)}), with no zone shift. The
 * minute hash lives {@code metricsWindow} minutes x 120 seconds (600 s for the default 5 minutes);
 * daily keys 32 days, monthly 365 days, hourly 7 days; the total hashes never expire.
 *
 * <p><b>Finest bucket</b> ({@link UsageLayout#bucketStart}): the UTC minute when minute statistics
 * are on; otherwise the local hour when hourly statistics are on; otherwise the local day. Local
 * hours and days are computed at the offset in force, so half- and quarter-hour zones are exact,
 * and in zones with transitions a bucket also starts at each offset transition (a DST day or a
 * repeated hour is split, never merged).
 *
 * <p><b>Order guaranteed.</b> A plan lists all counters, then all expiries. Counters come in CRS's
 * HINCRBY order (token usage, then account usage), fields in CRS's order; expiries come in CRS's
 * EXPIRE order (token usage, then account usage). This reproduces CRS's command sequence exactly,
 * with one documented difference: CRS sends the six account long-context HINCRBYs <em>after</em>
 * the account EXPIREs; here they are the last account counters, before the EXPIREs. The Redis end
 * state is identical, because those fields live in the account total hash (no TTL) and the daily
 * hash, whose EXPIRE sets the same TTL either way.
 *
 * <p><b>Deviations from CRS</b> (where CRS is plainly wrong):
 *
 * <ul>
 *   <li>A {@code null}, empty or blank model (or one that normalises to empty) is booked as {@code
 *       unknown}; CRS writes an empty segment for {@code ""} and the text {@code null} for {@code
 *       null} ({@link ModelNames}).
 *   <li>The zone is whatever {@link ZoneId} is configured: an offset of 0 ({@code UTC}) stays 0
 *       (CRS reads {@code offset || 8}, so 0 silently becomes +8). Region zones with daylight
 *       saving are supported (CRS has only fixed offsets).
 * </ul>
 *
 * The {@code tokens}-to-output fallback of CRS's {@code incrementTokenUsage} is not applied: a
 * caller passes the output tokens it means.
 *
 * <p><b>Switches.</b> {@link StatsPolicy} removes keys and fields exactly as its documentation
 * says; with every switch on ({@link StatsPolicy#ALL}, the default) a plan holds CRS's 90 (96 with
 * long context) token-usage and 58 (64) account-usage updates.
 */
public final class UsageLayouts {

  private UsageLayouts() {}

  /** The property naming the layout: {@value}; environment variable {@code USAGESINK_LAYOUT}. */
  public static final String LAYOUT_PROPERTY = LayoutSettings.LAYOUT;

  /** Name of the reference layout: {@value}. */
  public static final String CRS = "crs";

  /** Name of the compact layout: {@value}. */
  public static final String COMPACT = "compact";

  /**
   * The layout name {@code config} selects ({@value #LAYOUT_PROPERTY}, env {@code
   * USAGESINK_LAYOUT}): {@value #CRS} (the default) or {@value #COMPACT}, ignoring case and
   * surrounding blanks.
   *
   * @throws ConfigurationException for any other value, naming it
   */
  public static String layoutName(SinkConfig config) {
    return LayoutSettings.from(config).layout();
  }

  /**
   * The layout {@code config} selects ({@link #layoutName}), configured from it ({@link
   * LayoutSettings}).
   */
  public static UsageLayout of(SinkConfig config) {
    return LayoutSettings.from(config).toLayout();
  }

  /**
   * Fails when {@code config} selects the compact layout: for backends that write every event as it
   * comes (they hold no aggregate whose absolute values they could write).
   *
   * @throws ConfigurationException naming the backend and what to use instead
   */
  public static void requireCrs(SinkConfig config, String backend) {
    if (LayoutSettings.from(config).compact()) {
      throw new ConfigurationException(
          "Invalid value for property "
              + LAYOUT_PROPERTY
              + "=compact for usagesink.backend="
              + backend
              + ": the compact layout stores absolute values of aggregates, and "
              + backend
              + " writes each event as it comes, with no aggregate to write. Use"
              + " usagesink.backend=buffered.");
    }
  }

  /**
   * The compact layout configured from {@code config}'s zone, metrics window, policy and key
   * prefix.
   */
  public static CompactLayout compact(SinkConfig config) {
    LayoutSettings s = LayoutSettings.from(config);
    return (CompactLayout)
        new LayoutSettings(COMPACT, s.zone(), s.metricsWindow(), s.statsPolicy(), s.keyPrefix())
            .toLayout();
  }

  /** The reference layout with the defaults: UTC, a 5-minute metrics window, every statistic. */
  public static UsageLayout crs() {
    LayoutSettings d = LayoutSettings.DEFAULTS;
    return crs(d.zone(), d.metricsWindow(), d.statsPolicy());
  }

  /**
   * The reference layout configured from {@code config}'s zone, metrics window and stats policy.
   */
  public static UsageLayout crs(SinkConfig config) {
    LayoutSettings s = LayoutSettings.from(config);
    return crs(s.zone(), s.metricsWindow(), s.statsPolicy());
  }

  /**
   * The reference layout (see the class documentation).
   *
   * @param zone zone of the day, month and hour buckets (CRS: {@code +08:00})
   * @param metricsWindow the metrics window, a positive whole number of minutes; the minute hash
   *     lives {@code minutes x 120} seconds
   * @param policy which statistics to write
   * @throws IllegalArgumentException if {@code metricsWindow} is not a positive whole number of
   *     minutes (the message names it and its value)
   */
  public static UsageLayout crs(ZoneId zone, Duration metricsWindow, StatsPolicy policy) {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(metricsWindow, "metricsWindow");
    Objects.requireNonNull(policy, "policy");
    if (metricsWindow.toMinutes() < 1
        || !metricsWindow.equals(Duration.ofMinutes(metricsWindow.toMinutes()))) {
      throw new IllegalArgumentException(
          "metricsWindow must be a positive whole number of minutes but was " + metricsWindow);
    }
    try {
      Math.multiplyExact(metricsWindow.toMinutes(), 120L);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("metricsWindow is too large: " + metricsWindow, e);
    }
    return new TableLayout(CrsTables.REFERENCE_2025, new ZoneBuckets(zone), metricsWindow, policy);
  }
}
