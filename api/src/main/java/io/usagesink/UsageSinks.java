package io.usagesink;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Opens the {@link UsageSink} of a backend on the class path (or module path), found with {@link
 * ServiceLoader} through the class loader of this library.
 *
 * <p>Selection, in this order:
 *
 * <ol>
 *   <li>the provider named by {@link SinkConfig#backend()} ({@code usagesink.backend}), matched
 *       ignoring case, wins; a name no provider has is an error that says which jar to add (for the
 *       project's own backends) or which names are available;
 *   <li>else the single provider on the class path;
 *   <li>else the provider with the highest {@link UsageSinkProvider#priority()}; the providers
 *       found and the winner are logged at {@code INFO}. <b>A tie for the highest priority is an
 *       error</b> that lists the tied names and asks for {@code usagesink.backend}: picking one by
 *       class path order or by name would be a silent, arbitrary choice of where billing data goes;
 *   <li>no provider at all is an error naming the jars to add. Unlike SLF4J there is no silent
 *       fallback: lost usage statistics are lost billing data, so "statistics off" is chosen
 *       explicitly with the {@code noop} backend.
 * </ol>
 *
 * <p>Discovery instantiates every provider (their constructors are cheap) but calls {@link
 * UsageSinkProvider#create(SinkConfig)} only on the chosen one. A provider that cannot be loaded (a
 * broken or incomplete jar: {@link ServiceConfigurationError}, a missing dependency, a constructor
 * or {@code name()} that throws) is logged as a {@code WARNING} naming the problem and skipped; if
 * that leaves nothing usable, the error message lists it too. Two different providers with the same
 * name are an error when that name is selected. A chosen provider whose {@code create} meets a
 * missing class (a thin backend jar without its dependencies) fails with a {@link
 * ConfigurationException} naming the class and, for the backends this project ships, the artifacts
 * to add.
 *
 * <p>Thread-safe and stateless; every call discovers afresh. Logs through {@link System.Logger}
 * {@code io.usagesink.UsageSinks}.
 */
public final class UsageSinks {

  private static final Logger LOGGER = System.getLogger(UsageSinks.class.getName());

  /** Stop iterating a provider iterator that keeps failing (it may never advance). */
  private static final int MAX_FAILURES = 100;

  private UsageSinks() {}

  /**
   * Opens a sink configured from the system properties and the environment: {@code
   * open(SinkConfig.fromEnvironment())}.
   *
   * @throws ConfigurationException when the configuration is invalid or no provider fits
   */
  public static UsageSink open() {
    return open(SinkConfig.fromEnvironment());
  }

  /**
   * Opens a sink as configured, choosing the backend as described in the class documentation. May
   * block while the chosen backend connects.
   *
   * @throws ConfigurationException when no provider fits (the message says what to add or set) or
   *     the chosen backend rejects the configuration
   */
  public static UsageSink open(SinkConfig config) {
    return open(
        config,
        ServiceLoader.load(UsageSinkProvider.class, UsageSinks.class.getClassLoader()),
        LOGGER);
  }

  /**
   * The names of the backends on the class path, sorted. Providers that fail to load are logged and
   * left out. Creates no sink.
   */
  public static List<String> availableBackends() {
    return availableBackends(
        ServiceLoader.load(UsageSinkProvider.class, UsageSinks.class.getClassLoader()), LOGGER);
  }

  /** As {@link #open(SinkConfig)}, discovering through the given class loader. */
  static UsageSink open(SinkConfig config, ClassLoader loader) {
    return open(config, ServiceLoader.load(UsageSinkProvider.class, loader), LOGGER);
  }

  /** As {@link #availableBackends()}, over the given providers. */
  static List<String> availableBackends(
      Iterable<? extends UsageSinkProvider> providers, Logger logger) {
    return discover(providers, logger).candidates.stream()
        .map(Candidate::name)
        .sorted()
        .collect(Collectors.toUnmodifiableList());
  }

  /** As {@link #open(SinkConfig)}, over the given providers, logging to {@code logger}. */
  static UsageSink open(
      SinkConfig config, Iterable<? extends UsageSinkProvider> providers, Logger logger) {
    Objects.requireNonNull(config, "config");
    Candidate chosen = select(config, discover(providers, logger), logger);
    UsageSink sink;
    try {
      sink = chosen.provider.create(config);
    } catch (NoClassDefFoundError e) {
      throw new ConfigurationException(
          ShippedBackends.missingDependency(
              chosen.name, e, chosen.provider.getClass().getModule().isNamed()),
          e);
    }
    if (sink == null) {
      throw new IllegalStateException(
          "usagesink provider " + chosen.describe() + " returned null from create()");
    }
    logger.log(Level.DEBUG, () -> "Opened usagesink backend " + chosen.describe());
    return sink;
  }

  /** Chooses a provider; never calls {@code create}. */
  static Candidate select(SinkConfig config, Discovery found, Logger logger) {
    List<Candidate> candidates = found.candidates;
    if (config.backend().isPresent()) {
      String wanted = config.backend().get();
      List<Candidate> named =
          candidates.stream()
              .filter(c -> c.name.equalsIgnoreCase(wanted))
              .collect(Collectors.toList());
      if (named.isEmpty()) {
        throw new ConfigurationException(
            missingNamedBackend(wanted, candidates) + found.failureSummary());
      }
      return unique(named);
    }
    if (candidates.isEmpty()) {
      throw new ConfigurationException(noBackend() + found.failureSummary());
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    List<Candidate> ranked = new ArrayList<>(candidates);
    ranked.sort(
        Comparator.comparingInt(Candidate::priority).reversed().thenComparing(Candidate::name));
    int top = ranked.get(0).priority;
    List<Candidate> best =
        ranked.stream().filter(c -> c.priority == top).collect(Collectors.toList());
    String all = ranked.stream().map(Candidate::describe).collect(Collectors.joining(", "));
    if (best.size() > 1) {
      throw new ConfigurationException(
          "Several usagesink backends share the highest priority "
              + top
              + ": "
              + best.stream().map(Candidate::name).collect(Collectors.joining(", "))
              + "; set usagesink.backend (or USAGESINK_BACKEND) to the one to use. Found: "
              + all);
    }
    Candidate winner = best.get(0);
    logger.log(
        Level.INFO,
        () ->
            "Several usagesink backends are on the class path: "
                + all
                + ". Using "
                + winner.name
                + ", the highest priority; set usagesink.backend (or USAGESINK_BACKEND) to choose"
                + " another.");
    return winner;
  }

  /** Instantiates every provider, reporting and skipping those that fail. */
  static Discovery discover(Iterable<? extends UsageSinkProvider> providers, Logger logger) {
    Objects.requireNonNull(providers, "providers");
    List<Candidate> candidates = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Iterator<? extends UsageSinkProvider> it;
    try {
      it = providers.iterator();
    } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
      failures.add(report(e, logger));
      return new Discovery(candidates, failures);
    }
    while (failures.size() < MAX_FAILURES) {
      try {
        if (!it.hasNext()) {
          break;
        }
        UsageSinkProvider p = it.next();
        String name = p.name();
        int priority = p.priority();
        if (name == null || name.isBlank()) {
          String problem =
              "usagesink provider "
                  + p.getClass().getName()
                  + " has no name (name() returned "
                  + (name == null ? "null" : "\"" + name + "\"")
                  + ")";
          logger.log(Level.WARNING, "Skipping a usagesink provider: " + problem);
          failures.add(problem);
          continue;
        }
        candidates.add(new Candidate(p, name.strip(), priority));
      } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
        failures.add(report(e, logger));
      }
    }
    if (failures.size() >= MAX_FAILURES) {
      logger.log(
          Level.WARNING,
          "Stopped looking for usagesink providers after " + MAX_FAILURES + " failures");
    }
    return new Discovery(candidates, failures);
  }

  private static String report(Throwable e, Logger logger) {
    String problem = describe(e);
    logger.log(Level.WARNING, "Skipping a usagesink provider that failed to load: " + problem, e);
    return problem;
  }

  /**
   * The exception and its causes in one line, e.g. {@code Provider x.Y could not be instantiated:
   * ...}.
   */
  private static String describe(Throwable e) {
    StringBuilder sb =
        new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
    Throwable c = e.getCause();
    for (int depth = 0; c != null && depth < 5; depth++, c = c.getCause()) {
      sb.append(" (caused by ")
          .append(c.getClass().getSimpleName())
          .append(": ")
          .append(c.getMessage())
          .append(')');
    }
    return sb.toString();
  }

  private static Candidate unique(List<Candidate> named) {
    if (named.size() == 1) {
      return named.get(0);
    }
    throw new ConfigurationException(
        "Several usagesink providers are named "
            + named.get(0).name
            + ": "
            + named.stream()
                .map(c -> c.provider.getClass().getName())
                .collect(Collectors.joining(", "))
            + "; remove all but one of their jars");
  }

  static String missingNamedBackend(String wanted, List<Candidate> available) {
    String artifact = ShippedBackends.artifactOf(wanted).orElse(null);
    String message =
        "usagesink.backend set to \""
            + wanted
            + "\" but no provider named "
            + wanted
            + " is on the classpath";
    String names =
        available.stream().map(Candidate::name).sorted().collect(Collectors.joining(", "));
    if (artifact != null) {
      return message + "; add " + artifact + (names.isEmpty() ? "" : " (available: " + names + ")");
    }
    if (names.isEmpty()) {
      return message
          + "; no provider is on the classpath at all: add one of "
          + ShippedBackends.allArtifacts();
    }
    return message + "; available: " + names;
  }

  static String noBackend() {
    return "No usagesink backend is on the classpath: add one of the jars "
        + ShippedBackends.allArtifacts()
        + " (groupId io.usagesink; noop drops every statistic, so choose it only on purpose), or"
        + " register your own UsageSinkProvider in"
        + " META-INF/services/io.usagesink.UsageSinkProvider";
  }

  /** A loaded provider, its name and priority read once. */
  static final class Candidate {
    final UsageSinkProvider provider;
    final String name;
    final int priority;

    Candidate(UsageSinkProvider provider, String name, int priority) {
      this.provider = provider;
      this.name = name;
      this.priority = priority;
    }

    String name() {
      return name;
    }

    int priority() {
      return priority;
    }

    String describe() {
      return name + " (priority " + priority + ")";
    }
  }

  /** What discovery found: the usable providers and a description of each failure. */
  static final class Discovery {
    final List<Candidate> candidates;
    final List<String> failures;

    Discovery(List<Candidate> candidates, List<String> failures) {
      this.candidates = List.copyOf(candidates);
      this.failures = List.copyOf(failures);
    }

    /** Empty, or a sentence listing the providers that failed to load. */
    String failureSummary() {
      if (failures.isEmpty()) {
        return "";
      }
      return ". Skipped "
          + failures.size()
          + " provider"
          + (failures.size() == 1 ? "" : "s")
          + " that failed to load: "
          + String.join("; ", failures);
    }
  }
}
