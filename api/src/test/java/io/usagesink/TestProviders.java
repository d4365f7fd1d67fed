package io.usagesink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Providers for the real-{@link java.util.ServiceLoader} tests. {@link ProviderClassLoader} defines
 * these classes itself (outside any named module), because ServiceLoader ignores class path entries
 * that name classes of a named module, which these test classes are when the api is tested on the
 * module path. They use only public API and no private members of each other.
 */
public final class TestProviders {
  private TestProviders() {}

  /** Priority 5. */
  public static final class Alpha implements UsageSinkProvider {
    /** For ServiceLoader. */
    public Alpha() {}

    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public int priority() {
      return 5;
    }

    @Override
    public UsageSink create(SinkConfig config) {
      return new StubSink("alpha");
    }
  }

  /** Priority 1. */
  public static final class Beta implements UsageSinkProvider {
    /** For ServiceLoader. */
    public Beta() {}

    @Override
    public String name() {
      return "beta";
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public UsageSink create(SinkConfig config) {
      return new StubSink("beta");
    }
  }

  /** A provider whose constructor fails, as one with a missing dependency would. */
  public static final class ThrowingConstructor implements UsageSinkProvider {
    /** Always throws. */
    public ThrowingConstructor() {
      throw new IllegalStateException("boom: this provider cannot start");
    }

    @Override
    public String name() {
      return "throwing";
    }

    @Override
    public UsageSink create(SinkConfig config) {
      throw new AssertionError("never created");
    }
  }

  /** Listed in a services file although it is no provider. */
  public static final class NotAProvider {
    /** For ServiceLoader. */
    public NotAProvider() {}
  }

  /** A sink that knows which provider made it. */
  public static final class StubSink implements UsageSink {
    private final String name;

    /** A sink named after its provider. */
    public StubSink(String name) {
      this.name = name;
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

    @Override
    public String toString() {
      return name;
    }
  }
}
