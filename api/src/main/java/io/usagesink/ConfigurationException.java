package io.usagesink;

/**
 * Thrown when configuration is missing, malformed or conflicting. The message names the property,
 * the value (never a secret) and what is allowed.
 */
public final class ConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming property, value and what is allowed. */
  public ConfigurationException(String message) {
    super(message);
  }

  /** Creates the exception with a cause. */
  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
