package io.usagesink.spring.boot.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.micrometer.UsageSinkMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link UsageSinkMetrics} for the application's {@link UsageSink} when Micrometer and
 * {@code usagesink-micrometer} are on the class path; Spring Boot binds it to every meter registry.
 * The {@code backend} tag is {@code usagesink.backend}, else the single backend on the class path,
 * else the sink's class name. Backs off when the application defines its own {@link
 * UsageSinkMetrics}.
 */
@AutoConfiguration(after = UsageSinkAutoConfiguration.class)
@ConditionalOnClass({MeterBinder.class, UsageSinkMetrics.class})
@ConditionalOnBean(UsageSink.class)
public class UsageSinkMetricsAutoConfiguration {

  /** The meters of the sink. */
  @Bean
  @ConditionalOnMissingBean
  public UsageSinkMetrics usageSinkMetrics(UsageSink usageSink, ObjectProvider<SinkConfig> config) {
    return new UsageSinkMetrics(usageSink, BackendNames.of(usageSink, config.getIfAvailable()));
  }
}
