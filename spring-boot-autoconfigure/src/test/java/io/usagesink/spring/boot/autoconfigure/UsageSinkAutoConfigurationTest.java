package io.usagesink.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import io.usagesink.SinkStats;
import io.usagesink.UsageEvent;
import io.usagesink.UsageSink;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.layout.StatsPolicy;
import io.usagesink.micrometer.UsageSinkMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class UsageSinkAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageSinkAutoConfiguration.class,
                  UsageSinkMetricsAutoConfiguration.class,
                  UsageSinkHealthContributorAutoConfiguration.class));

  private static final UsageEvent EVENT =
      UsageEvent.builder()
          .at(Instant.parse("2025-08-15T03:10:00Z"))
          .keyId("k1")
          .accountId("a1")
          .model("claude-sonnet-4-20250514")
          .inputTokens(10)
          .outputTokens(5)
          .build();

  /** A sink the application defines itself; never touches Redis. */
  static final class OwnSink implements UsageSink {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public CompletionStage<Void> record(UsageEvent event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> flush() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
      closed.set(true);
    }

    @Override
    public SinkStats stats() {
      return SinkStats.EMPTY;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnSinkConfiguration {
    @Bean
    OwnSink ownSink() {
      return new OwnSink();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class RegistryConfiguration {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void theNoopBackendGivesASinkBeanThatTheContextClosesOnShutdown() {
    UsageSink[] sink = new UsageSink[1];
    runner
        .withPropertyValues("usagesink.backend=noop")
        .run(
            context -> {
              assertThat(context).hasSingleBean(UsageSink.class).hasSingleBean(SinkConfig.class);
              sink[0] = context.getBean(UsageSink.class);
              sink[0].record(EVENT).toCompletableFuture().join();
              assertThat(sink[0].stats().recorded()).isEqualTo(1);
            });
    assertThat(sink[0].record(EVENT).toCompletableFuture()).isCompletedExceptionally();
    assertThat(sink[0].stats().rejected())
        .as("recorded after the context closed the sink")
        .isEqualTo(1);
  }

  @Test
  void propertiesReachTheApiConfiguration() {
    runner
        .withPropertyValues(
            "usagesink.backend=noop",
            "usagesink.zone=+08:00",
            "usagesink.buffered.flush-interval=250ms",
            "usagesink.buffered.max-pending-counters=1000",
            "usagesink.close-timeout=5s",
            "usagesink.redis.uri=redis://:secret@localhost:6390/2",
            "usagesink.layout=compact",
            "usagesink.redis.connect=fail",
            "ENABLE_HOURLY_STATS=false")
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.backend()).hasValue("noop");
              assertThat(LayoutSettings.from(config).zone().getId()).isEqualTo("+08:00");
              assertThat(config.properties().getDuration("usagesink.buffered.flush-interval"))
                  .hasValue(Duration.ofMillis(250));
              assertThat(config.property("usagesink.buffered.max-pending-counters"))
                  .hasValue("1000");
              assertThat(config.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
              assertThat(config.property("usagesink.redis.uri"))
                  .hasValue("redis://:secret@localhost:6390/2");
              assertThat(config.property("usagesink.layout")).hasValue("compact");
              assertThat(config.property("usagesink.redis.connect")).hasValue("fail");
              assertThat(LayoutSettings.from(config).statsPolicy())
                  .isEqualTo(StatsPolicy.ALL.withHourly(false));
            });
  }

  @Test
  void theJournalSettingsReachTheApiUnderTheirApiNamesFromRelaxedNamesToo() {
    runner
        .withPropertyValues(
            "usagesink.backend=noop",
            "usagesink.buffered.journalDir=/var/lib/usagesink",
            "usagesink.buffered.journal-fsync-interval=200ms")
        .withInitializer(
            c ->
                c.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            "systemEnvironment",
                            Map.of("USAGESINK_BUFFERED_JOURNALFSYNC", "always"))))
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.property("usagesink.buffered.journal-dir"))
                  .hasValue("/var/lib/usagesink");
              assertThat(config.property("usagesink.buffered.journal-fsync")).hasValue("always");
              assertThat(config.property("usagesink.buffered.journal-fsync-interval"))
                  .hasValue("200ms");
              assertThat(config.property("usagesink.buffered.journalDir"))
                  .as("bound, not passed again")
                  .isEmpty();
            });
  }

  @Test
  void relaxedNamesAndEnvironmentVariablesBindToTheApiNames() {
    runner
        .withPropertyValues("usagesink.backend=noop", "usagesink.buffered.flushInterval=3s")
        .withInitializer(
            c ->
                c.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            "systemEnvironment",
                            Map.of(
                                "USAGESINK_COMMANDTIMEOUT",
                                "7s",
                                "USAGESINK_ZONE",
                                "Asia/Shanghai"))))
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.properties().getDuration("usagesink.buffered.flush-interval"))
                  .hasValue(Duration.ofSeconds(3));
              assertThat(config.properties().getDuration("usagesink.command-timeout"))
                  .hasValue(Duration.ofSeconds(7));
              assertThat(LayoutSettings.from(config).zone().getId()).isEqualTo("Asia/Shanghai");
              assertThat(config.property("usagesink.buffered.flushInterval"))
                  .as("bound, not passed again")
                  .isEmpty();
              assertThat(config.property("usagesink.commandtimeout")).isEmpty();
            });
  }

  @Test
  void unknownKeysArePassedThroughForCustomBackends() {
    runner
        .withPropertyValues(
            "usagesink.backend=noop",
            "usagesink.my-backend.url=http://collector:4318",
            "usagesink.my-backend.batch=7",
            "usagesink.health.stall-threshold=5s")
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.property("usagesink.my-backend.url"))
                  .hasValue("http://collector:4318");
              assertThat(config.property("usagesink.my-backend.batch")).hasValue("7");
              assertThat(config.property("usagesink.health.stall-threshold"))
                  .as("not the sink's")
                  .isEmpty();
            });
  }

  @Test
  void theSinksOwnShutdownHookIsOffUnlessTheUserSetIt() {
    runner
        .withPropertyValues("usagesink.backend=noop")
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.shutdownHook()).isFalse();
              assertThat(config.property("usagesink.shutdown-hook")).hasValue("false");
            });
    runner
        .withPropertyValues("usagesink.backend=noop", "usagesink.buffered.shutdown-hook=true")
        .run(
            context -> {
              SinkConfig config = context.getBean(SinkConfig.class);
              assertThat(config.shutdownHook()).isTrue();
              assertThat(config.property("usagesink.shutdown-hook")).isEmpty();
            });
  }

  /**
   * The api's exception in the start-up failure's causes (Spring wraps it in bean-creation
   * exceptions).
   */
  private static ConfigurationException configurationFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConfigurationException) {
        return (ConfigurationException) t;
      }
    }
    throw new AssertionError("no ConfigurationException in the causes of " + failure, failure);
  }

  @Test
  void anInvalidValueFailsStartUpWithTheApisMessage() {
    runner
        .withPropertyValues("usagesink.backend=noop", "usagesink.close-timeout=abc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              ConfigurationException e = configurationFailure(context.getStartupFailure());
              assertThat(e)
                  .hasMessage(
                      "Invalid value for property usagesink.close-timeout=abc. Must be a duration"
                          + " like 500ms or 60s.");
              FailureAnalysis analysis =
                  new UsageSinkConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .isEqualTo("The usagesink sink could not be configured: " + e.getMessage());
            });
    // a backend checks its own settings when it opens (the noop backend reads none)
    runner
        .withPropertyValues(
            "usagesink.backend=redis-lua", "usagesink.redis.uri=http://:hunter2@h:1")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(configurationFailure(context.getStartupFailure()))
                  .hasMessageStartingWith("Invalid value for property usagesink.redis.uri=")
                  .hasMessageNotContaining("hunter2");
            });
  }

  @Test
  void aMissingBackendFailsStartUpNamingTheJarToAdd() {
    runner
        .withPropertyValues("usagesink.backend=buffered")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(configurationFailure(context.getStartupFailure()))
                  .hasMessageContaining("add usagesink-backend-buffered");
            });
  }

  @Test
  void theApplicationsOwnSinkWins() {
    runner
        .withUserConfiguration(OwnSinkConfiguration.class)
        .withPropertyValues("usagesink.backend=noop")
        .run(
            context -> {
              assertThat(context).hasSingleBean(UsageSink.class);
              assertThat(context.getBean(UsageSink.class)).isInstanceOf(OwnSink.class);
              assertThat(context)
                  .hasSingleBean(UsageSinkMetrics.class)
                  .hasBean("usagesinkHealthIndicator");
            });
  }

  @Test
  void theMetersAreRegisteredWithMicrometerTaggedWithTheBackend() {
    runner
        .withUserConfiguration(RegistryConfiguration.class)
        .withPropertyValues("usagesink.backend=noop")
        .run(
            context -> {
              assertThat(context).hasSingleBean(UsageSinkMetrics.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              context
                  .getBean(UsageSinkMetrics.class)
                  .bindTo(registry); // Boot's metrics auto-configuration does this
              context.getBean(UsageSink.class).record(EVENT).toCompletableFuture().join();
              assertThat(
                      registry
                          .get("usagesink.events")
                          .tags("backend", "noop", "outcome", "dropped")
                          .functionCounter()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void noMetersWithoutMicrometer() {
    runner
        .withPropertyValues("usagesink.backend=noop")
        .withClassLoader(new FilteredClassLoader(MeterBinder.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(UsageSink.class)
                    .doesNotHaveBean(UsageSinkMetrics.class));
    runner
        .withPropertyValues("usagesink.backend=noop")
        .withClassLoader(new FilteredClassLoader(UsageSinkMetrics.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(UsageSink.class)
                    .doesNotHaveBean("usageSinkMetrics"));
  }

  @Test
  void theHealthIndicatorIsPresentWithHealthSupportAndUp() {
    runner
        .withPropertyValues("usagesink.backend=noop", "usagesink.health.stall-threshold=5s")
        .run(
            context -> {
              assertThat(context).hasBean("usagesinkHealthIndicator");
              UsageSinkHealthIndicator indicator = context.getBean(UsageSinkHealthIndicator.class);
              assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
              assertThat(indicator).hasToString("UsageSinkHealthIndicator{stallThreshold=5s}");
            });
  }

  @Test
  void noHealthIndicatorWithoutHealthSupportOrWhenDisabled() {
    runner
        .withPropertyValues("usagesink.backend=noop")
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(UsageSink.class)
                    .doesNotHaveBean("usagesinkHealthIndicator"));
    runner
        .withPropertyValues("usagesink.backend=noop", "management.health.usagesink.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(UsageSink.class)
                    .doesNotHaveBean("usagesinkHealthIndicator"));
  }
}
