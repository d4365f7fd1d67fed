package io.usagesink.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The kit catches the defects it exists for: it runs {@link UsageSinkContract} against in-memory
 * sinks that write the CRS totals hashes synchronously, one correct and several broken, and counts
 * the contract tests each passes. The broken ones fail every test in which an event is accepted
 * (before the kit read Redis in every test, a sink that dropped everything passed 19 of 21).
 */
class UsageSinkContractSelfTest {

  /** Tests of the kit (every @Test of its nested classes). */
  private static final int CONTRACT_TESTS = 21;

  @Test
  void aCorrectStoringSinkPassesEveryTest() {
    TestExecutionSummary s = run(CorrectSinkContract.class);
    assertThat(s.getTestsFoundCount()).isEqualTo(CONTRACT_TESTS);
    assertThat(s.getFailures()).as("failures").isEmpty();
    assertThat(s.getTestsSkippedCount() + s.getTestsAbortedCount())
        .as("skipped or aborted")
        .isZero();
  }

  @Test
  void aStoringSinkThatDropsEverythingFailsEveryTest() {
    TestExecutionSummary s = run(DroppingSinkContract.class);
    assertThat(s.getTestsFoundCount()).isEqualTo(CONTRACT_TESTS);
    // only the 8 tests in which no event is accepted cannot tell: record(null) x2, building events
    // x2,
    // record after close, flush of an empty sink, flush after close, stats of a new sink (before:
    // 19 of 21)
    assertThat(s.getTestsSucceededCount())
        .as("tests a sink that stores nothing passes")
        .isEqualTo(8);
  }

  @Test
  void aStoringSinkThatLosesOneFieldFailsEveryTestThatStoresAnEvent() {
    TestExecutionSummary s = run(ForgetfulSinkContract.class);
    // those 8, and the one whose single event has no cache-read tokens
    assertThat(s.getTestsSucceededCount())
        .as("tests a sink that loses totalCacheReadTokens passes")
        .isEqualTo(9);
  }

  @Test
  void aStoringSinkThatStoresRejectedEventsFails() {
    TestExecutionSummary s = run(LeakyAfterCloseSinkContract.class);
    assertThat(s.getFailures()).as("failures").hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void aStoringSinkThatLosesAccountOnlyEventsFails() {
    TestExecutionSummary s = run(KeyOnlySinkContract.class);
    assertThat(s.getFailures()).as("failures").isNotEmpty();
    assertThat(s.getFailures().stream().map(f -> f.getTestIdentifier().getDisplayName()).toList())
        .contains("accepts an event with only a key id, and one with only an account id");
  }

  @Test
  void aStoringSinkWhoseBooksAlsoCountStoredEventsAsDeferredFails() {
    TestExecutionSummary s = run(DeferringTooSinkContract.class);
    assertThat(s.getFailures().stream().map(f -> f.getException().getMessage()).toList())
        .as("failures")
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("deferred"));
  }

  @Test
  void aSinkThatDoesNotStoreIsCheckedOnItsStatsOnly() {
    TestExecutionSummary s = run(NonStoringDroppingSinkContract.class);
    assertThat(s.getFailures()).as("failures").isEmpty();
    assertThat(s.getTestsSucceededCount())
        .isEqualTo(CONTRACT_TESTS - 2); // the two stored-data tests abort
    assertThat(s.getTestsAbortedCount()).isEqualTo(2);
  }

  private static TestExecutionSummary run(Class<?> contractClass) {
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contractClass)).build(),
        listener);
    return listener.getSummary();
  }

  // ---------------------------------------------------------------------------------------------

  /** Hashes in memory: hash key -> field -> decimal value. */
  static final class Store implements StoredState {
    final Map<String, Map<String, String>> hashes = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> hash(String key) {
      return Map.copyOf(hashes.getOrDefault(key, Map.of()));
    }

    synchronized void add(String key, Map<String, Long> fields) {
      Map<String, String> hash = hashes.computeIfAbsent(key, k -> new TreeMap<>());
      fields.forEach(
          (f, v) ->
              hash.merge(f, Long.toString(v), (a, b) -> Long.toString(Long.parseLong(a) + v)));
    }
  }

  /**
   * Writes each accepted event's totals at once (its own arithmetic, as a sink would), after
   * passing them through {@code defect}.
   */
  static class MemorySink implements UsageSink {
    private final Store store;
    private final boolean storing;
    private final boolean acceptAfterClose;
    private final UnaryOperator<UsageEvent> defect;
    private volatile boolean closed;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    MemorySink(
        Store store, boolean storing, boolean acceptAfterClose, UnaryOperator<UsageEvent> defect) {
      this.store = store;
      this.storing = storing;
      this.acceptAfterClose = acceptAfterClose;
      this.defect = defect;
    }

    @Override
    public CompletionStage<Void> record(UsageEvent event) {
      if (event == null) {
        throw new NullPointerException("event");
      }
      if (closed) {
        rejected.incrementAndGet();
        if (acceptAfterClose) {
          write(event);
        }
        return CompletableFuture.failedStage(new IllegalStateException("closed"));
      }
      recorded.incrementAndGet();
      UsageEvent written = storing ? defect.apply(event) : null;
      if (written == null) {
        dropped.incrementAndGet();
      } else {
        write(written);
        stored.incrementAndGet();
      }
      return CompletableFuture.completedStage(null);
    }

    private void write(UsageEvent e) {
      if (e.keyId() != null) {
        Map<String, Long> f =
            new TreeMap<>(
                Map.of(
                    "totalTokens",
                    e.coreTokens(),
                    "totalInputTokens",
                    e.inputTokens(),
                    "totalOutputTokens",
                    e.outputTokens(),
                    "totalCacheCreateTokens",
                    e.cacheCreateTokens(),
                    "totalCacheReadTokens",
                    e.cacheReadTokens(),
                    "totalAllTokens",
                    e.allTokens(),
                    "totalEphemeral5mTokens",
                    e.ephemeral5mTokens(),
                    "totalEphemeral1hTokens",
                    e.ephemeral1hTokens(),
                    "totalRequests",
                    1L));
        longContext(e, f);
        store.add("usage:" + e.keyId(), f);
      }
      if (e.accountId() != null) {
        Map<String, Long> f =
            new TreeMap<>(
                Map.of(
                    "totalTokens",
                    e.coreTokens(),
                    "totalInputTokens",
                    e.inputTokens(),
                    "totalOutputTokens",
                    e.outputTokens(),
                    "totalCacheCreateTokens",
                    e.cacheCreateTokens(),
                    "totalCacheReadTokens",
                    e.cacheReadTokens(),
                    "totalAllTokens",
                    e.allTokens(),
                    "totalRequests",
                    1L));
        longContext(e, f);
        store.add("account_usage:" + e.accountId(), f);
      }
    }

    private static void longContext(UsageEvent e, Map<String, Long> f) {
      if (e.longContext()) {
        f.putAll(
            Map.of(
                "totalLongContextInputTokens",
                e.inputTokens(),
                "totalLongContextOutputTokens",
                e.outputTokens(),
                "totalLongContextRequests",
                1L));
      }
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
      return SinkStats.builder()
          .recorded(recorded.get())
          .rejected(rejected.get())
          .stored(stored.get())
          .dropped(dropped.get())
          .build();
    }
  }

  /** Base of the contract classes run here: an in-memory store read back by the kit. */
  abstract static class MemoryContract extends UsageSinkContract {
    final Store store = new Store();

    abstract MemorySink sink(Store store);

    @Override
    protected UsageSink createSink(SinkConfig config) {
      return sink(store);
    }

    @Override
    protected Optional<StoredState> storedState() {
      return Optional.of(store);
    }
  }

  static class CorrectSinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(store, true, false, e -> e);
    }
  }

  static class DroppingSinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(store, true, false, e -> null);
    }
  }

  static class ForgetfulSinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(store, true, false, e -> e.toBuilder().cacheReadTokens(0).build());
    }
  }

  static class LeakyAfterCloseSinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(store, true, true, e -> e);
    }
  }

  static class KeyOnlySinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(
          store,
          true,
          false,
          e -> e.keyId() == null ? null : e.toBuilder().accountId(null).build());
    }
  }

  /** Stores every event, and its stats count each stored event as deferred too. */
  static class DeferringTooSinkContract extends MemoryContract {
    @Override
    MemorySink sink(Store store) {
      return new MemorySink(store, true, false, e -> e) {
        @Override
        public SinkStats stats() {
          SinkStats s = super.stats();
          return s.toBuilder().deferred(s.stored()).build();
        }
      };
    }
  }

  /** Drops everything by design and says it does not store: like noop, it passes on its stats. */
  static class NonStoringDroppingSinkContract extends UsageSinkContract {
    @Override
    protected UsageSink createSink(SinkConfig config) {
      return new MemorySink(new Store(), false, false, e -> null);
    }

    @Override
    protected Optional<StoredState> storedState() {
      return Optional.empty();
    }
  }
}
