package io.usagesink.layout;

/** What a counter field counts: one number derived from a {@link UsageTally}. */
enum Measure {
  /** Input + output tokens (CRS {@code tokens}, {@code totalTokens} of the per-key hashes). */
  CORE_TOKENS,
  /** Input tokens. */
  INPUT_TOKENS,
  /** Output tokens. */
  OUTPUT_TOKENS,
  /** Cache-create tokens (cache detail). */
  CACHE_CREATE_TOKENS,
  /** Cache-read tokens (cache detail). */
  CACHE_READ_TOKENS,
  /** Input + output + cache-create + cache-read tokens. */
  ALL_TOKENS,
  /** 5-minute ephemeral cache tokens (cache detail). */
  EPHEMERAL_5M_TOKENS,
  /** 1-hour ephemeral cache tokens (cache detail). */
  EPHEMERAL_1H_TOKENS,
  /** Number of requests. */
  REQUESTS,
  /** Input tokens of long-context requests. */
  LONG_CONTEXT_INPUT_TOKENS,
  /** Output tokens of long-context requests. */
  LONG_CONTEXT_OUTPUT_TOKENS,
  /** Number of long-context requests. */
  LONG_CONTEXT_REQUESTS,
  /** Real cost in micro-dollars (HEAD layout). */
  REAL_COST_MICROS,
  /** Rated cost in micro-dollars (HEAD layout). */
  RATED_COST_MICROS;

  /** The value of this measure for {@code t}. */
  long of(UsageTally t) {
    return switch (this) {
      case CORE_TOKENS -> t.coreTokens();
      case INPUT_TOKENS -> t.inputTokens();
      case OUTPUT_TOKENS -> t.outputTokens();
      case CACHE_CREATE_TOKENS -> t.cacheCreateTokens();
      case CACHE_READ_TOKENS -> t.cacheReadTokens();
      case ALL_TOKENS -> t.allTokens();
      case EPHEMERAL_5M_TOKENS -> t.ephemeral5mTokens();
      case EPHEMERAL_1H_TOKENS -> t.ephemeral1hTokens();
      case REQUESTS -> t.requests();
      case LONG_CONTEXT_INPUT_TOKENS -> t.longContextInputTokens();
      case LONG_CONTEXT_OUTPUT_TOKENS -> t.longContextOutputTokens();
      case LONG_CONTEXT_REQUESTS -> t.longContextRequests();
      case REAL_COST_MICROS -> t.realCostMicros();
      case RATED_COST_MICROS -> t.ratedCostMicros();
    };
  }

  /** Whether {@link StatsPolicy#detailedCache()} governs fields of this measure. */
  boolean isCacheDetail() {
    return this == CACHE_CREATE_TOKENS || this == CACHE_READ_TOKENS
        || this == EPHEMERAL_5M_TOKENS || this == EPHEMERAL_1H_TOKENS;
  }
}
