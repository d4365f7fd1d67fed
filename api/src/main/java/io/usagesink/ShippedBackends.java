package io.usagesink;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The backends this project ships, for the messages of {@link UsageSinks} when a name is set but
 * its jar is missing, or when no backend is on the class path at all (a missing jar cannot speak
 * for itself). The one home of these names; the artifact of each follows from its name ({@code
 * usagesink-backend-NAME}). The {@code architecture} module's tests check the list against the
 * providers found with every backend on the class path, and each artifact against its module.
 */
final class ShippedBackends {

  /** The names, in the order messages list them. */
  static final List<String> NAMES = List.of("redis-pipeline", "redis-lua", "buffered", "noop");

  private ShippedBackends() {}

  /** The artifact of a shipped backend's name (ignoring case), if it is one. */
  static Optional<String> artifactOf(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return NAMES.contains(n) ? Optional.of(artifact(n)) : Optional.empty();
  }

  /** Every shipped backend's artifact, comma-separated. */
  static String allArtifacts() {
    return NAMES.stream().map(ShippedBackends::artifact).collect(Collectors.joining(", "));
  }

  private static String artifact(String name) {
    return "usagesink-backend-" + name;
  }
}
