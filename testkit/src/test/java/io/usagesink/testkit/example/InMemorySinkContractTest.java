package io.usagesink.testkit.example;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.testkit.contract.StoredState;
import io.usagesink.testkit.contract.UsageSinkContract;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a custom sink's author writes (README, "Writing a custom sink"): a sink that keeps the
 * reference totals in memory, checked by the contract through a {@link StoredState} over that
 * memory. Its classpath is the api, usagesink-testkit and JUnit: no Redis client, no
 * Testcontainers, no usagesink Redis module ({@code ./mvnw -pl testkit dependency:tree} shows it).
 */
class InMemorySinkContractTest extends UsageSinkContract {
  private final InMemorySink sink = new InMemorySink();

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return sink;
  }

  @Override
  protected Optional<StoredState> storedState() {
    return Optional.of(key -> sink.hash(key));
  }

  /** Adds each event's totals to hashes in memory at once; thread-safe. */
  static final class InMemorySink implements UsageSink {
    private final Map<String, Map<String, Long>> hashes = new ConcurrentHashMap<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean closed;

    @Override
    public CompletionStage<Void> record(UsageEvent e) {
      if (e == null) {
        throw new NullPointerException("event");
      }
      if (closed) {
        rejected.incrementAndGet();
        return CompletableFuture.failedStage(new IllegalStateException("sink is closed"));
      }
      if (e.keyId() != null) {
        add("usage:" + e.keyId(), e, true);
      }
      if (e.accountId() != null) {
        add("account_usage:" + e.accountId(), e, false);
      }
      recorded.incrementAndGet();
      return CompletableFuture.completedStage(null);
    }

    private void add(String key, UsageEvent e, boolean ephemeral) {
      Map<String, Long> hash = hashes.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
      hash.merge("totalTokens", e.inputTokens() + e.outputTokens(), Long::sum);
      hash.merge("totalInputTokens", e.inputTokens(), Long::sum);
      hash.merge("totalOutputTokens", e.outputTokens(), Long::sum);
      hash.merge("totalCacheCreateTokens", e.cacheCreateTokens(), Long::sum);
      hash.merge("totalCacheReadTokens", e.cacheReadTokens(), Long::sum);
      hash.merge("totalAllTokens", e.allTokens(), Long::sum);
      if (ephemeral) {
        hash.merge("totalEphemeral5mTokens", e.ephemeral5mTokens(), Long::sum);
        hash.merge("totalEphemeral1hTokens", e.ephemeral1hTokens(), Long::sum);
      }
      hash.merge("totalRequests", 1L, Long::sum);
      if (e.longContext()) {
        hash.merge("totalLongContextInputTokens", e.inputTokens(), Long::sum);
        hash.merge("totalLongContextOutputTokens", e.outputTokens(), Long::sum);
        hash.merge("totalLongContextRequests", 1L, Long::sum);
      }
    }

    Map<String, String> hash(String key) {
      Map<String, String> fields = new TreeMap<>();
      hashes.getOrDefault(key, Map.of()).forEach((f, v) -> fields.put(f, Long.toString(v)));
      return fields;
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedStage(null);
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public SinkStats stats() {
      long r = recorded.get();
      return SinkStats.builder().recorded(r).rejected(rejected.get()).stored(r).build();
    }
  }
}
