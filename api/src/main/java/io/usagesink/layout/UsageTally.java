package io.usagesink.layout;

import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * The summed usage of one or more requests that share key, account, model and time bucket: the
 * input of a {@link UsageLayout}. One event gives a tally with {@code requests == 1}; an aggregating
 * sink sums many events into one tally per bucket ({@link #plus(UsageTally)}) and plans the tally
 * once, which yields exactly the counters of planning each event and summing (the bucket is the
 * layout's {@link UsageLayout#bucketStart(Instant)}).
 *
 * <p>Immutable and thread-safe. Long-context tokens are tallied apart ({@code longContext*})
 * because the layout books them in extra fields that exist only once a long-context request has
 * been seen. Validated on construction: counts are {@code >= 0}, {@code longContextRequests <=
 * requests}, the long-context tokens do not exceed the input and output tokens, and the four token
 * kinds sum to a value that fits in a {@code long}; an invalid value
 * throws {@link IllegalArgumentException} naming the field and the value.
 *
 * @param at any instant inside the bucket (for a single event, its time)
 * @param keyId the API key, or {@code null}
 * @param accountId the account, or {@code null}
 * @param model the model name as recorded (not yet normalised)
 * @param requests number of requests
 * @param inputTokens summed input tokens
 * @param outputTokens summed output tokens
 * @param cacheCreateTokens summed cache-create tokens
 * @param cacheReadTokens summed cache-read tokens
 * @param ephemeral5mTokens summed 5-minute ephemeral tokens
 * @param ephemeral1hTokens summed 1-hour ephemeral tokens
 * @param longContextRequests number of long-context requests among {@code requests}
 * @param longContextInputTokens input tokens of the long-context requests
 * @param longContextOutputTokens output tokens of the long-context requests
 * @param realCostMicros summed real cost in micro-dollars
 * @param ratedCostMicros summed rated cost in micro-dollars
 */
public record UsageTally(
    Instant at,
    String keyId,
    String accountId,
    String model,
    long requests,
    long inputTokens,
    long outputTokens,
    long cacheCreateTokens,
    long cacheReadTokens,
    long ephemeral5mTokens,
    long ephemeral1hTokens,
    long longContextRequests,
    long longContextInputTokens,
    long longContextOutputTokens,
    long realCostMicros,
    long ratedCostMicros) {

  /** Validates presence of time, an id and a model, and the counts (see the class documentation). */
  public UsageTally {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(model, "model");
    if (keyId == null && accountId == null) {
      throw new IllegalArgumentException("keyId and accountId are both absent; at least one is required");
    }
    checkCount("requests", requests);
    checkCount("inputTokens", inputTokens);
    checkCount("outputTokens", outputTokens);
    checkCount("cacheCreateTokens", cacheCreateTokens);
    checkCount("cacheReadTokens", cacheReadTokens);
    checkCount("ephemeral5mTokens", ephemeral5mTokens);
    checkCount("ephemeral1hTokens", ephemeral1hTokens);
    checkCount("longContextRequests", longContextRequests);
    checkCount("longContextInputTokens", longContextInputTokens);
    checkCount("longContextOutputTokens", longContextOutputTokens);
    checkCount("realCostMicros", realCostMicros);
    checkCount("ratedCostMicros", ratedCostMicros);
    checkAtMost("longContextRequests", longContextRequests, "requests", requests);
    checkAtMost("longContextInputTokens", longContextInputTokens, "inputTokens", inputTokens);
    checkAtMost("longContextOutputTokens", longContextOutputTokens, "outputTokens", outputTokens);
    if (allTokensOverflow(inputTokens, outputTokens, cacheCreateTokens, cacheReadTokens)) {
      throw new IllegalArgumentException(
          "inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens overflows a long: "
          + inputTokens + " + " + outputTokens + " + " + cacheCreateTokens + " + " + cacheReadTokens);
    }
  }

  /** The tally of a single event. */
  public static UsageTally of(UsageEvent e) {
    boolean lc = e.longContext();
    return new UsageTally(e.at(), e.keyId(), e.accountId(), e.model(), 1,
        e.inputTokens(), e.outputTokens(), e.cacheCreateTokens(), e.cacheReadTokens(),
        e.ephemeral5mTokens(), e.ephemeral1hTokens(),
        lc ? 1 : 0, lc ? e.inputTokens() : 0, lc ? e.outputTokens() : 0,
        e.realCostMicros(), e.ratedCostMicros());
  }

  /**
   * The sum of this tally and {@code other}: every count added, {@code at}, ids and model of this
   * tally. The caller makes sure both lie in the same bucket of the layout they are planned with.
   *
   * @throws IllegalArgumentException if the ids or the model differ
   * @throws ArithmeticException if a sum, or the all-token total of the sum, overflows a long (the
   *     message names the field)
   */
  public UsageTally plus(UsageTally other) {
    if (!Objects.equals(keyId, other.keyId) || !Objects.equals(accountId, other.accountId)
        || !model.equals(other.model)) {
      throw new IllegalArgumentException("cannot sum tallies of different keyId/accountId/model: ("
          + keyId + ", " + accountId + ", " + model + ") and ("
          + other.keyId + ", " + other.accountId + ", " + other.model + ")");
    }
    long in = add("inputTokens", inputTokens, other.inputTokens);
    long out = add("outputTokens", outputTokens, other.outputTokens);
    long cc = add("cacheCreateTokens", cacheCreateTokens, other.cacheCreateTokens);
    long cr = add("cacheReadTokens", cacheReadTokens, other.cacheReadTokens);
    if (allTokensOverflow(in, out, cc, cr)) {
      throw new ArithmeticException("inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens"
          + " of the sum overflows a long: " + in + " + " + out + " + " + cc + " + " + cr);
    }
    return new UsageTally(at, keyId, accountId, model,
        add("requests", requests, other.requests),
        in, out, cc, cr,
        add("ephemeral5mTokens", ephemeral5mTokens, other.ephemeral5mTokens),
        add("ephemeral1hTokens", ephemeral1hTokens, other.ephemeral1hTokens),
        add("longContextRequests", longContextRequests, other.longContextRequests),
        add("longContextInputTokens", longContextInputTokens, other.longContextInputTokens),
        add("longContextOutputTokens", longContextOutputTokens, other.longContextOutputTokens),
        add("realCostMicros", realCostMicros, other.realCostMicros),
        add("ratedCostMicros", ratedCostMicros, other.ratedCostMicros));
  }

  /** Input + output tokens (the layout's {@code tokens} / {@code totalTokens}). */
  public long coreTokens() {
    return inputTokens + outputTokens;
  }

  /** Input + output + cache-create + cache-read tokens (the layout's {@code allTokens}). */
  public long allTokens() {
    return inputTokens + outputTokens + cacheCreateTokens + cacheReadTokens;
  }

  private static boolean allTokensOverflow(long in, long out, long cc, long cr) {
    // all four are >= 0, so overflow shows as a negative partial sum
    long s = in + out;
    if (s < 0) {
      return true;
    }
    s += cc;
    if (s < 0) {
      return true;
    }
    return s + cr < 0;
  }

  private static long add(String field, long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      throw new ArithmeticException(field + " overflows a long: " + a + " + " + b);
    }
    return sum;
  }

  private static void checkCount(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0 but was " + value);
    }
  }

  private static void checkAtMost(String field, long value, String limitField, long limit) {
    if (value > limit) {
      throw new IllegalArgumentException(field + " must be <= " + limitField + " (" + limit + ") but was " + value);
    }
  }
}
