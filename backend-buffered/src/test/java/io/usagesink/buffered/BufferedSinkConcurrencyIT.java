package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.read.UsageReader;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** 8 threads x 100,000 events through the buffered backend into a real Redis: exact totals. */
@ExtendWith(RedisExtension.class)
class BufferedSinkConcurrencyIT {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 100_000;
  private static final Instant T0 = Instant.parse("2025-08-15T03:10:00Z");

  @Test
  void eightThreadsOfOneHundredThousandEventsGiveExactTotals(RedisServer redis) throws Exception {
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .shutdownHook(false)
            .flushInterval(Duration.ofMillis(50))
            .build();
    BufferedSink sink = BufferedSink.builder(config).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < PER_THREAD; i++) {
                    // keys shared by every thread, spread over 10 minutes and two models
                    sink.record(
                        UsageEvent.builder()
                            .at(T0.plusMillis(i * 6L))
                            .keyId("k" + (i % 4))
                            .accountId("a" + thread % 2)
                            .model(
                                i % 2 == 0
                                    ? "claude-sonnet-4-20250514"
                                    : "us.anthropic.claude-3-5-sonnet-20241022-v2:0")
                            .inputTokens(1 + i % 5)
                            .outputTokens(2)
                            .cacheReadTokens(i % 3)
                            .build());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      sink.close();
    }

    long total = (long) THREADS * PER_THREAD;
    long input = 0;
    long cacheRead = 0;
    for (int i = 0; i < PER_THREAD; i++) {
      input += 1 + i % 5;
      cacheRead += i % 3;
    }
    input *= THREADS;
    cacheRead *= THREADS;
    try (RedisConnection connection = RedisConnection.open(config)) {
      UsageReader reader = UsageReader.of(connection, config);
      long requests = 0;
      long in = 0;
      for (int k = 0; k < 4; k++) {
        Map<String, Long> h = reader.hash("usage:k" + k);
        requests += h.getOrDefault("totalRequests", 0L);
        in += h.getOrDefault("totalInputTokens", 0L);
      }
      assertThat(requests).isEqualTo(total);
      assertThat(in).isEqualTo(input);
      long accountRequests = 0;
      long accountCacheRead = 0;
      for (int a = 0; a < 2; a++) {
        Map<String, Long> h = reader.hash("account_usage:a" + a);
        accountRequests += h.getOrDefault("totalRequests", 0L);
        accountCacheRead += h.getOrDefault("totalCacheReadTokens", 0L);
      }
      assertThat(accountRequests).isEqualTo(total);
      assertThat(accountCacheRead).isEqualTo(cacheRead);
    }
    SinkStats s = sink.stats();
    assertThat(s.recorded()).isEqualTo(total);
    assertThat(s.stored()).isEqualTo(total);
    assertThat(s.pending()).isZero();
    assertThat(s.failed()).isZero();
  }
}
