package io.usagesink.noop;

import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * A sink that accepts every event and drops it: statistics off, chosen on purpose. No I/O, no
 * threads, nothing retained per event; {@link #record(UsageEvent)} only bumps a counter and returns
 * a shared, already completed stage (completion means "dropped").
 *
 * <p>Thread-safe; no method blocks. After {@link #close()}, {@code record} returns a stage failed
 * with {@link IllegalStateException} and counts the event as {@link SinkStats#rejected() rejected}.
 * {@link #stats()} counts every accepted event as both {@code recorded} and {@code dropped}; the
 * Redis counters ({@code commands}, {@code roundTrips}, ...) stay zero.
 */
public final class NoopUsageSink implements UsageSink {

  /** The backend name: {@value}. */
  public static final String NAME = "noop";

  /** Shared by every call: a minimal stage, so no caller can complete or obtrude it. */
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  private final LongAdder recorded = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private volatile boolean closed;

  private NoopUsageSink() {}

  /** A new, open noop sink. Needs no configuration. */
  public static NoopUsageSink create() {
    return new NoopUsageSink();
  }

  @Override
  public CompletionStage<Void> record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      rejected.increment();
      return CompletableFuture.failedStage(
          new IllegalStateException("noop sink is closed; event rejected"));
    }
    recorded.increment();
    return DONE;
  }

  /** Completes at once: nothing is ever pending. */
  @Override
  public CompletionStage<Void> flush() {
    return DONE;
  }

  /** Stops accepting events; returns at once. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public SinkStats stats() {
    long accepted = recorded.sum();
    return SinkStats.builder()
        .recorded(accepted)
        .rejected(rejected.sum())
        .dropped(accepted)
        .build();
  }

  @Override
  public String toString() {
    return "NoopUsageSink{closed=" + closed + "}";
  }
}
