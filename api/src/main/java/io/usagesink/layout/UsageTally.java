package io.usagesink.layout;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The summed usage of one or more requests that share key, account, model and time bucket: the
 * input of a {@link UsageLayout}. One event gives a tally with {@code requests == 1}; an
 * aggregating sink sums many events into one tally per bucket ({@link #plus(UsageTally)}) and plans
 * the tally once, which yields exactly the counters of planning each event and summing (the bucket
 * is the layout's {@link UsageLayout#bucketStart(Instant)}).
 *
 * <p>A tally holds one cell per {@linkplain Measure#isTallied() tallied measure}, indexed by {@link
 * Measure#ordinal()}; {@link #get(Measure)} also answers the sums of measures. Long-context usage
 * is tallied apart ({@link Measure#longContextOf()}) because the layout books it in extra fields
 * that exist only once a long-context request has been seen.
 *
 * <p>Immutable and thread-safe. Validated on construction ({@link Measure#checkCells}): cells are
 * {@code >= 0}, a long-context share does not exceed its base measure, and every sum of measures
 * fits in a {@code long}; an invalid value throws {@link IllegalArgumentException} naming the
 * measure and the value.
 */
public final class UsageTally {

  private final Instant at;
  private final String keyId;
  private final String accountId;
  private final String model;
  private final long[] cells;

  private UsageTally(Instant at, String keyId, String accountId, String model, long[] cells) {
    this.at = Objects.requireNonNull(at, "at");
    this.model = Objects.requireNonNull(model, "model");
    if (keyId == null && accountId == null) {
      throw new IllegalArgumentException(
          "keyId and accountId are both absent; at least one is required");
    }
    this.keyId = keyId;
    this.accountId = accountId;
    Measure.checkCells(cells);
    this.cells = cells;
  }

  /**
   * A tally of the given cells ({@link Measure#TALLIED} of them, indexed by {@link
   * Measure#ordinal()}; copied).
   *
   * @param at any instant inside the bucket (for a single event, its time)
   * @param keyId the API key, or {@code null}
   * @param accountId the account, or {@code null}
   * @param model the model name as recorded (not yet normalised)
   * @throws IllegalArgumentException if a cell is invalid or both ids are absent
   */
  public static UsageTally of(
      Instant at, String keyId, String accountId, String model, long[] cells) {
    return new UsageTally(at, keyId, accountId, model, cells.clone());
  }

  /**
   * A tally of the given counts by measure; absent tallied measures are 0.
   *
   * @throws IllegalArgumentException if a count is invalid, a measure is a sum, or both ids are
   *     absent
   */
  public static UsageTally of(
      Instant at, String keyId, String accountId, String model, Map<Measure, Long> counts) {
    long[] cells = new long[Measure.TALLIED];
    counts.forEach(
        (m, v) -> {
          if (!m.isTallied()) {
            throw new IllegalArgumentException(m + " is a sum of measures, not a cell of a tally");
          }
          cells[m.ordinal()] = v;
        });
    return new UsageTally(at, keyId, accountId, model, cells);
  }

  /** The tally of a single event. */
  public static UsageTally of(UsageEvent e) {
    return new UsageTally(e.at(), e.keyId(), e.accountId(), e.model(), e.cells());
  }

  /**
   * The sum of this tally and {@code other}: every cell added, {@code at}, ids and model of this
   * tally. The caller makes sure both lie in the same bucket of the layout they are planned with.
   *
   * @throws IllegalArgumentException if the ids or the model differ
   * @throws ArithmeticException if a cell, or a sum of measures of the result, overflows a long
   *     (the message names the measure)
   */
  public UsageTally plus(UsageTally other) {
    if (!Objects.equals(keyId, other.keyId)
        || !Objects.equals(accountId, other.accountId)
        || !model.equals(other.model)) {
      throw new IllegalArgumentException(
          "cannot sum tallies of different keyId/accountId/model: ("
              + keyId
              + ", "
              + accountId
              + ", "
              + model
              + ") and ("
              + other.keyId
              + ", "
              + other.accountId
              + ", "
              + other.model
              + ")");
    }
    long[] sum = new long[cells.length];
    for (int i = 0; i < sum.length; i++) {
      try {
        sum[i] = Math.addExact(cells[i], other.cells[i]);
      } catch (ArithmeticException e) {
        throw new ArithmeticException(
            Measure.all().get(i).fieldName()
                + " overflows a long: "
                + cells[i]
                + " + "
                + other.cells[i]);
      }
    }
    for (Measure m : Measure.sums()) {
      if (m.sumOf(sum) < 0) {
        throw new ArithmeticException(m.overflowMessage(" of the sum", sum));
      }
    }
    return new UsageTally(at, keyId, accountId, model, sum);
  }

  /** The value of {@code m}: its cell, or for a sum of measures the sum of their cells. */
  public long get(Measure m) {
    return m.isTallied() ? cells[m.ordinal()] : m.sumOf(cells);
  }

  /** Number of requests ({@code get(Measure.REQUESTS)}). */
  public long requests() {
    return cells[Measure.REQUESTS.ordinal()];
  }

  /** The cells, indexed by {@link Measure#ordinal()} (a copy). */
  public long[] cells() {
    return cells.clone();
  }

  /** Any instant inside the bucket (for a single event, its time). */
  public Instant at() {
    return at;
  }

  /** The API key, or {@code null}. */
  public String keyId() {
    return keyId;
  }

  /** The account, or {@code null}. */
  public String accountId() {
    return accountId;
  }

  /** The model name as recorded (not yet normalised). */
  public String model() {
    return model;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UsageTally t
        && at.equals(t.at)
        && Objects.equals(keyId, t.keyId)
        && Objects.equals(accountId, t.accountId)
        && model.equals(t.model)
        && Arrays.equals(cells, t.cells);
  }

  @Override
  public int hashCode() {
    return Objects.hash(at, keyId, accountId, model) * 31 + Arrays.hashCode(cells);
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder("UsageTally[at=")
            .append(at)
            .append(", keyId=")
            .append(keyId)
            .append(", accountId=")
            .append(accountId)
            .append(", model=")
            .append(model);
    for (int i = 0; i < cells.length; i++) {
      s.append(", ").append(Measure.all().get(i).fieldName()).append('=').append(cells[i]);
    }
    return s.append(']').toString();
  }
}
