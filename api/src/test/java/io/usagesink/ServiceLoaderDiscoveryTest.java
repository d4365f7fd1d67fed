package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UsageSinks} over the real {@link ServiceLoader}: a services file naming good providers and
 * the kinds of broken entries real jars have.
 */
class ServiceLoaderDiscoveryTest {

  private static final String ALPHA = TestProviders.Alpha.class.getName();
  private static final String BETA = TestProviders.Beta.class.getName();

  @TempDir Path dir;

  private final RecordingLogger log = new RecordingLogger();

  private ServiceLoader<UsageSinkProvider> loader(String... entries) {
    return ServiceLoader.load(
        UsageSinkProvider.class, new ProviderClassLoader(dir, List.of(entries)));
  }

  @Test
  void brokenEntriesAreReportedAndSkippedAndTheRestAreFound() {
    ServiceLoader<UsageSinkProvider> providers =
        loader(
            "# a comment, as real services files have",
            ALPHA,
            TestProviders.ThrowingConstructor.class.getName(),
            "io.usagesink.NoSuchProvider",
            TestProviders.NotAProvider.class.getName(),
            BETA);

    assertThat(UsageSinks.availableBackends(providers, log)).containsExactly("alpha", "beta");
    assertThat(log.messages(Level.WARNING))
        .satisfiesExactly(
            m ->
                assertThat(m)
                    .startsWith(
                        "Skipping a usagesink provider that failed to load:"
                            + " ServiceConfigurationError: ")
                    .contains("TestProviders$ThrowingConstructor could not be instantiated")
                    .endsWith(
                        "(caused by IllegalStateException: boom: this provider cannot start)"),
            m -> assertThat(m).contains("io.usagesink.NoSuchProvider not found"),
            m -> assertThat(m).contains("TestProviders$NotAProvider not a subtype"));
  }

  @Test
  void theHighestPriorityOfTheLoadedProvidersIsOpened() {
    UsageSink sink = UsageSinks.open(SinkConfig.builder().build(), loader(BETA, ALPHA), log);
    assertThat(sink).hasToString("alpha");
    assertThat(log.messages(Level.INFO))
        .singleElement()
        .asString()
        .contains("alpha (priority 5), beta (priority 1). Using alpha");
  }

  @Test
  void theClassLoaderOverloadDiscoversThroughThatLoader() {
    ProviderClassLoader classLoader = new ProviderClassLoader(dir, List.of(ALPHA, BETA));
    UsageSink sink = UsageSinks.open(SinkConfig.builder().backend("beta").build(), classLoader);
    assertThat(sink).hasToString("beta");
    assertThat(sink.getClass().getClassLoader()).isSameAs(classLoader);
  }
}
