package io.usagesink.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * What a command reads from its surroundings: environment variables, system properties, standard
 * input and whether standard error is a terminal. {@link #system()} is the real one; tests build
 * their own.
 *
 * @param environment environment variables ({@code REDIS_URL}, {@code ENABLE_*}, ...)
 * @param properties system properties ({@code usagesink.*})
 * @param stdin standard input ({@code --input -})
 * @param interactive whether stderr is a terminal (progress bars are drawn only then)
 */
record CliContext(
    Map<String, String> environment,
    Properties properties,
    InputStream stdin,
    boolean interactive) {

  CliContext {
    environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(stdin, "stdin");
  }

  /**
   * The process's own environment, properties and stdin; interactive when a console is attached.
   */
  static CliContext system() {
    return new CliContext(
        System.getenv(), System.getProperties(), System.in, System.console() != null);
  }

  /** A non-blank environment variable, or {@code null}. */
  String env(String name) {
    String v = environment.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
