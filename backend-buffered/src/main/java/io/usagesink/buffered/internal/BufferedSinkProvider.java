package io.usagesink.buffered.internal;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinkProvider;
import io.usagesink.buffered.BufferedSink;

/**
 * Provider {@value #NAME}, priority {@value #PRIORITY}: the highest of the built-in backends, so
 * that with several backend jars and no name the buffered one (fewest Redis commands) is chosen.
 * Stateless; {@link #create} connects to Redis and starts the flush worker.
 */
public final class BufferedSinkProvider implements UsageSinkProvider {

  /** The backend name. */
  public static final String NAME = "buffered";

  /** The selection priority. */
  public static final int PRIORITY = 30;

  /** Cheap: discovery instantiates every provider. */
  public BufferedSinkProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  /**
   * Creates the sink. A class it needs that is missing (the thin jar without usagesink-redis-core,
   * Lettuce or Netty) throws {@link NoClassDefFoundError}, which {@link
   * io.usagesink.UsageSinks#open} turns into a {@link io.usagesink.ConfigurationException} naming
   * what to add.
   */
  @Override
  public UsageSink create(SinkConfig config) {
    return BufferedSink.builder(config).build();
  }
}
