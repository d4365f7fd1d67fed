package io.usagesink;

import java.time.Instant;
import java.util.Objects;

/**
 * The usage of one API request: who made it ({@code keyId}, {@code accountId}), when, with which
 * model, and how many tokens and how much money it consumed.
 *
 * <p>Immutable and validated on construction. At least one of {@code keyId} and {@code accountId}
 * is present; every count is {@code >= 0}; the four token kinds (input, output, cache create, cache
 * read) sum to a value that fits in a {@code long}. A {@code null} or blank {@code model} becomes
 * {@value #UNKNOWN_MODEL}. Invalid values throw {@link IllegalArgumentException} naming the field
 * and the value.
 *
 * <p>{@code id} is optional. Sinks that apply each event exactly once (such as the Redis Lua
 * backend) use it as the idempotency key and generate one when it is {@code null}; give your own
 * when a retry of your own might submit the same request twice.
 *
 * @param id optional caller-chosen unique id of this event, or {@code null}
 * @param at when the request happened; decides the day, hour and minute buckets
 * @param keyId the API key that made the request, or {@code null}
 * @param accountId the upstream account that served it, or {@code null}
 * @param model the model name as the client gave it (normalisation is the layout's business)
 * @param inputTokens input tokens
 * @param outputTokens output tokens
 * @param cacheCreateTokens tokens written to the prompt cache
 * @param cacheReadTokens tokens read from the prompt cache
 * @param ephemeral5mTokens cache-create tokens with a 5-minute lifetime (a detail of cacheCreate)
 * @param ephemeral1hTokens cache-create tokens with a 1-hour lifetime (a detail of cacheCreate)
 * @param longContext whether the request was a long-context request
 * @param realCostMicros the real cost in micro-dollars (1 USD = 1,000,000)
 * @param ratedCostMicros the rated (billed) cost in micro-dollars
 */
public record UsageEvent(
    String id,
    Instant at,
    String keyId,
    String accountId,
    String model,
    long inputTokens,
    long outputTokens,
    long cacheCreateTokens,
    long cacheReadTokens,
    long ephemeral5mTokens,
    long ephemeral1hTokens,
    boolean longContext,
    long realCostMicros,
    long ratedCostMicros) {

  /** The model name used when none is given. */
  public static final String UNKNOWN_MODEL = "unknown";

  /** Validates every field; see the class documentation. */
  public UsageEvent(
      String id,
      Instant at,
      String keyId,
      String accountId,
      String model,
      long inputTokens,
      long outputTokens,
      long cacheCreateTokens,
      long cacheReadTokens,
      long ephemeral5mTokens,
      long ephemeral1hTokens,
      boolean longContext,
      long realCostMicros,
      long ratedCostMicros) {
    Objects.requireNonNull(at, "at");
    if (id != null && id.isBlank()) {
      throw new IllegalArgumentException("id must be null or non-blank but was \"" + id + "\"");
    }
    this.id = id;
    this.at = at;
    this.keyId = checkId("keyId", keyId);
    this.accountId = checkId("accountId", accountId);
    if (keyId == null && accountId == null) {
      throw new IllegalArgumentException(
          "keyId and accountId are both absent; at least one is required");
    }
    this.model = model == null || model.isBlank() ? UNKNOWN_MODEL : model;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.cacheCreateTokens = cacheCreateTokens;
    this.cacheReadTokens = cacheReadTokens;
    this.ephemeral5mTokens = ephemeral5mTokens;
    this.ephemeral1hTokens = ephemeral1hTokens;
    this.longContext = longContext;
    this.realCostMicros = realCostMicros;
    this.ratedCostMicros = ratedCostMicros;
    Measure.checkCells(cells());
  }

  /**
   * What this event adds to each tallied measure, indexed by {@link Measure#ordinal()} ({@link
   * Measure#TALLIED} cells; a new array each call).
   */
  public long[] cells() {
    long[] cells = new long[Measure.TALLIED];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = Measure.all().get(i).of(this);
    }
    return cells;
  }

  /**
   * Input + output tokens (what the reference layout calls {@code tokens} / {@code totalTokens}).
   */
  public long coreTokens() {
    return Measure.CORE_TOKENS.of(this);
  }

  /** Input + output + cache create + cache read tokens ({@code allTokens}). */
  public long allTokens() {
    return Measure.ALL_TOKENS.of(this);
  }

  /** Returns a builder with every count 0, no ids and model {@value #UNKNOWN_MODEL}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder initialised from this event. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .at(at)
        .keyId(keyId)
        .accountId(accountId)
        .model(model)
        .inputTokens(inputTokens)
        .outputTokens(outputTokens)
        .cacheCreateTokens(cacheCreateTokens)
        .cacheReadTokens(cacheReadTokens)
        .ephemeral5mTokens(ephemeral5mTokens)
        .ephemeral1hTokens(ephemeral1hTokens)
        .longContext(longContext)
        .realCostMicros(realCostMicros)
        .ratedCostMicros(ratedCostMicros);
  }

  private static String checkId(String field, String value) {
    if (value == null) {
      return null;
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(
          field + " must be absent (null) or non-blank but was \"" + value + "\"");
    }
    return value;
  }

  /** Mutable, single-threaded builder of {@link UsageEvent}; {@link #build()} validates. */
  public static final class Builder {
    private String id;
    private Instant at;
    private String keyId;
    private String accountId;
    private String model;
    private long inputTokens;
    private long outputTokens;
    private long cacheCreateTokens;
    private long cacheReadTokens;
    private long ephemeral5mTokens;
    private long ephemeral1hTokens;
    private boolean longContext;
    private long realCostMicros;
    private long ratedCostMicros;

    private Builder() {}

    /**
     * @see UsageEvent#id()
     */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /**
     * @see UsageEvent#at()
     */
    public Builder at(Instant at) {
      this.at = at;
      return this;
    }

    /**
     * @see UsageEvent#keyId()
     */
    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /**
     * @see UsageEvent#accountId()
     */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /**
     * @see UsageEvent#model()
     */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /**
     * @see UsageEvent#inputTokens()
     */
    public Builder inputTokens(long v) {
      this.inputTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#outputTokens()
     */
    public Builder outputTokens(long v) {
      this.outputTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#cacheCreateTokens()
     */
    public Builder cacheCreateTokens(long v) {
      this.cacheCreateTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#cacheReadTokens()
     */
    public Builder cacheReadTokens(long v) {
      this.cacheReadTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#ephemeral5mTokens()
     */
    public Builder ephemeral5mTokens(long v) {
      this.ephemeral5mTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#ephemeral1hTokens()
     */
    public Builder ephemeral1hTokens(long v) {
      this.ephemeral1hTokens = v;
      return this;
    }

    /**
     * @see UsageEvent#longContext()
     */
    public Builder longContext(boolean v) {
      this.longContext = v;
      return this;
    }

    /**
     * @see UsageEvent#realCostMicros()
     */
    public Builder realCostMicros(long v) {
      this.realCostMicros = v;
      return this;
    }

    /**
     * @see UsageEvent#ratedCostMicros()
     */
    public Builder ratedCostMicros(long v) {
      this.ratedCostMicros = v;
      return this;
    }

    /**
     * Sets the count of an {@linkplain Measure#isEventField() event-field} measure.
     *
     * @throws IllegalArgumentException if {@code m} is not an event field (requests, long-context
     *     shares and sums follow from the other fields)
     */
    public Builder count(Measure m, long v) {
      switch (m) {
        case INPUT_TOKENS -> inputTokens = v;
        case OUTPUT_TOKENS -> outputTokens = v;
        case CACHE_CREATE_TOKENS -> cacheCreateTokens = v;
        case CACHE_READ_TOKENS -> cacheReadTokens = v;
        case EPHEMERAL_5M_TOKENS -> ephemeral5mTokens = v;
        case EPHEMERAL_1H_TOKENS -> ephemeral1hTokens = v;
        case REAL_COST_MICROS -> realCostMicros = v;
        case RATED_COST_MICROS -> ratedCostMicros = v;
        default -> throw new IllegalArgumentException(m + " is not a field of an event");
      }
      return this;
    }

    /**
     * Builds the event.
     *
     * @throws IllegalArgumentException if a field is invalid (the message names it)
     * @throws NullPointerException if {@code at} is not set
     */
    public UsageEvent build() {
      return new UsageEvent(
          id,
          at,
          keyId,
          accountId,
          model,
          inputTokens,
          outputTokens,
          cacheCreateTokens,
          cacheReadTokens,
          ephemeral5mTokens,
          ephemeral1hTokens,
          longContext,
          realCostMicros,
          ratedCostMicros);
    }
  }
}
