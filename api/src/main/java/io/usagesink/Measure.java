package io.usagesink;

import java.util.Arrays;
import java.util.List;

/**
 * What usage statistics count: the one list of measures that the event, the tallies, the layouts,
 * the buffered accumulators and the CLI's event lines are all driven by. Adding a token kind means
 * adding a constant here (and its case in {@link #of(UsageEvent)}) and the field of {@link
 * UsageEvent} it comes from; everything that sums, validates, plans or reads usage follows.
 *
 * <p>Three kinds of measure:
 *
 * <ul>
 *   <li><b>event fields</b> ({@link #isEventField()}): a count the caller gives on {@link
 *       UsageEvent} under the measure's {@link #fieldName()};
 *   <li><b>tallied</b> ({@link #isTallied()}): the event fields plus {@link #REQUESTS} and the
 *       long-context share of a measure ({@link #longContextOf()}); sums of many events keep one
 *       cell per tallied measure, at index {@link #ordinal()} (tallied measures are declared
 *       first), {@link #TALLIED} of them in all;
 *   <li><b>sums</b> ({@link #parts()}): derived from tallied measures, never stored in a cell;
 *       every sum of valid usage must fit in a {@code long}, as it does in Redis.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public enum Measure {
  /** Number of requests (1 per event). */
  REQUESTS("requests", null),
  /** Input tokens. */
  INPUT_TOKENS("inputTokens", null),
  /** Output tokens. */
  OUTPUT_TOKENS("outputTokens", null),
  /** Tokens written to the prompt cache (cache detail). */
  CACHE_CREATE_TOKENS("cacheCreateTokens", null),
  /** Tokens read from the prompt cache (cache detail). */
  CACHE_READ_TOKENS("cacheReadTokens", null),
  /** Cache-create tokens with a 5-minute lifetime (cache detail). */
  EPHEMERAL_5M_TOKENS("ephemeral5mTokens", null),
  /** Cache-create tokens with a 1-hour lifetime (cache detail). */
  EPHEMERAL_1H_TOKENS("ephemeral1hTokens", null),
  /** Number of long-context requests. */
  LONG_CONTEXT_REQUESTS("longContextRequests", REQUESTS),
  /** Input tokens of long-context requests. */
  LONG_CONTEXT_INPUT_TOKENS("longContextInputTokens", INPUT_TOKENS),
  /** Output tokens of long-context requests. */
  LONG_CONTEXT_OUTPUT_TOKENS("longContextOutputTokens", OUTPUT_TOKENS),
  /** Real cost in micro-dollars (1 USD = 1,000,000). */
  REAL_COST_MICROS("realCostMicros", null),
  /** Rated (billed) cost in micro-dollars. */
  RATED_COST_MICROS("ratedCostMicros", null),
  // sums: declared after every tallied measure; validated in this order (the widest first)
  /** Input + output + cache-create + cache-read tokens ({@code allTokens}). */
  ALL_TOKENS(
      "allTokens", null, INPUT_TOKENS, OUTPUT_TOKENS, CACHE_CREATE_TOKENS, CACHE_READ_TOKENS),
  /** Input + output tokens (the reference layout's {@code tokens} / {@code totalTokens}). */
  CORE_TOKENS("coreTokens", null, INPUT_TOKENS, OUTPUT_TOKENS);

  /** Number of tallied measures: the cells of a sum of usage, indexed by {@link #ordinal()}. */
  public static final int TALLIED =
      (int) Arrays.stream(values()).filter(Measure::isTallied).count();

  private static final List<Measure> ALL = List.of(values());
  private static final List<Measure> EVENT_FIELDS =
      ALL.stream().filter(Measure::isEventField).toList();
  private static final List<Measure> SUMS = ALL.stream().filter(m -> !m.isTallied()).toList();

  static {
    for (Measure m : SUMS) {
      if (m.ordinal() < TALLIED) {
        throw new ExceptionInInitializerError(
            "declare the sum " + m + " after every tallied measure");
      }
    }
  }

  private final String fieldName;
  private final Measure longContextOf;
  private final List<Measure> parts;

  Measure(String fieldName, Measure longContextOf, Measure... parts) {
    this.fieldName = fieldName;
    this.longContextOf = longContextOf;
    this.parts = List.of(parts);
  }

  /**
   * The amount {@code e} adds to this measure: for an event field its value, for {@link #REQUESTS}
   * 1, for a long-context measure its base measure's amount when the event is long-context (else
   * 0), for a sum the sum of its parts.
   */
  public long of(UsageEvent e) {
    return switch (this) {
      case REQUESTS -> 1;
      case INPUT_TOKENS -> e.inputTokens();
      case OUTPUT_TOKENS -> e.outputTokens();
      case CACHE_CREATE_TOKENS -> e.cacheCreateTokens();
      case CACHE_READ_TOKENS -> e.cacheReadTokens();
      case EPHEMERAL_5M_TOKENS -> e.ephemeral5mTokens();
      case EPHEMERAL_1H_TOKENS -> e.ephemeral1hTokens();
      case REAL_COST_MICROS -> e.realCostMicros();
      case RATED_COST_MICROS -> e.ratedCostMicros();
      case LONG_CONTEXT_REQUESTS, LONG_CONTEXT_INPUT_TOKENS, LONG_CONTEXT_OUTPUT_TOKENS ->
          e.longContext() ? longContextOf.of(e) : 0;
      case ALL_TOKENS, CORE_TOKENS -> sum(e);
    };
  }

  private long sum(UsageEvent e) {
    long s = 0;
    for (Measure p : parts) {
      s += p.of(e);
    }
    return s;
  }

  /**
   * The name of this measure in messages, in tallies and, for event fields, on {@link UsageEvent}.
   */
  public String fieldName() {
    return fieldName;
  }

  /**
   * Whether {@link UsageEvent} carries this measure as a count of its own (under {@link
   * #fieldName()}).
   */
  public boolean isEventField() {
    return this != REQUESTS && longContextOf == null && parts.isEmpty();
  }

  /** Whether sums of usage keep a cell for this measure (every measure but the sums of parts). */
  public boolean isTallied() {
    return parts.isEmpty();
  }

  /** The measure this one is the long-context share of, or {@code null}. */
  public Measure longContextOf() {
    return longContextOf;
  }

  /** The tallied measures this one sums; empty unless it is a sum. */
  public List<Measure> parts() {
    return parts;
  }

  /**
   * Whether the detailed-cache switch ({@code ENABLE_DETAILED_CACHE_STATS}) governs fields of this
   * measure.
   */
  public boolean isCacheDetail() {
    return this == CACHE_CREATE_TOKENS
        || this == CACHE_READ_TOKENS
        || this == EPHEMERAL_5M_TOKENS
        || this == EPHEMERAL_1H_TOKENS;
  }

  /** The measures an event carries as counts of its own, in declaration order. */
  public static List<Measure> eventFields() {
    return EVENT_FIELDS;
  }

  /** The measures that are sums of other measures, in the order they are validated. */
  public static List<Measure> sums() {
    return SUMS;
  }

  /** Every measure, in declaration order. */
  public static List<Measure> all() {
    return ALL;
  }

  /**
   * The sum of this measure's parts in {@code cells} (indexed by {@link #ordinal()}, every cell
   * {@code >= 0}), or {@code -1} when it would pass {@code Long.MAX_VALUE}.
   */
  public long sumOf(long[] cells) {
    long s = 0;
    for (Measure p : parts) {
      s += cells[p.ordinal()];
      if (s < 0) { // each part is in [0, Long.MAX_VALUE], so a wrapped partial sum is negative
        return -1;
      }
    }
    return s;
  }

  /**
   * {@code "a + b<qualifier> overflows a long: 1 + 2"}: the message of this sum of {@code cells}
   * when it passes a long; {@code qualifier} is empty or, for example, {@code " of the sum"}.
   */
  public String overflowMessage(String qualifier, long[] cells) {
    StringBuilder names = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (Measure p : parts) {
      String sep = names.length() == 0 ? "" : " + ";
      names.append(sep).append(p.fieldName);
      values.append(sep).append(cells[p.ordinal()]);
    }
    return names + qualifier + " overflows a long: " + values;
  }

  /**
   * Validates the cells of a sum of usage ({@link #TALLIED} of them, indexed by {@link
   * #ordinal()}): every cell is {@code >= 0}, a long-context share is at most its base, every sum
   * fits a {@code long}.
   *
   * @throws IllegalArgumentException naming the measure and the value
   */
  public static void checkCells(long[] cells) {
    if (cells.length != TALLIED) {
      throw new IllegalArgumentException("expected " + TALLIED + " cells but got " + cells.length);
    }
    for (int i = 0; i < TALLIED; i++) {
      if (cells[i] < 0) {
        throw new IllegalArgumentException(
            ALL.get(i).fieldName + " must be >= 0 but was " + cells[i]);
      }
    }
    for (int i = 0; i < TALLIED; i++) {
      Measure base = ALL.get(i).longContextOf;
      if (base != null && cells[i] > cells[base.ordinal()]) {
        throw new IllegalArgumentException(
            ALL.get(i).fieldName
                + " must be <= "
                + base.fieldName
                + " ("
                + cells[base.ordinal()]
                + ") but was "
                + cells[i]);
      }
    }
    for (Measure sum : SUMS) {
      if (sum.sumOf(cells) < 0) {
        throw new IllegalArgumentException(sum.overflowMessage("", cells));
      }
    }
  }
}
