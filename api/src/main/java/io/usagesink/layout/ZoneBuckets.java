package io.usagesink.layout;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Time-bucket names and bucket starts for one zone. Immutable and thread-safe.
 *
 * <p>Day, month and hour are the wall-clock fields of the instant at the zone's offset at that
 * instant (for a fixed offset such as {@code +08:00} exactly CRS's {@code t + offset} rule). The
 * minute is the UTC epoch minute, with no zone shift. The year is written as a plain decimal number
 * (four digits for the years 1000-9999), month, day and hour with two digits.
 */
final class ZoneBuckets {

  private static final int SECONDS_PER_DAY = 86_400;

  private final ZoneId zone;
  private final ZoneRules rules;
  private final boolean fixed;
  private final int fixedOffset;

  ZoneBuckets(ZoneId zone) {
    this.zone = zone;
    this.rules = zone.getRules();
    this.fixed = rules.isFixedOffset();
    this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : 0;
  }

  ZoneId zone() {
    return zone;
  }

  private int offsetSeconds(Instant at) {
    return fixed ? fixedOffset : rules.getOffset(at).getTotalSeconds();
  }

  /**
   * Writes the names of the buckets containing {@code at} into {@code vars} (indexed by {@link
   * Placeholder#ordinal()}): {@code DAY}, {@code MONTH}, {@code HOUR} when {@code calendar} is set,
   * {@code MINUTE} when {@code minute} is set.
   */
  void names(Instant at, String[] vars, boolean calendar, boolean minute) {
    long second = at.getEpochSecond();
    if (minute) {
      vars[Placeholder.MINUTE.ordinal()] = Long.toString(Math.floorDiv(second, 60));
    }
    if (calendar) {
      long local = second + offsetSeconds(at);
      LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(local, SECONDS_PER_DAY));
      int hour = Math.floorMod(local, SECONDS_PER_DAY) / 3600;
      String year = Integer.toString(date.getYear());
      char[] month = new char[year.length() + 3];
      year.getChars(0, year.length(), month, 0);
      month[year.length()] = '-';
      twoDigits(date.getMonthValue(), month, year.length() + 1);
      char[] hourName = new char[month.length + 6];
      System.arraycopy(month, 0, hourName, 0, month.length);
      hourName[month.length] = '-';
      twoDigits(date.getDayOfMonth(), hourName, month.length + 1);
      hourName[month.length + 3] = ':';
      twoDigits(hour, hourName, month.length + 4);
      vars[Placeholder.MONTH.ordinal()] = new String(month);
      vars[Placeholder.DAY.ordinal()] = new String(hourName, 0, month.length + 3);
      vars[Placeholder.HOUR.ordinal()] = new String(hourName);
    }
  }

  private static void twoDigits(int value, char[] into, int at) {
    into[at] = (char) ('0' + value / 10);
    into[at + 1] = (char) ('0' + value % 10);
  }

  /**
   * The start of the finest bucket containing {@code at}, given which buckets are in use: the
   * latest of the local day start (always: a month contains its days, and a layout without any
   * calendar key merely gets finer buckets than it needs), the local hour start, the UTC minute
   * start, and (for zones with transitions) the last offset transition at or before {@code at}.
   * Every instant in {@code [result, at]} has the same day, month, hour and minute names as {@code
   * at} (within the buckets in use): between the last transition and {@code at} the offset is
   * constant, so wall-clock time runs monotonically there, and each local bucket start is computed
   * at that offset. Splitting at transitions can make a bucket finer than its name (a DST day has
   * two starts), never coarser.
   */
  Instant bucketStart(Instant at, boolean hour, boolean minute) {
    long second = at.getEpochSecond();
    int offset = offsetSeconds(at);
    long local = second + offset;
    long start = Math.floorDiv(local, SECONDS_PER_DAY) * SECONDS_PER_DAY - offset;
    if (hour) {
      start = Math.max(start, Math.floorDiv(local, 3600) * 3600 - offset);
    }
    if (minute) {
      start = Math.max(start, Math.floorDiv(second, 60) * 60);
    }
    if (!fixed) {
      ZoneOffsetTransition last = rules.previousTransition(Instant.ofEpochSecond(second + 1));
      if (last != null) {
        start = Math.max(start, last.toEpochSecond());
      }
    }
    return Instant.ofEpochSecond(start);
  }
}
