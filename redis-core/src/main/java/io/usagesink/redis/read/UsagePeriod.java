package io.usagesink.redis.read;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A bucket of the stored statistics: all time, one day, one month or one hour, in the layout's zone
 * (the zone the sink was configured with). Immutable.
 */
public final class UsagePeriod {

  /** The granularity of a period. */
  public enum Kind {
    /** Since the first event (the totals hashes). */
    ALL_TIME,
    /** One calendar month. */
    MONTH,
    /** One calendar day. */
    DAY,
    /** One hour of a day. */
    HOUR
  }

  private static final UsagePeriod ALL = new UsagePeriod(Kind.ALL_TIME, null);

  private final Kind kind;
  private final String label;

  private UsagePeriod(Kind kind, String label) {
    this.kind = kind;
    this.label = label;
  }

  /** All time. */
  public static UsagePeriod allTime() {
    return ALL;
  }

  /** One month, e.g. {@code 2025-08}. */
  public static UsagePeriod month(YearMonth month) {
    return new UsagePeriod(Kind.MONTH, Objects.requireNonNull(month, "month").toString());
  }

  /** One day, e.g. {@code 2025-08-15}. */
  public static UsagePeriod day(LocalDate day) {
    return new UsagePeriod(Kind.DAY, Objects.requireNonNull(day, "day").toString());
  }

  /** One hour of a day, {@code hour} 0..23, e.g. {@code 2025-08-15:09}. */
  public static UsagePeriod hour(LocalDate day, int hour) {
    Objects.requireNonNull(day, "day");
    if (hour < 0 || hour > 23) {
      throw new IllegalArgumentException("hour must be 0..23 but was " + hour);
    }
    return new UsagePeriod(Kind.HOUR, day + ":" + (hour < 10 ? "0" : "") + hour);
  }

  /** The month containing {@code at} in {@code zone}. */
  public static UsagePeriod monthOf(Instant at, ZoneId zone) {
    return month(YearMonth.from(at.atZone(zone)));
  }

  /** The day containing {@code at} in {@code zone}. */
  public static UsagePeriod dayOf(Instant at, ZoneId zone) {
    return day(at.atZone(zone).toLocalDate());
  }

  /** The hour containing {@code at} in {@code zone}. */
  public static UsagePeriod hourOf(Instant at, ZoneId zone) {
    LocalDateTime t = LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.HOURS);
    return hour(t.toLocalDate(), t.getHour());
  }

  /** The granularity. */
  public Kind kind() {
    return kind;
  }

  /**
   * The bucket as it appears in key names ({@code 2025-08}, {@code 2025-08-15}, {@code
   * 2025-08-15:09}); empty for all time.
   */
  public String label() {
    return label == null ? "" : label;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UsagePeriod p && p.kind == kind && Objects.equals(p.label, label);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Objects.hashCode(label);
  }

  @Override
  public String toString() {
    return kind == Kind.ALL_TIME ? "all-time" : label;
  }
}
