package io.usagesink;

/**
 * Opens the {@link UsageSink} of the backend on the class path, found with {@link
 * java.util.ServiceLoader}.
 *
 * <p>Selection: the provider named by {@link SinkConfig#backend()} wins; else the single provider
 * on the class path; else the one with the highest {@link UsageSinkProvider#priority()} (the choice
 * and the alternatives are logged). No provider at all is an error naming the jars to add: lost
 * usage statistics are lost billing data, so "statistics off" must be chosen explicitly with
 * {@code noop}.
 */
public final class UsageSinks {
  private UsageSinks() {}

  /**
   * Opens a sink as configured.
   *
   * @throws ConfigurationException when no provider fits or the configuration is invalid
   */
  public static UsageSink open(SinkConfig config) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
