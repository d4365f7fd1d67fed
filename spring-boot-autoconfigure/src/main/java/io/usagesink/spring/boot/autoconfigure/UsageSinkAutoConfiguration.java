package io.usagesink.spring.boot.autoconfigure;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configures a {@link UsageSink} from the {@code usagesink.*} properties ({@link
 * UsageSinkProperties}): a {@link SinkConfig} bean read by the api's own parser ({@code
 * SinkConfig.from}), and the sink opened with {@link UsageSinks#open(SinkConfig)}, which picks the
 * backend jar on the class path (or the one named by {@code usagesink.backend}). Both back off when
 * the application defines its own bean. The sink is closed when the context closes, which stores
 * what is pending within {@code usagesink.close-timeout}; its own JVM shutdown hook is off unless
 * configured. Invalid settings fail start-up with the api's {@code ConfigurationException}, naming
 * the property, the value and what is allowed.
 */
@AutoConfiguration
@EnableConfigurationProperties(UsageSinkProperties.class)
public class UsageSinkAutoConfiguration {

  /** The sink's configuration, from the {@code usagesink.*} properties. */
  @Bean
  @ConditionalOnMissingBean
  public SinkConfig usageSinkConfig(UsageSinkProperties properties, Environment environment) {
    return SinkConfig.from(SinkSettings.of(properties, environment), Map.of());
  }

  /** The sink; may block while the chosen backend connects. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public UsageSink usageSink(SinkConfig usageSinkConfig) {
    return UsageSinks.open(usageSinkConfig);
  }
}
