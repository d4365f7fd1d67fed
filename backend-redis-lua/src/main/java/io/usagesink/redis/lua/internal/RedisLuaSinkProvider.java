package io.usagesink.redis.lua.internal;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinkProvider;
import io.usagesink.redis.lua.RedisLuaSink;

/**
 * Provides {@code redis-lua} (priority {@value #PRIORITY}). Stateless; the constructor does
 * nothing.
 */
public final class RedisLuaSinkProvider implements UsageSinkProvider {

  /** Priority among providers on the class path: {@value}. */
  public static final int PRIORITY = 20;

  /** For {@code ServiceLoader}. */
  public RedisLuaSinkProvider() {}

  @Override
  public String name() {
    return RedisLuaSink.NAME;
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
    return RedisLuaSink.builder().config(config).build();
  }
}
