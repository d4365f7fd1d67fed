package io.usagesink.redis.lua.internal;

import io.usagesink.ConfigurationException;
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
   * Creates the sink.
   *
   * @throws ConfigurationException also when a class it needs is missing (the thin jar without
   *     usagesink-redis-core, Lettuce or Netty): the message names what to add
   */
  @Override
  public UsageSink create(SinkConfig config) {
    try {
      return RedisLuaSink.builder().config(config).build();
    } catch (NoClassDefFoundError e) {
      throw missingDependencies(e);
    }
  }

  /** The error for a thin backend jar whose dependencies are not on the class path. */
  ConfigurationException missingDependencies(NoClassDefFoundError e) {
    String missing = e.getMessage() == null ? "a class" : e.getMessage().replace('/', '.');
    return new ConfigurationException(
        "usagesink backend "
            + name()
            + " cannot start: NoClassDefFoundError: "
            + missing
            + ". usagesink-redis-core and its dependencies (lettuce-core, netty, reactor-core,"
            + " slf4j-api) are missing from the class path: use the self-contained"
            + " usagesink-backend-redis-lua-<version>-all.jar instead of"
            + " usagesink-backend-redis-lua-<version>.jar, or add"
            + " io.usagesink:usagesink-backend-redis-lua as a Maven/Gradle dependency (or copy its"
            + " dependencies with mvn dependency:copy-dependencies)"
            + (getClass().getModule().isNamed()
                ? "; on the module path they must also be resolved: --add-modules"
                    + " ALL-MODULE-PATH,jdk.net,jdk.unsupported"
                : ""),
        e);
  }
}
