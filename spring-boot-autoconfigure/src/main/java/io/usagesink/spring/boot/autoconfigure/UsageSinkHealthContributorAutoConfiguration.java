package io.usagesink.spring.boot.autoconfigure;

import io.usagesink.UsageSink;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@code usagesink} health indicator ({@link UsageSinkHealthIndicator}) when Spring
 * Boot's health support is on the class path and {@code management.health.usagesink.enabled} is not
 * {@code false}. Its stall threshold is {@code usagesink.health.stall-threshold} (default 60s).
 */
@AutoConfiguration(after = UsageSinkAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(UsageSink.class)
@ConditionalOnEnabledHealthIndicator("usagesink")
@EnableConfigurationProperties(UsageSinkProperties.class)
public class UsageSinkHealthContributorAutoConfiguration {

  /** The indicator; Spring Boot names it "usagesink", after this bean's name. */
  @Bean
  @ConditionalOnMissingBean(name = "usagesinkHealthIndicator")
  public UsageSinkHealthIndicator usagesinkHealthIndicator(
      UsageSink usageSink, UsageSinkProperties properties) {
    return new UsageSinkHealthIndicator(usageSink, properties.getHealth().getStallThreshold());
  }
}
