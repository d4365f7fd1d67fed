package io.usagesink;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The backends this project ships, for the messages of {@link UsageSinks} when a name is set but
 * its jar is missing, when no backend is on the class path at all (a missing jar cannot speak for
 * itself), or when a thin backend jar lacks its dependencies. The one home of these names; the
 * artifact of each follows from its name ({@code usagesink-backend-NAME}). The {@code architecture}
 * module's tests check the list against the providers found with every backend on the class path,
 * and each artifact against its module.
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

  /**
   * The message for a backend whose {@code create} met a missing class: for a shipped backend, the
   * thin jar without usagesink-redis-core and its dependencies, and what to use instead; {@code
   * namedModule}: the backend is on the module path, where they must also be resolved.
   */
  static String missingDependency(String name, NoClassDefFoundError e, boolean namedModule) {
    String missing = e.getMessage() == null ? "a class" : e.getMessage().replace('/', '.');
    String head = "usagesink backend " + name + " cannot start: NoClassDefFoundError: " + missing;
    Optional<String> artifact = artifactOf(name);
    if (artifact.isEmpty()) {
      return head + ". A dependency of its jar is missing from the class path";
    }
    String a = artifact.get();
    return head
        + ". usagesink-redis-core and its dependencies (lettuce-core, netty, reactor-core,"
        + " slf4j-api) are missing from the class path: use the self-contained "
        + a
        + "-<version>-all.jar instead of "
        + a
        + "-<version>.jar, or add io.usagesink:"
        + a
        + " as a Maven/Gradle dependency (or copy its dependencies with mvn"
        + " dependency:copy-dependencies)"
        + (namedModule
            ? "; on the module path they must also be resolved: --add-modules"
                + " ALL-MODULE-PATH,jdk.net,jdk.unsupported"
            : "");
  }

  private static String artifact(String name) {
    return "usagesink-backend-" + name;
  }
}
