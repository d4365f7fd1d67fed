package io.usagesink.bench.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.buffered.BufferedSink;
import io.usagesink.launcher.CommandStats;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end figures of the buffered backend against a real, local Redis (the fixture starts one,
 * or {@code REDIS_URL}), with the Lua writer:
 *
 * <ol>
 *   <li><b>busy</b>: as many events as {@code --threads} threads can record ({@code --events} in
 *       all; 200 keys, 5 accounts, 4 models), with a 1 s flush interval on the wall clock; events/s
 *       counts from the first record until {@code close()} returned with everything stored;
 *   <li><b>seed-day</b>: the originating scenario, 3,000 requests over one simulated day, 2
 *       accounts, 10 keys, 4 models, every request booking key and account statistics, replayed
 *       with the event clock at 1 s and at 60 s flush intervals: client commands (EVALSHA) and
 *       commands run inside scripts per event, from {@code INFO commandstats}.
 * </ol>
 *
 * Usage: {@code java -cp <benchmarks classpath> io.usagesink.bench.buffered.EndToEnd [--events N]
 * [--threads T]}.
 */
public final class EndToEnd {

  private static final String[] MODELS = {
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "claude-opus-4-20250514",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
  };

  private EndToEnd() {}

  /** Runs both measurements and prints them. */
  public static void main(String[] args) throws Exception {
    long events = 20_000_000;
    int threads = 2;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--events" -> events = Long.parseLong(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + "; use --events N, --threads T");
      }
    }
    try (RedisServer redis = RedisFixture.start()) {
      busy(redis, events, threads);
      seedDay(redis, Duration.ofSeconds(1));
      seedDay(redis, Duration.ofSeconds(60));
    }
  }

  private static void busy(RedisServer redis, long total, int threads) throws Exception {
    redis.flushAll();
    redis.resetStats();
    Instant base = Instant.now();
    UsageEvent[] events = new UsageEvent[1 << 16];
    Random r = new Random(1);
    for (int i = 0; i < events.length; i++) {
      events[i] =
          UsageEvent.builder()
              .at(base.plusMillis(r.nextInt(60_000)))
              .keyId("key-" + r.nextInt(200))
              .accountId("acct-" + r.nextInt(5))
              .model(MODELS[r.nextInt(4)])
              .inputTokens(500 + r.nextInt(4000))
              .outputTokens(100 + r.nextInt(1500))
              .cacheReadTokens(r.nextInt(3) == 0 ? r.nextInt(20_000) : 0)
              .build();
    }
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .shutdownHook(false)
            .flushInterval(Duration.ofSeconds(1))
            .build();
    long perThread = total / threads;
    BufferedSink.Builder builder = BufferedSink.builder(config);
    if (Boolean.getBoolean("discard")) {
      builder.writer(new DiscardWriter());
    }
    BufferedSink sink = builder.build();
    long start = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t * 7919;
      Thread w =
          new Thread(
              () -> {
                for (long i = 0; i < perThread; i++) {
                  sink.record(events[(int) ((i + offset) & (events.length - 1))]);
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    long recorded = System.nanoTime();
    sink.close();
    long end = System.nanoTime();
    SinkStats s = sink.stats();
    CommandStats c = redis.commandStats();
    System.out.printf(
        Locale.ROOT,
        "busy: %,d events by %d threads; record %,.0f events/s; end to end (until close stored"
            + " everything) %,.0f events/s; stored=%,d failed=%d dropped=%d flushes=%d; EVALSHA=%d,"
            + " inside scripts=%,d (%.5f client and %.3f inside-script commands per event)%n",
        s.recorded(),
        threads,
        s.recorded() / ((recorded - start) / 1e9),
        s.stored() / ((end - start) / 1e9),
        s.stored(),
        s.failed(),
        s.dropped(),
        s.flushes(),
        c.calls("evalsha"),
        insideScripts(c),
        (double) c.calls("evalsha") / s.recorded(),
        (double) insideScripts(c) / s.recorded());
  }

  private static long insideScripts(CommandStats c) {
    return c.calls("hincrby") + c.calls("expire") + c.calls("set") + c.calls("sadd");
  }

  private static void seedDay(RedisServer redis, Duration interval) throws Exception {
    redis.flushAll();
    Instant dayStart = Instant.parse("2025-08-14T16:00:00Z"); // 00:00 at +08:00
    Random r = new Random(3000);
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      events.add(
          UsageEvent.builder()
              .at(dayStart.plusMillis((long) (r.nextDouble() * 86_400_000L)))
              .keyId("key-" + r.nextInt(10))
              .accountId("acct-" + r.nextInt(2))
              .model(MODELS[r.nextInt(4)])
              .inputTokens(500 + r.nextInt(8000))
              .outputTokens(100 + r.nextInt(2000))
              .cacheCreateTokens(r.nextInt(4) == 0 ? r.nextInt(5000) : 0)
              .cacheReadTokens(r.nextInt(2) == 0 ? r.nextInt(30_000) : 0)
              .build());
    }
    events.sort(Comparator.comparing(UsageEvent::at));
    AtomicReference<Instant> now = new AtomicReference<>(dayStart);
    InstantSource eventClock = now::get;
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .zone(ZoneOffset.ofHours(8))
            .shutdownHook(false)
            .flushInterval(interval)
            .build();
    BufferedSink sink = BufferedSink.builder(config).clock(eventClock).build();
    redis.resetStats();
    long start = System.nanoTime();
    for (UsageEvent e : events) {
      now.set(e.at());
      sink.record(e);
    }
    sink.close();
    long end = System.nanoTime();
    SinkStats s = sink.stats();
    CommandStats c = redis.commandStats();
    double perEvent = (double) insideScripts(c) / s.recorded();
    double client = (double) c.calls("evalsha") / s.recorded();
    System.out.printf(
        Locale.ROOT,
        "seed-day, flush interval %s, event clock: %d events in %.2f s real time; %d batches;"
            + " EVALSHA/event %.3f; inside-script commands/event %.1f (HINCRBY %.1f, EXPIRE %.1f,"
            + " guard SET %.3f); billed commands/day %,.0f (pipeline backend: 148 x 3,000 ="
            + " 444,000)%n",
        interval,
        s.recorded(),
        (end - start) / 1e9,
        s.flushes(),
        client,
        perEvent,
        (double) c.calls("hincrby") / s.recorded(),
        (double) c.calls("expire") / s.recorded(),
        (double) c.calls("set") / s.recorded(),
        (client + perEvent) * s.recorded());
  }
}
