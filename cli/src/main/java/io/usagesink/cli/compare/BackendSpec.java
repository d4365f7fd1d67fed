package io.usagesink.cli.compare;

import io.usagesink.SinkConfig;
import io.usagesink.cli.events.Durations;
import io.usagesink.layout.UsageLayouts;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One backend configuration that {@code compare} runs: the provider name, for the buffered backend
 * its writer and flush interval, the statistics layout, and whether the CRS writes are frugal.
 * Immutable.
 *
 * @param name the provider name ({@code redis-pipeline}, {@code buffered}, ...)
 * @param writer the buffered backend's writer ({@code lua} or {@code pipeline}) on the CRS layout,
 *     else {@code null}
 * @param flushInterval the buffered backend's flush interval, else {@code null}
 * @param layout {@code crs} or {@code compact} ({@code usagesink.layout})
 * @param expireMemo for frugal CRS writes: the EXPIRE memo ({@code usagesink.crs.expire-memo}, with
 *     {@code usagesink.crs.skip-zero=true}); {@code null} for the byte-exact CRS writes
 */
public record BackendSpec(
    String name, String writer, Duration flushInterval, String layout, Duration expireMemo) {

  public static final String PIPELINE = "redis-pipeline";
  public static final String LUA = "redis-lua";
  public static final String BUFFERED = "buffered";
  public static final String NOOP = "noop";

  /** The frugal-writes properties (redis-core's internal CrsPlanFilter reads them). */
  static final String SKIP_ZERO = "usagesink.crs.skip-zero";

  static final String EXPIRE_MEMO = "usagesink.crs.expire-memo";

  public BackendSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(layout, "layout");
    if (!layout.equals(UsageLayouts.CRS) && !layout.equals(UsageLayouts.COMPACT)) {
      throw new IllegalArgumentException("layout must be crs or compact but was " + layout);
    }
    if (expireMemo != null && layout.equals(UsageLayouts.COMPACT)) {
      throw new IllegalArgumentException(
          "frugal writes are an option of the crs layout, not of compact");
    }
  }

  /** A backend on the CRS layout with the given writer and flush interval (both may be null). */
  public BackendSpec(String name, String writer, Duration flushInterval) {
    this(name, writer, flushInterval, UsageLayouts.CRS, null);
  }

  public static BackendSpec plain(String name) {
    return new BackendSpec(name, null, null);
  }

  /** The buffered backend on the compact layout. */
  public static BackendSpec compact(Duration flushInterval) {
    return new BackendSpec(BUFFERED, null, flushInterval, UsageLayouts.COMPACT, null);
  }

  /**
   * This backend with frugal CRS writes: zero increments skipped, an EXPIRE not resent within
   * {@code memo}.
   */
  public BackendSpec frugal(Duration memo) {
    return new BackendSpec(
        name, writer, flushInterval, layout, Objects.requireNonNull(memo, "memo"));
  }

  public boolean compactLayout() {
    return layout.equals(UsageLayouts.COMPACT);
  }

  public boolean frugal() {
    return expireMemo != null;
  }

  /**
   * The layout as reports show it: {@code crs}, {@code compact}, or {@code none} for noop (stores
   * nothing).
   */
  public String layoutShown() {
    return name.equals(NOOP) ? "none" : layout;
  }

  /**
   * {@code redis-lua}, {@code redis-lua (frugal)}, {@code buffered (lua, 1s)}, {@code buffered
   * (compact, 60s)} or {@code buffered (lua, crs frugal, 60s)}.
   */
  public String label() {
    StringBuilder in = new StringBuilder();
    if (compactLayout()) {
      in.append("compact");
    } else if (writer != null) {
      in.append(writer);
    }
    if (frugal()) {
      in.append(in.length() > 0 ? ", " : "")
          .append(flushInterval == null ? "frugal" : "crs frugal");
    }
    if (flushInterval != null) {
      in.append(in.length() > 0 ? ", " : "").append(Durations.format(flushInterval));
    }
    return in.length() == 0 ? name : name + " (" + in + ")";
  }

  /**
   * The settings shown in reports ({@code writer}, {@code flushInterval}, {@code skipZero} and
   * {@code expireMemo} for frugal writes); empty for plain backends.
   */
  public Map<String, Object> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (writer != null) {
      m.put("writer", writer);
    }
    if (flushInterval != null) {
      m.put("flushInterval", Durations.format(flushInterval));
    }
    if (frugal()) {
      m.put("skipZero", true);
      m.put("expireMemo", Durations.format(expireMemo));
    }
    return m;
  }

  /**
   * {@code base} with this backend selected and its settings applied; the layout and the frugal
   * options are always set, so the environment's {@code USAGESINK_LAYOUT} and {@code
   * USAGESINK_CRS_*} cannot make a row other than its label says.
   */
  SinkConfig.Builder configure(SinkConfig.Builder base) {
    base.backend(name);
    if (writer != null) {
      base.bufferedWriter(writer);
    }
    if (flushInterval != null) {
      base.flushInterval(flushInterval);
    }
    base.property(UsageLayouts.LAYOUT_PROPERTY, layout);
    base.property(SKIP_ZERO, String.valueOf(frugal()));
    base.property(EXPIRE_MEMO, frugal() ? expireMemo.toMillis() + "ms" : "off");
    return base;
  }
}
