package io.usagesink.cli;

import io.usagesink.SinkConfig;

/**
 * The library configuration as the environment gives it (system properties, then environment
 * variables).
 */
final class Configs {
  private Configs() {}

  /**
   * {@link SinkConfig#from} of the context's properties and environment: {@code REDIS_URL}, {@code
   * usagesink.*}, the {@code ENABLE_*} switches.
   *
   * @throws io.usagesink.ConfigurationException naming the bad setting
   */
  static SinkConfig fromEnvironment(CliContext ctx) {
    return SinkConfig.from(ctx.properties(), ctx.environment());
  }
}
