package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Selection rules and error messages of {@link UsageSinks}, over hand-made provider lists. */
class UsageSinksTest {

  private static final SinkConfig NO_NAME = SinkConfig.builder().build();
  private final RecordingLogger log = new RecordingLogger();

  private static SinkConfig named(String name) {
    return SinkConfig.builder().backend(name).build();
  }

  /** The provider each call of {@code open} chose. */
  private UsageSinkProvider openedBy(
      SinkConfig config, Iterable<? extends UsageSinkProvider> providers) {
    return ((FakeProvider.FakeSink) UsageSinks.open(config, providers, log)).provider;
  }

  /**
   * An iterable whose iterator yields the given items in order: a provider is returned by {@code
   * next()}, a {@link Throwable} is thrown by it (as ServiceLoader throws for a broken entry).
   */
  private static Iterable<UsageSinkProvider> loading(Object... items) {
    return () ->
        new Iterator<>() {
          int i;

          @Override
          public boolean hasNext() {
            return i < items.length;
          }

          @Override
          public UsageSinkProvider next() {
            if (i >= items.length) {
              throw new NoSuchElementException();
            }
            Object item = items[i++];
            if (item instanceof RuntimeException) {
              throw (RuntimeException) item;
            }
            if (item instanceof Error) {
              throw (Error) item;
            }
            return (UsageSinkProvider) item;
          }
        };
  }

  @Nested
  class WithoutAName {

    @Test
    void zeroProvidersIsAnErrorNamingTheJarsToAdd() {
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, List.of(), log))
          .withMessage(
              "No usagesink backend is on the classpath: add one of the jars"
                  + " usagesink-backend-redis-pipeline, usagesink-backend-redis-lua,"
                  + " usagesink-backend-buffered, usagesink-backend-noop (groupId io.usagesink;"
                  + " noop drops every statistic, so choose it only on purpose), or register your"
                  + " own UsageSinkProvider in META-INF/services/io.usagesink.UsageSinkProvider");
    }

    @Test
    void zeroUsableProvidersIsAnErrorThatAlsoNamesTheBrokenOnes() {
      ServiceConfigurationError broken =
          new ServiceConfigurationError(
              "io.usagesink.UsageSinkProvider: Provider com.example.RedisLuaProvider not found");
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, loading(broken), log))
          .withMessageStartingWith("No usagesink backend is on the classpath")
          .withMessageEndingWith(
              ". Skipped 1 provider that failed to load: ServiceConfigurationError:"
                  + " io.usagesink.UsageSinkProvider: Provider com.example.RedisLuaProvider not"
                  + " found");
    }

    @Test
    void theSingleProviderIsChosenWhateverItsPriority() {
      FakeProvider only = new FakeProvider("noop", Integer.MIN_VALUE);
      assertThat(openedBy(NO_NAME, List.of(only))).isSameAs(only);
      assertThat(log.messages(Level.INFO)).isEmpty();
    }

    @Test
    void theHighestPriorityWinsAndTheChoiceIsLoggedWithTheAlternatives() {
      FakeProvider low = new FakeProvider("noop", Integer.MIN_VALUE);
      FakeProvider high = new FakeProvider("buffered", 20);
      FakeProvider middle = new FakeProvider("redis-lua", 10);
      assertThat(openedBy(NO_NAME, List.of(low, high, middle))).isSameAs(high);
      assertThat(log.messages(Level.INFO))
          .containsExactly(
              "Several usagesink backends are on the class path: buffered (priority 20), redis-lua"
                  + " (priority 10), noop (priority -2147483648). Using buffered, the highest"
                  + " priority; set usagesink.backend (or USAGESINK_BACKEND) to choose another.");
    }

    @Test
    void aTieForTheHighestPriorityIsAnErrorAskingForAName() {
      List<FakeProvider> providers =
          List.of(
              new FakeProvider("redis-pipeline", 10),
              new FakeProvider("noop", -1),
              new FakeProvider("redis-lua", 10));
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, providers, log))
          .withMessage(
              "Several usagesink backends share the highest priority 10: redis-lua, redis-pipeline;"
                  + " set usagesink.backend (or USAGESINK_BACKEND) to the one to use. Found:"
                  + " redis-lua (priority 10), redis-pipeline (priority 10), noop (priority -1)");
      assertThat(providers).allMatch(p -> p.created() == 0);
    }
  }

  @Nested
  class ByName {

    @Test
    void anExplicitNameWinsOverPriority() {
      FakeProvider high = new FakeProvider("buffered", 100);
      FakeProvider noop = new FakeProvider("noop", Integer.MIN_VALUE);
      assertThat(openedBy(named("noop"), List.of(high, noop))).isSameAs(noop);
      assertThat(log.shown()).as("nothing ambiguous to report").isEmpty();
    }

    @Test
    void namesAreMatchedIgnoringCaseAndSurroundingSpace() {
      FakeProvider lua = new FakeProvider("redis-lua", 0);
      assertThat(openedBy(named("  Redis-LUA "), List.of(new FakeProvider("noop", 0), lua)))
          .isSameAs(lua);
    }

    @Test
    void aKnownButMissingNameSaysWhichJarToAdd() {
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("redis-lua"), List.of(), log))
          .withMessage(
              "usagesink.backend set to \"redis-lua\" but no provider named redis-lua is on the"
                  + " classpath; add usagesink-backend-redis-lua");
    }

    @Test
    void aKnownButMissingNameAlsoListsTheNamesAvailable() {
      List<FakeProvider> providers =
          List.of(new FakeProvider("noop", 0), new FakeProvider("buffered", 0));
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("redis-lua"), providers, log))
          .withMessage(
              "usagesink.backend set to \"redis-lua\" but no provider named redis-lua is on the"
                  + " classpath; add usagesink-backend-redis-lua (available: buffered, noop)");
    }

    @Test
    void anUnknownNameListsTheNamesAvailable() {
      List<FakeProvider> providers =
          List.of(new FakeProvider("redis-pipeline", 0), new FakeProvider("noop", 0));
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("kafka"), providers, log))
          .withMessage(
              "usagesink.backend set to \"kafka\" but no provider named kafka is on the classpath; "
                  + "available: noop, redis-pipeline");
    }

    @Test
    void anUnknownNameWithNoProviderAtAllNamesTheJarsToAdd() {
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("kafka"), List.of(), log))
          .withMessage(
              "usagesink.backend set to \"kafka\" but no provider named kafka is on the classpath;"
                  + " no provider is on the classpath at all: add one of"
                  + " usagesink-backend-redis-pipeline, usagesink-backend-redis-lua,"
                  + " usagesink-backend-buffered, usagesink-backend-noop");
    }

    @Test
    void aNamedProviderThatFailedToLoadIsNamedInTheError() {
      ServiceConfigurationError broken =
          new ServiceConfigurationError(
              "io.usagesink.UsageSinkProvider: Provider io.usagesink.lua.LuaProvider could not be"
                  + " instantiated",
              new NoClassDefFoundError("io/lettuce/core/RedisClient"));
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("redis-lua"), loading(broken), log))
          .withMessage(
              "usagesink.backend set to \"redis-lua\" but no provider named redis-lua is on the"
                  + " classpath; add usagesink-backend-redis-lua. Skipped 1 provider that failed to"
                  + " load: ServiceConfigurationError: io.usagesink.UsageSinkProvider: Provider"
                  + " io.usagesink.lua.LuaProvider could not be instantiated (caused by"
                  + " NoClassDefFoundError: io/lettuce/core/RedisClient)");
    }

    @Test
    void aCreateThatMeetsAMissingClassNamesItAndForAShippedBackendTheArtifactsToAdd() {
      NoClassDefFoundError missing = new NoClassDefFoundError("io/usagesink/redis/RedisOptions");
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, List.of(creating("buffered", missing)), log))
          // then, on the module path (as this test may run), what to resolve there
          .withMessageStartingWith(
              "usagesink backend buffered cannot start: NoClassDefFoundError:"
                  + " io.usagesink.redis.RedisOptions. usagesink-redis-core and its dependencies"
                  + " (lettuce-core, netty, reactor-core, slf4j-api) are missing from the class"
                  + " path: use the self-contained usagesink-backend-buffered-<version>-all.jar"
                  + " instead of usagesink-backend-buffered-<version>.jar, or add"
                  + " io.usagesink:usagesink-backend-buffered as a Maven/Gradle dependency (or"
                  + " copy its dependencies with mvn dependency:copy-dependencies)")
          .withCause(missing);
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(
              () ->
                  UsageSinks.open(
                      NO_NAME, List.of(creating("acme", new NoClassDefFoundError())), log))
          .withMessage(
              "usagesink backend acme cannot start: NoClassDefFoundError: a class. A dependency"
                  + " of its jar is missing from the class path");
    }

    private UsageSinkProvider creating(String name, Error thrown) {
      return new UsageSinkProvider() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public UsageSink create(SinkConfig config) {
          throw thrown;
        }
      };
    }

    @Test
    void twoDifferentProvidersWithTheSelectedNameAreAnError() {
      UsageSinkProvider other =
          new UsageSinkProvider() {
            @Override
            public String name() {
              return "redis-lua";
            }

            @Override
            public UsageSink create(SinkConfig config) {
              throw new AssertionError("not created");
            }
          };
      List<UsageSinkProvider> providers = List.of(new FakeProvider("redis-lua", 0), other);
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(named("redis-lua"), providers, log))
          .withMessageStartingWith(
              "Several usagesink providers are named redis-lua: io.usagesink.FakeProvider, ")
          .withMessageEndingWith("; remove all but one of their jars");
    }
  }

  @Nested
  class Creation {

    @Test
    void onlyTheChosenProviderCreatesASink() {
      FakeProvider a = new FakeProvider("a", 1);
      FakeProvider b = new FakeProvider("b", 2);
      FakeProvider c = new FakeProvider("c", 3);
      UsageSinks.open(named("b"), List.of(a, b, c), log);
      UsageSinks.open(NO_NAME, List.of(a, b, c), log);
      assertThat(List.of(a.created(), b.created(), c.created())).containsExactly(0, 1, 1);
    }

    @Test
    void theChosenProviderReceivesTheConfiguration() {
      List<SinkConfig> seen = new ArrayList<>();
      UsageSinkProvider p =
          new UsageSinkProvider() {
            @Override
            public String name() {
              return "seeing";
            }

            @Override
            public UsageSink create(SinkConfig config) {
              seen.add(config);
              return new FakeProvider("x", 0).create(config);
            }
          };
      SinkConfig config = named("seeing");
      UsageSinks.open(config, List.of(p), log);
      assertThat(seen).containsExactly(config);
    }

    @Test
    void aConfigurationExceptionOfTheChosenProviderReachesTheCaller() {
      UsageSinkProvider p =
          new UsageSinkProvider() {
            @Override
            public String name() {
              return "picky";
            }

            @Override
            public UsageSink create(SinkConfig config) {
              throw new ConfigurationException("usagesink.redis.uri is required by picky");
            }
          };
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, List.of(p), log))
          .withMessage("usagesink.redis.uri is required by picky");
    }

    @Test
    void aProviderReturningNoSinkIsAnError() {
      UsageSinkProvider p =
          new UsageSinkProvider() {
            @Override
            public String name() {
              return "lazy";
            }

            @Override
            public int priority() {
              return 3;
            }

            @Override
            public UsageSink create(SinkConfig config) {
              return null;
            }
          };
      assertThatIllegalStateException()
          .isThrownBy(() -> UsageSinks.open(NO_NAME, List.of(p), log))
          .withMessage("usagesink provider lazy (priority 3) returned null from create()");
    }
  }

  @Nested
  class BrokenProviders {

    @Test
    void aProviderThatFailsToLoadIsReportedAsAWarningAndSkipped() {
      FakeProvider good = new FakeProvider("good", 0);
      ServiceConfigurationError broken =
          new ServiceConfigurationError(
              "io.usagesink.UsageSinkProvider: Provider com.example.Broken could not be"
                  + " instantiated",
              new IllegalStateException("boom"));
      assertThat(openedBy(NO_NAME, loading(broken, good))).isSameAs(good);
      assertThat(log.shown())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.level()).isEqualTo(Level.WARNING);
                assertThat(e.message())
                    .isEqualTo(
                        "Skipping a usagesink provider that failed to load:"
                            + " ServiceConfigurationError: io.usagesink.UsageSinkProvider: Provider"
                            + " com.example.Broken could not be instantiated (caused by"
                            + " IllegalStateException: boom)");
                assertThat(e.thrown()).isSameAs(broken);
              });
    }

    @Test
    void aMissingDependencyOfAProviderIsReportedAndSkipped() {
      FakeProvider good = new FakeProvider("good", 0);
      assertThat(
              openedBy(
                  NO_NAME, loading(new NoClassDefFoundError("io/lettuce/core/RedisClient"), good)))
          .isSameAs(good);
      assertThat(log.messages(Level.WARNING))
          .containsExactly(
              "Skipping a usagesink provider that failed to load: NoClassDefFoundError:"
                  + " io/lettuce/core/RedisClient");
    }

    @Test
    void aProviderWhoseNameThrowsIsSkipped() {
      UsageSinkProvider throwing =
          new UsageSinkProvider() {
            @Override
            public String name() {
              throw new IllegalStateException("no name today");
            }

            @Override
            public UsageSink create(SinkConfig config) {
              throw new AssertionError("not created");
            }
          };
      FakeProvider good = new FakeProvider("good", 0);
      assertThat(openedBy(NO_NAME, List.of(throwing, good))).isSameAs(good);
      assertThat(log.messages(Level.WARNING))
          .containsExactly(
              "Skipping a usagesink provider that failed to load: IllegalStateException: no name"
                  + " today");
    }

    @Test
    void aProviderWithoutANameIsSkipped() {
      FakeProvider blank = new FakeProvider(" ", 9);
      FakeProvider good = new FakeProvider("good", 0);
      assertThat(openedBy(NO_NAME, List.of(blank, good))).isSameAs(good);
      assertThat(log.messages(Level.WARNING))
          .containsExactly(
              "Skipping a usagesink provider: usagesink provider io.usagesink.FakeProvider has no"
                  + " name (name() returned \" \")");
    }

    @Test
    void anIteratorThatNeverStopsFailingEndsDiscoveryInsteadOfLoopingForever() {
      Iterable<UsageSinkProvider> hopeless =
          () ->
              new Iterator<>() {
                @Override
                public boolean hasNext() {
                  throw new ServiceConfigurationError(
                      "io.usagesink.UsageSinkProvider: Error reading configuration file");
                }

                @Override
                public UsageSinkProvider next() {
                  throw new NoSuchElementException();
                }
              };
      assertThatExceptionOfType(ConfigurationException.class)
          .isThrownBy(() -> UsageSinks.open(NO_NAME, hopeless, log))
          .withMessageContaining("Skipped 100 providers that failed to load");
      assertThat(log.messages(Level.WARNING))
          .hasSize(101)
          .endsWith("Stopped looking for usagesink providers after 100 failures");
    }
  }

  @Test
  void availableBackendsListsTheUsableNamesSorted() {
    Iterable<UsageSinkProvider> providers =
        loading(
            new FakeProvider("redis-pipeline", 1),
            new ServiceConfigurationError("broken"),
            new FakeProvider("buffered", 2),
            new FakeProvider("noop", 0));
    assertThat(UsageSinks.availableBackends(providers, log))
        .containsExactly("buffered", "noop", "redis-pipeline");
    assertThat(log.messages(Level.WARNING)).hasSize(1);
  }

  @Test
  void withNoProvidersOnTheApiClassPathOpenFailsAndNothingIsAvailable() {
    assertThat(UsageSinks.availableBackends()).isEmpty();
    assertThatExceptionOfType(ConfigurationException.class)
        .isThrownBy(() -> UsageSinks.open(NO_NAME))
        .withMessageStartingWith("No usagesink backend is on the classpath");
  }
}
