package io.usagesink.testkit.golden;

import io.usagesink.UsageEvent;

/**
 * Maps a recorded CRS call to the {@link UsageEvent} that books the same usage. Stateless.
 *
 * <ul>
 *   <li>{@code incrementTokenUsage(keyId, tokens, inputTokens, outputTokens, cacheCreateTokens,
 *       cacheReadTokens, model, ephemeral5mTokens, ephemeral1hTokens, isLongContextRequest)}
 *       becomes an event with {@code keyId} only. CRS's <b>{@code tokens} fallback</b> is applied
 *       here (and only here: the API has no such quirk): when input and output tokens are both 0,
 *       the {@code tokens} argument is booked as output tokens.
 *   <li>{@code incrementAccountUsage(accountId, totalTokens, inputTokens, outputTokens,
 *       cacheCreateTokens, cacheReadTokens, model, isLongContextRequest)} becomes an event with
 *       {@code accountId} only; {@code totalTokens} is ignored, as CRS ignores it. The 2025
 *       signature has no ephemeral arguments (they count 0); CRS HEAD's {@code ephemeral5mTokens}
 *       and {@code ephemeral1hTokens} are read when present.
 * </ul>
 *
 * Counts follow JS {@code x || 0}; an omitted model is {@code unknown} (the JS default), a {@code
 * null} or empty one is passed on as is (the API books it as {@code unknown}, a documented
 * deviation); the event time is the call's frozen "now".
 */
public final class CrsCallAdapter {

  private CrsCallAdapter() {}

  /**
   * The event of {@code call}.
   *
   * @throws IllegalArgumentException if an argument cannot be expressed as a {@link UsageEvent}
   *     (for example a fractional or negative token count)
   */
  public static UsageEvent toEvent(CrsCall call) {
    CrsArgs a = call.args();
    UsageEvent.Builder b =
        UsageEvent.builder()
            .at(call.at())
            .model(a.has("model") ? a.text("model") : UsageEvent.UNKNOWN_MODEL)
            .inputTokens(a.count("inputTokens"))
            .cacheCreateTokens(a.count("cacheCreateTokens"))
            .cacheReadTokens(a.count("cacheReadTokens"))
            .ephemeral5mTokens(a.count("ephemeral5mTokens"))
            .ephemeral1hTokens(a.count("ephemeral1hTokens"))
            .longContext(a.truthy("isLongContextRequest"));
    long in = a.count("inputTokens");
    long out = a.count("outputTokens");
    switch (call.method()) {
      case INCREMENT_TOKEN_USAGE -> {
        if (out == 0 && in == 0) {
          out = a.count("tokens"); // the fallback quirk, spec section 4
        }
        b.keyId(a.text("keyId"));
      }
      case INCREMENT_ACCOUNT_USAGE -> b.accountId(a.text("accountId"));
    }
    return b.outputTokens(out).build();
  }
}
