package io.usagesink.buffered;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Seeded random workloads: several keys, accounts and models, every token kind, across days. */
final class Workloads {
  static final String[] MODELS = {"claude-sonnet-4-20250514", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      "claude-3-opus:latest", "claude-3-haiku-20240307", "unknown"};

  private Workloads() {}

  /** {@code n} events at random instants of {@code [from, from + span)}, in random order. */
  static List<UsageEvent> random(long seed, int n, Instant from, Duration span) {
    Random r = new Random(seed);
    List<UsageEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean key = r.nextInt(5) != 0;
      boolean account = !key || r.nextBoolean();
      events.add(UsageEvent.builder()
          .at(from.plusMillis((long) (r.nextDouble() * span.toMillis())))
          .keyId(key ? "k" + r.nextInt(6) : null)
          .accountId(account ? "a" + r.nextInt(3) : null)
          .model(MODELS[r.nextInt(MODELS.length)])
          .inputTokens(r.nextInt(5000)).outputTokens(r.nextInt(2000))
          .cacheCreateTokens(r.nextInt(4) == 0 ? r.nextInt(3000) : 0)
          .cacheReadTokens(r.nextInt(3) == 0 ? r.nextInt(9000) : 0)
          .ephemeral5mTokens(r.nextInt(5) == 0 ? r.nextInt(100) : 0)
          .ephemeral1hTokens(r.nextInt(7) == 0 ? r.nextInt(100) : 0)
          .longContext(r.nextInt(10) == 0)
          .realCostMicros(r.nextInt(1000)).ratedCostMicros(r.nextInt(1000))
          .build());
    }
    return events;
  }

  /** Like {@link #random} but in time order, as a replay with the event clock sees them. */
  static List<UsageEvent> randomInTimeOrder(long seed, int n, Instant from, Duration span) {
    List<UsageEvent> events = random(seed, n, from, span);
    events.sort(Comparator.comparing(UsageEvent::at));
    return events;
  }
}
