package io.usagesink.redis.testing;

import io.usagesink.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random workloads for equivalence tests and benchmarks. Stateless. */
public final class Workloads {
  private static final String[] MODELS = {
    "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "claude-3-opus:latest", "claude-opus-4-1-20250805"
  };
  private static final Instant START = Instant.parse("2025-08-14T20:00:00Z");

  private Workloads() {}

  /**
   * {@code n} events from {@code seed}: 6 API keys, 3 accounts, 5 models (some needing
   * normalisation), spread over 3 days of one month (many days and hours),
   * about 1 in 10 long-context, 1 in 20 with only a key id and 1 in 20 with only an account id.
   */
  public static List<UsageEvent> random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<UsageEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int shape = r.nextInt(20);
      UsageEvent.Builder b = UsageEvent.builder()
          .at(START.plusSeconds(r.nextInt(3 * 86_400)))
          .model(MODELS[r.nextInt(MODELS.length)])
          .inputTokens(r.nextInt(20_000))
          .outputTokens(r.nextInt(4_000))
          .cacheCreateTokens(r.nextInt(4) == 0 ? r.nextInt(10_000) : 0)
          .cacheReadTokens(r.nextInt(3) == 0 ? r.nextInt(50_000) : 0)
          .longContext(r.nextInt(10) == 0);
      long cc = 0;
      if (r.nextBoolean()) {
        cc = r.nextInt(2_000);
        b.ephemeral5mTokens(cc).ephemeral1hTokens(r.nextInt(500));
      }
      if (shape != 0) {
        b.keyId("key-" + r.nextInt(6));
      }
      if (shape != 1) {
        b.accountId("acct-" + r.nextInt(3));
      }
      out.add(b.build());
    }
    return out;
  }
}
