package io.usagesink.spring.boot.autoconfigure;

import io.usagesink.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a start-up that failed on the usagesink configuration with the api's message at the top
 * ("Invalid value for property usagesink.buffered.flush-interval=abc. Must be a duration like 500ms
 * or 60s.", "... add usagesink-backend-redis-lua"), instead of a bean-creation stack. Stateless.
 */
public final class UsageSinkConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<ConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
    return new FailureAnalysis(
        "The usagesink sink could not be configured: " + cause.getMessage(),
        "Fix the usagesink.* setting named above (application properties or environment), or add"
            + " the backend jar it names.",
        cause);
  }
}
