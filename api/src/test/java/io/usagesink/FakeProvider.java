package io.usagesink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider for discovery tests: counts the sinks it creates. */
final class FakeProvider implements UsageSinkProvider {
  private final String name;
  private final int priority;
  private final AtomicInteger created = new AtomicInteger();

  FakeProvider(String name, int priority) {
    this.name = name;
    this.priority = priority;
  }

  int created() {
    return created.get();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public UsageSink create(SinkConfig config) {
    created.incrementAndGet();
    return new FakeSink(this);
  }

  /** The sink of a {@link FakeProvider}; does nothing. */
  static final class FakeSink implements UsageSink {
    final FakeProvider provider;

    FakeSink(FakeProvider provider) {
      this.provider = provider;
    }

    @Override
    public CompletionStage<Void> record(UsageEvent event) {
      return CompletableFuture.completedStage(null);
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedStage(null);
    }

    @Override
    public void close() {}

    @Override
    public SinkStats stats() {
      return SinkStats.EMPTY;
    }
  }
}
