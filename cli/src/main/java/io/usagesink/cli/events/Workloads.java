package io.usagesink.cli.events;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * The built-in workloads of {@code compare}, generated from a fixed seed so every run on every
 * machine records the same events.
 *
 * <ul>
 *   <li>{@code seed-day}: the originating scenario: 3,000 requests over one simulated day
 *       (2025-08-15, UTC; more in the working hours), 2 upstream accounts, 10 API keys (a few busy,
 *       most quiet), 4 models (one a Bedrock name that the layout normalises), replayed on a clock
 *       that follows the events so the day takes seconds.
 *   <li>{@code busy}: a busy gateway: 200 keys, 5 accounts, the same models and token mix, one
 *       request per millisecond of event time from 2025-08-16T12:00:00Z (a gateway serving 1,000
 *       requests a second), recorded as fast as possible for a fixed real time, on a clock that
 *       follows the events: a buffered flush interval of 1 s then means one flush per 1,000
 *       requests, however fast this machine records them.
 * </ul>
 *
 * Every event has both a {@code keyId} and an {@code accountId}, like a real gateway request, and
 * an {@code id}. The token mix: input tokens log-normal around 1,800; output around 350; 60% of
 * requests read the prompt cache (around 18,000 tokens), 25% write it (around 2,500 tokens, 85% of
 * them with the 5-minute lifetime, the rest 1 hour); 1% are long-context requests (200k-600k input
 * tokens). Costs follow public per-million-token prices of the model family; the rated cost is the
 * real cost plus 20%.
 */
public final class Workloads {

  /** The seed of every built-in workload. */
  static final long SEED = 20250815L;

  /** Requests per day in the originating scenario. */
  public static final int SEED_DAY_EVENTS = 3_000;

  /** Default time box of {@code busy}. */
  static final Duration BUSY_DEFAULT = Duration.ofSeconds(10);

  static final Instant SEED_DAY = Instant.parse("2025-08-15T00:00:00Z");
  static final Instant BUSY_START = Instant.parse("2025-08-16T12:00:00Z");

  /** Relative request volume per hour of the seed day (UTC). */
  private static final int[] HOURLY_WEIGHT = {
    1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1
  };

  private Workloads() {}

  /** {@code seed-day} with {@code events} requests (3,000 in the scenario). */
  public static Workload seedDay(int events) {
    Random r = new Random(SEED);
    Traffic traffic = new Traffic(r, keys(10), accounts(2), new double[] {0.6, 0.4});
    long[] times = new long[events];
    int total = Arrays.stream(HOURLY_WEIGHT).sum();
    for (int i = 0; i < events; i++) {
      int pick = r.nextInt(total);
      int hour = 0;
      while (pick >= HOURLY_WEIGHT[hour]) {
        pick -= HOURLY_WEIGHT[hour];
        hour++;
      }
      times[i] = SEED_DAY.toEpochMilli() + hour * 3_600_000L + r.nextInt(3_600_000);
    }
    Arrays.sort(times);
    List<UsageEvent> list = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      list.add(traffic.next(String.format("seed-day-%05d", i + 1), Instant.ofEpochMilli(times[i])));
    }
    return Workload.ofEvents(
        "seed-day",
        String.format(
            "%,d requests over one simulated day, 2 accounts, 10 keys, 4 models; event clock",
            events),
        list,
        true);
  }

  /** {@code busy}: recorded for {@code timeBox} (at most {@code maxEvents}). */
  public static Workload busy(Duration timeBox, long maxEvents) {
    Random r = new Random(SEED + 1);
    Traffic traffic =
        new Traffic(r, keys(200), accounts(5), new double[] {0.2, 0.2, 0.2, 0.2, 0.2});
    return new Workload(
        "busy",
        "as many requests as the first backend records in "
            + Durations.format(timeBox)
            + (maxEvents == Long.MAX_VALUE ? "" : String.format(" (at most %,d)", maxEvents))
            + ", 200 keys, 5 accounts, 4 models, 1,000 requests per second of event time; event"
            + " clock",
        i -> traffic.next("busy-" + (i + 1), BUSY_START.plusMillis(i)),
        maxEvents,
        timeBox,
        true);
  }

  /** Distinct requests the sustained phase cycles through. */
  static final int SUSTAINED_TEMPLATES = 4_096;

  /**
   * The endless events of {@code compare}'s sustained phase: {@code busy}'s mix (200 keys, 5
   * accounts, 4 models) cycling through {@value #SUSTAINED_TEMPLATES} pre-drawn requests, each
   * event with a new id ({@code sustained-<n>}) and stamped with the current time, like a live
   * gateway. Cheap to make (no random draws while recording) and never remembered, so it can run as
   * fast as a backend takes events. The iterator is not thread-safe.
   */
  public static Iterator<UsageEvent> sustained() {
    Random r = new Random(SEED + 2);
    Traffic traffic =
        new Traffic(r, keys(200), accounts(5), new double[] {0.2, 0.2, 0.2, 0.2, 0.2});
    UsageEvent[] templates = new UsageEvent[SUSTAINED_TEMPLATES];
    for (int i = 0; i < templates.length; i++) {
      templates[i] = traffic.next("template-" + i, BUSY_START);
    }
    return new Iterator<>() {
      private long n;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public UsageEvent next() {
        UsageEvent t = templates[(int) (n % templates.length)];
        n++;
        return t.toBuilder()
            .id("sustained-" + n)
            .at(Instant.ofEpochMilli(System.currentTimeMillis()))
            .build();
      }
    };
  }

  private static String[] keys(int n) {
    String[] k = new String[n];
    for (int i = 0; i < n; i++) {
      k[i] = String.format(n > 99 ? "key-%03d" : "key-%02d", i + 1);
    }
    return k;
  }

  private static String[] accounts(int n) {
    String[] a = new String[n];
    for (int i = 0; i < n; i++) {
      a[i] = "acct-" + (i + 1);
    }
    return a;
  }

  /** Draws requests. Not thread-safe. */
  private static final class Traffic {
    private static final String[] MODELS = {
      "claude-sonnet-4-20250514",
      "claude-3-5-haiku-20241022",
      "claude-opus-4-20250514",
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
    };
    private static final double[] MODEL_CDF = cdf(new double[] {0.55, 0.25, 0.10, 0.10});

    /** USD per million tokens = micro-dollars per token: input, output, cache write, cache read. */
    private static final double[][] PRICE = {
      {3, 15, 3.75, 0.30}, {0.8, 4, 1, 0.08}, {15, 75, 18.75, 1.5}, {3, 15, 3.75, 0.30}
    };

    private final Random r;
    private final String[] keys;
    private final double[] keyCdf;
    private final String[] accounts;
    private final double[] accountCdf;

    Traffic(Random r, String[] keys, String[] accounts, double[] accountWeights) {
      this.r = r;
      this.keys = keys;
      double[] zipf = new double[keys.length];
      for (int i = 0; i < zipf.length; i++) {
        zipf[i] = 1.0 / (i + 1);
      }
      this.keyCdf = cdf(zipf);
      this.accounts = accounts;
      this.accountCdf = cdf(accountWeights);
    }

    UsageEvent next(String id, Instant at) {
      int m = pick(MODEL_CDF);
      boolean longContext = r.nextDouble() < 0.01;
      long in = longContext ? 200_000 + r.nextInt(400_000) : logNormal(1_800, 1.0, 1, 190_000);
      long out = logNormal(350, 0.9, 1, 32_000);
      long cacheRead = r.nextDouble() < 0.6 ? logNormal(18_000, 0.8, 1, 150_000) : 0;
      long cacheCreate = r.nextDouble() < 0.25 ? logNormal(2_500, 1.0, 1, 100_000) : 0;
      boolean oneHour = r.nextDouble() < 0.15;
      double[] p = PRICE[m];
      double lcIn = longContext ? 2 : 1;
      double lcOut = longContext ? 1.5 : 1;
      long real =
          Math.round(
              in * p[0] * lcIn
                  + out * p[1] * lcOut
                  + cacheCreate * p[2] * (oneHour ? 1.6 : 1)
                  + cacheRead * p[3]);
      return UsageEvent.builder()
          .id(id)
          .at(at)
          .keyId(keys[pick(keyCdf)])
          .accountId(accounts[pick(accountCdf)])
          .model(MODELS[m])
          .inputTokens(in)
          .outputTokens(out)
          .cacheCreateTokens(cacheCreate)
          .cacheReadTokens(cacheRead)
          .ephemeral5mTokens(oneHour ? 0 : cacheCreate)
          .ephemeral1hTokens(oneHour ? cacheCreate : 0)
          .longContext(longContext)
          .realCostMicros(real)
          .ratedCostMicros(Math.round(real * 1.2))
          .build();
    }

    private long logNormal(double median, double sigma, long min, long max) {
      double v = median * Math.exp(sigma * r.nextGaussian());
      return Math.max(min, Math.min(max, Math.round(v)));
    }

    private int pick(double[] cdf) {
      double u = r.nextDouble();
      for (int i = 0; i < cdf.length - 1; i++) {
        if (u < cdf[i]) {
          return i;
        }
      }
      return cdf.length - 1;
    }

    private static double[] cdf(double[] weights) {
      double sum = Arrays.stream(weights).sum();
      double[] c = new double[weights.length];
      double acc = 0;
      for (int i = 0; i < weights.length; i++) {
        acc += weights[i] / sum;
        c[i] = acc;
      }
      return c;
    }
  }
}
