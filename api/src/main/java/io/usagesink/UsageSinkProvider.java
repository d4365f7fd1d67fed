package io.usagesink;

/**
 * A factory of {@link UsageSink}s, found with {@link java.util.ServiceLoader}.
 *
 * <p>A backend jar registers its provider in {@code
 * META-INF/services/io.usagesink.UsageSinkProvider} (and with {@code provides
 * io.usagesink.UsageSinkProvider with ...} in its {@code module-info}). Discovery instantiates
 * providers but never calls {@link #create(SinkConfig)} on any but the chosen one, so a provider's
 * constructor must be cheap and must not connect to anything.
 *
 * <p>Implementations are thread-safe and stateless.
 */
public interface UsageSinkProvider {

  /** The name users select this backend by ({@code usagesink.backend}), e.g. {@code redis-lua}. */
  String name();

  /**
   * Which provider wins when several are on the class path and none is named; higher wins, and a
   * tie for the highest is an error asking for a name (see {@link UsageSinks}). Default 0. The
   * project's backends use {@code buffered} 30, {@code redis-lua} 20, {@code redis-pipeline} 10 and
   * {@code noop} {@link Integer#MIN_VALUE} (it never wins by priority).
   */
  default int priority() {
    return 0;
  }

  /**
   * Creates a sink. May connect and start threads. A provider reads and checks its own settings
   * from {@link SinkConfig#properties()} (a {@link ConfigProperties} view: one parser, one message
   * style), as the project's backends do with their {@code RedisOptions} and {@code
   * BufferedOptions}; the layout's settings come from {@link io.usagesink.layout.LayoutSettings}.
   *
   * @throws ConfigurationException if the configuration is not usable for this backend; the message
   *     names the property and the value
   */
  UsageSink create(SinkConfig config);
}
