package io.usagesink.noop.internal;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinkProvider;
import io.usagesink.noop.NoopUsageSink;
import java.util.Objects;

/**
 * Provider {@value NoopUsageSink#NAME}. Its priority is the lowest possible, so noop never wins by
 * priority over any other backend on the class path; it is chosen by name or as the only provider.
 */
public final class NoopUsageSinkProvider implements UsageSinkProvider {

  /** {@link Integer#MIN_VALUE}: noop never wins by priority. */
  public static final int PRIORITY = Integer.MIN_VALUE;

  /** Called by {@link java.util.ServiceLoader}. */
  public NoopUsageSinkProvider() {}

  @Override
  public String name() {
    return NoopUsageSink.NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  /** A new {@link NoopUsageSink}; the configuration is not used. */
  @Override
  public UsageSink create(SinkConfig config) {
    Objects.requireNonNull(config, "config");
    return NoopUsageSink.create();
  }
}
