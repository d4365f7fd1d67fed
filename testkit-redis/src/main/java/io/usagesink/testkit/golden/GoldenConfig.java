package io.usagesink.testkit.golden;

import io.usagesink.layout.StatsPolicy;
import io.usagesink.layout.UsageLayout;
import io.usagesink.layout.UsageLayouts;
import java.time.Duration;
import java.time.ZoneOffset;

/**
 * The CRS configuration the golden data was recorded with.
 *
 * @param timezoneOffsetHours CRS {@code timezoneOffset} (8 in the golden files)
 * @param metricsWindowMinutes CRS {@code metricsWindow} (5 in the golden files)
 */
public record GoldenConfig(int timezoneOffsetHours, int metricsWindowMinutes) {

  /** The fixed zone CRS used. */
  public ZoneOffset zone() {
    return ZoneOffset.ofHours(timezoneOffsetHours);
  }

  /** The metrics window CRS used. */
  public Duration metricsWindow() {
    return Duration.ofMinutes(metricsWindowMinutes);
  }

  /** The reference layout configured as CRS was, with every statistic on. */
  public UsageLayout referenceLayout() {
    return UsageLayouts.crs(zone(), metricsWindow(), StatsPolicy.ALL);
  }
}
