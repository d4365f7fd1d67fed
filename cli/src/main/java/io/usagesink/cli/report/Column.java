package io.usagesink.cli.report;

import io.usagesink.cli.compare.RunResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The numeric columns of a {@code compare} result row: the one home of each column's header, JSON
 * name, unit, where its value comes from and how it is rounded. The text table ({@link
 * TableFormat}), the JSON document ({@link JsonFormat}) and the HTML page ({@link HtmlReport}) all
 * take their numbers from here, so a column reads the same in all three.
 *
 * <p>Two rules, one per audience. People (table, HTML) read {@link #text(double)}: counts with
 * thousands separators, USD with two decimals, every other figure with 3 significant figures below
 * 100 and as a whole number with thousands separators from 100 up ({@link #number(double)}).
 * Programs (JSON) read {@link #json(double)}: the value rounded half-up to the column's decimals (a
 * whole number when 0).
 *
 * <p>Immutable and thread-safe; nothing here blocks or throws for a finite or non-finite value.
 */
enum Column {
  EVENTS("events", "events", "events", r -> (double) r.events(), Style.COUNT, 0),
  CLIENT_COMMANDS(
      "client cmd/ev",
      "clientCommandsPerEvent",
      "commands/event",
      RunResult::clientCommandsPerEvent,
      Style.NUMBER,
      3),
  SCRIPT_COMMANDS(
      "in scripts/ev",
      "scriptCommandsPerEvent",
      "commands/event",
      RunResult::scriptCommandsPerEvent,
      Style.NUMBER,
      3),
  BILLED_COMMANDS(
      "billed cmd/ev",
      "serverCommandsPerEvent",
      "commands/event",
      RunResult::serverCommandsPerEvent,
      Style.NUMBER,
      3),
  ROUND_TRIPS(
      "round trips/ev",
      "roundTripsPerEvent",
      "round trips/event",
      RunResult::roundTripsPerEvent,
      Style.NUMBER,
      3),
  EVENTS_PER_SECOND(
      "events/s", "eventsPerSecond", "/s", RunResult::eventsPerSecond, Style.NUMBER, 1),
  SUSTAINED_EVENTS_PER_SECOND(
      "sustained ev/s",
      "sustainedEventsPerSecond",
      "/s",
      RunResult::sustainedEventsPerSecond,
      Style.NUMBER,
      1),
  P50_MICROS("p50 µs", "p50", "µs", RunResult::p50Micros, Style.NUMBER, 2),
  P99_MICROS("p99 µs", "p99", "µs", RunResult::p99Micros, Style.NUMBER, 2),
  MAX_MICROS("max µs", "max", "µs", RunResult::maxMicros, Style.NUMBER, 2),
  BILLED_PER_DAY(
      "billed commands/day",
      "billedCommands",
      "commands/day",
      r -> r.projection() == null ? null : r.projection().billedCommands(),
      Style.NUMBER,
      0),
  USD_PER_MONTH(
      "USD/month",
      "usdPerMonth",
      "USD",
      r -> r.projection() == null ? null : r.projection().usdPerMonth(),
      Style.USD,
      2);

  /** The measured columns of a result row, in the order the table and the HTML page show them. */
  static final List<Column> MEASURED =
      List.of(
          EVENTS,
          CLIENT_COMMANDS,
          SCRIPT_COMMANDS,
          BILLED_COMMANDS,
          ROUND_TRIPS,
          EVENTS_PER_SECOND,
          SUSTAINED_EVENTS_PER_SECOND,
          P50_MICROS,
          P99_MICROS,
          MAX_MICROS);

  /** What a person sees where a row has no value (no sustained phase, no projection). */
  static final String MISSING = "-";

  /** How a value is shown to a person. */
  private enum Style {
    COUNT,
    NUMBER,
    USD
  }

  private final String header;
  private final String jsonName;
  private final String unit;
  private final Function<RunResult, Double> value;
  private final Style style;
  private final int jsonDecimals;

  Column(
      String header,
      String jsonName,
      String unit,
      Function<RunResult, Double> value,
      Style style,
      int jsonDecimals) {
    this.header = header;
    this.jsonName = jsonName;
    this.unit = unit;
    this.value = value;
    this.style = style;
    this.jsonDecimals = jsonDecimals;
  }

  /** The column's header in the table and the HTML page. */
  String header() {
    return header;
  }

  /** The column's field name in the JSON document (inside its group where it has one). */
  String jsonName() {
    return jsonName;
  }

  /** The unit of the column's values ({@code /s} for rates). */
  String unit() {
    return unit;
  }

  /** The row's raw value, or {@code null} where the row has none. */
  Double value(RunResult r) {
    return value.apply(r);
  }

  /** The row's value as a person reads it, or {@link #MISSING}. */
  String text(RunResult r) {
    Double v = value(r);
    return v == null ? MISSING : text(v);
  }

  /** A value of this column as a person reads it. */
  String text(double v) {
    return switch (style) {
      case COUNT -> String.format(Locale.ROOT, "%,d", Math.round(v));
      case USD -> String.format(Locale.ROOT, "%,.2f", v);
      case NUMBER -> number(v);
    };
  }

  /**
   * A value of this column as a person reads it, followed by its unit ({@code 4,322/s}, {@code 3.21
   * µs}).
   */
  String textWithUnit(double v) {
    return text(v) + (unit.startsWith("/") ? "" : " ") + unit;
  }

  /** The row's value for the JSON document, or {@code null} where the row has none. */
  Number json(RunResult r) {
    Double v = value(r);
    return v == null ? null : json(v);
  }

  /**
   * A value of this column rounded half-up to its JSON decimals; a whole number when they are 0;
   * NaN is 0.
   */
  Number json(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return 0;
    }
    BigDecimal d = BigDecimal.valueOf(v).setScale(jsonDecimals, RoundingMode.HALF_UP);
    return jsonDecimals == 0 ? (Number) d.longValueExact() : (Number) d.doubleValue();
  }

  /**
   * How a person reads a figure: 3 significant figures below 100 ({@code 0.0123}, {@code 1.00},
   * {@code 48.0}), whole numbers with thousands separators from 100 up ({@code 148}, {@code
   * 12,345}).
   */
  static String number(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
