package io.usagesink.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What the fixture reads from the machine: environment variables, system properties, executables on
 * {@code PATH} and whether a Docker engine is reachable. Tests of the selection logic build one
 * from maps; production code uses {@link #system()}.
 */
final class FixtureEnvironment {
  /**
   * System property choosing where servers come from: auto (default), external, container, local.
   */
  static final String MODE_PROPERTY = "usagesink.redis.fixture";

  /** Environment variable with the same meaning as {@link #MODE_PROPERTY} (the property wins). */
  static final String MODE_ENV = "USAGESINK_REDIS_FIXTURE";

  /**
   * Environment variable naming an external server every plain test server request is served by.
   * Meant for tests only: the fixture flushes that server. Never {@code REDIS_URL}, the variable
   * the production sink reads: a developer with {@code REDIS_URL} exported must not lose that
   * Redis's data to our tests.
   */
  static final String REDIS_URL_ENV = "USAGESINK_TEST_REDIS_URL";

  enum Mode {
    AUTO,
    EXTERNAL,
    CONTAINER,
    LOCAL
  }

  private final Function<String, String> env;
  private final Function<String, String> properties;
  private final Function<String, Optional<Path>> executables;
  private final BooleanSupplier docker;

  FixtureEnvironment(
      Function<String, String> env,
      Function<String, String> properties,
      Function<String, Optional<Path>> executables,
      BooleanSupplier docker) {
    this.env = env;
    this.properties = properties;
    this.executables = executables;
    this.docker = docker;
  }

  static FixtureEnvironment system() {
    Function<String, String> env = System::getenv;
    return new FixtureEnvironment(
        env,
        System::getProperty,
        name -> findOnPath(name, env.apply("PATH")),
        () -> DockerProbe.isDockerReachable(env));
  }

  static FixtureEnvironment of(
      Map<String, String> env,
      Map<String, String> properties,
      Map<String, Path> executables,
      boolean docker) {
    return new FixtureEnvironment(
        env::get,
        properties::get,
        name -> Optional.ofNullable(executables.get(name)),
        () -> docker);
  }

  Optional<String> redisUrl() {
    String url = env.apply(REDIS_URL_ENV);
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
  }

  Mode mode() {
    String property = properties.apply(MODE_PROPERTY);
    String name = property != null ? MODE_PROPERTY : MODE_ENV;
    String value = property != null ? property : env.apply(MODE_ENV);
    if (value == null || value.isBlank()) {
      return Mode.AUTO;
    }
    try {
      return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid value for "
              + (property != null ? "property " : "environment variable ")
              + name
              + "="
              + value
              + ". Must be one of auto, external, container, local.");
    }
  }

  Optional<Path> executable(String name) {
    return executables.apply(name);
  }

  boolean dockerReachable() {
    return docker.getAsBoolean();
  }

  static Optional<Path> findOnPath(String name, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
