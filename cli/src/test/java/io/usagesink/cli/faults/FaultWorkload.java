package io.usagesink.cli.faults;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Small deterministic workloads for the fault tests: keys {@code k0..k4}, accounts {@code a0..a2},
 * three models, events spread over several hours, every event with at least 10 input tokens (so an
 * increment of {@code totalInputTokens} on an almost-full counter always overflows) and without id
 * (each recorded event is a distinct request).
 */
final class FaultWorkload {
  static final Instant START = Instant.parse("2025-08-15T01:00:00Z");
  static final List<String> MODELS =
      List.of("claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "gpt-4o");

  private FaultWorkload() {}

  /** {@code n} events from {@code seed}, about 97 s apart (300 events span 8 hours). */
  static List<UsageEvent> events(long seed, int n) {
    Random r = new Random(seed);
    List<UsageEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      UsageEvent.Builder b =
          UsageEvent.builder()
              .at(START.plus(Duration.ofSeconds(97L * i + r.nextInt(60))))
              .keyId("k" + r.nextInt(5))
              .accountId("a" + r.nextInt(3))
              .model(MODELS.get(r.nextInt(MODELS.size())))
              .inputTokens(10 + r.nextInt(5_000))
              .outputTokens(r.nextInt(2_000))
              .cacheReadTokens(r.nextInt(4) == 0 ? r.nextInt(10_000) : 0);
      if (r.nextInt(5) == 0) {
        b.cacheCreateTokens(1_000).ephemeral5mTokens(600).ephemeral1hTokens(400);
      }
      out.add(b.build());
    }
    return out;
  }

  /** The events of one API key. */
  static List<UsageEvent> ofKey(List<UsageEvent> events, String keyId) {
    return events.stream().filter(e -> keyId.equals(e.keyId())).collect(Collectors.toList());
  }

  /** One JSON line per event, in the replay command's input format. */
  static String jsonLines(List<UsageEvent> events) {
    StringBuilder sb = new StringBuilder();
    for (UsageEvent e : events) {
      sb.append("{\"at\":\"").append(e.at()).append('"');
      if (e.keyId() != null) {
        sb.append(",\"keyId\":\"").append(e.keyId()).append('"');
      }
      if (e.accountId() != null) {
        sb.append(",\"accountId\":\"").append(e.accountId()).append('"');
      }
      sb.append(",\"model\":\"").append(e.model()).append('"');
      field(sb, "inputTokens", e.inputTokens());
      field(sb, "outputTokens", e.outputTokens());
      field(sb, "cacheCreateTokens", e.cacheCreateTokens());
      field(sb, "cacheReadTokens", e.cacheReadTokens());
      field(sb, "ephemeral5mTokens", e.ephemeral5mTokens());
      field(sb, "ephemeral1hTokens", e.ephemeral1hTokens());
      sb.append("}\n");
    }
    return sb.toString();
  }

  private static void field(StringBuilder sb, String name, long value) {
    if (value != 0) {
      sb.append(",\"").append(name).append("\":").append(value);
    }
  }
}
