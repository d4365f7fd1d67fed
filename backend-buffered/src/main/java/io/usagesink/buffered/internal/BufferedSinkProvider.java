package io.usagesink.buffered.internal;

import io.usagesink.ConfigurationException;
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
   * Creates the sink.
   *
   * @throws ConfigurationException also when a class it needs is missing (the thin jar without
   *     usagesink-redis-core, Lettuce or Netty): the message names what to add
   */
  @Override
  public UsageSink create(SinkConfig config) {
    try {
      return BufferedSink.builder(config).build();
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
            + " usagesink-backend-buffered-<version>-all.jar instead of"
            + " usagesink-backend-buffered-<version>.jar, or add"
            + " io.usagesink:usagesink-backend-buffered as a Maven/Gradle dependency (or copy its"
            + " dependencies with mvn dependency:copy-dependencies)"
            + (getClass().getModule().isNamed()
                ? "; on the module path they must also be resolved: --add-modules"
                    + " ALL-MODULE-PATH,jdk.net,jdk.unsupported"
                : ""),
        e);
  }
}
