package io.usagesink.testkit.workload;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Seeded random workloads for tests that compare sinks or check a sink against an expectation: the
 * same seed gives the same events on every machine and JVM. Stateless; every method returns a new
 * mutable list.
 */
public final class Workloads {
  private static final String[] MODELS = {
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "claude-3-opus:latest",
    "claude-opus-4-1-20250805"
  };
  private static final String[] SPREAD_MODELS = {
    "claude-sonnet-4-20250514",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "claude-3-opus:latest",
    "claude-3-haiku-20240307",
    "unknown"
  };
  private static final Instant START = Instant.parse("2025-08-14T20:00:00Z");

  private Workloads() {}

  /**
   * {@code n} events from {@code seed}: 6 API keys ({@code key-0..5}), 3 accounts ({@code
   * acct-0..2}), 5 models (some needing normalisation), spread over 3 days of one month from
   * 2025-08-14T20:00Z (many days and hours), about 1 in 10 long-context, 1 in 20 with only a key id
   * and 1 in 20 with only an account id.
   */
  public static List<UsageEvent> random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<UsageEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int shape = r.nextInt(20);
      UsageEvent.Builder b =
          UsageEvent.builder()
              .at(START.plusSeconds(r.nextInt(3 * 86_400)))
              .model(MODELS[r.nextInt(MODELS.length)])
              .inputTokens(r.nextInt(20_000))
              .outputTokens(r.nextInt(4_000))
              .cacheCreateTokens(r.nextInt(4) == 0 ? r.nextInt(10_000) : 0)
              .cacheReadTokens(r.nextInt(3) == 0 ? r.nextInt(50_000) : 0)
              .longContext(r.nextInt(10) == 0);
      if (r.nextBoolean()) {
        b.ephemeral5mTokens(r.nextInt(2_000)).ephemeral1hTokens(r.nextInt(500));
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

  /**
   * {@code n} events from {@code seed} at random instants of {@code [from, from + span)}, in random
   * order: 6 API keys ({@code k0..5}; 1 in 5 events has none), 3 accounts ({@code a0..2}), 5 models
   * (one unknown), every token kind, costs, about 1 in 10 long-context.
   */
  public static List<UsageEvent> random(long seed, int n, Instant from, Duration span) {
    Random r = new Random(seed);
    List<UsageEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean key = r.nextInt(5) != 0;
      boolean account = !key || r.nextBoolean();
      events.add(
          UsageEvent.builder()
              .at(from.plusMillis((long) (r.nextDouble() * span.toMillis())))
              .keyId(key ? "k" + r.nextInt(6) : null)
              .accountId(account ? "a" + r.nextInt(3) : null)
              .model(SPREAD_MODELS[r.nextInt(SPREAD_MODELS.length)])
              .inputTokens(r.nextInt(5000))
              .outputTokens(r.nextInt(2000))
              .cacheCreateTokens(r.nextInt(4) == 0 ? r.nextInt(3000) : 0)
              .cacheReadTokens(r.nextInt(3) == 0 ? r.nextInt(9000) : 0)
              .ephemeral5mTokens(r.nextInt(5) == 0 ? r.nextInt(100) : 0)
              .ephemeral1hTokens(r.nextInt(7) == 0 ? r.nextInt(100) : 0)
              .longContext(r.nextInt(10) == 0)
              .realCostMicros(r.nextInt(1000))
              .ratedCostMicros(r.nextInt(1000))
              .build());
    }
    return events;
  }

  /**
   * Like {@link #random(long, int, Instant, Duration)} but in time order, as a replay with the
   * event clock sees them.
   */
  public static List<UsageEvent> randomInTimeOrder(long seed, int n, Instant from, Duration span) {
    List<UsageEvent> events = random(seed, n, from, span);
    events.sort(Comparator.comparing(UsageEvent::at));
    return events;
  }
}
