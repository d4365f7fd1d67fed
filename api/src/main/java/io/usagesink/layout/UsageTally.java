package io.usagesink.layout;

import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * The summed usage of one or more requests that share key, account, model and time bucket: the
 * input of a {@link UsageLayout}. One event gives a tally with {@code requests == 1}; an aggregating
 * sink sums many events into one tally per bucket and plans the tally once, which yields exactly the
 * counters of planning each event and summing.
 *
 * <p>Immutable. Long-context tokens are tallied apart ({@code longContext*}) because the layout
 * books them in extra fields that exist only once a long-context request has been seen.
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

  /** Validates presence of time, an id and a model. */
  public UsageTally {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(model, "model");
    if (keyId == null && accountId == null) {
      throw new IllegalArgumentException("keyId and accountId are both absent; at least one is required");
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
}
