package io.usagesink.testkit.redis.junit;

import io.usagesink.launcher.RedisClusterHandle;
import io.usagesink.launcher.RedisFixture;
import io.usagesink.launcher.RedisServer;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * JUnit 5 access to real Redis: {@code @ExtendWith(RedisExtension.class)}, then declare a {@link
 * RedisServer} or {@link RedisClusterHandle} parameter on a test method, a lifecycle method or the
 * constructor.
 *
 * <ul>
 *   <li><b>Plain parameter: the shared one.</b> One server (and, when asked for, one 3-master
 *       cluster) per test run (JVM), started on first use from the source {@link RedisFixture}
 *       picks, reused by every test class and closed when the run ends. Before each test the
 *       extension empties it ({@code FLUSHALL}) and zeroes its command stats ({@code CONFIG
 *       RESETSTAT}), so every test starts on an empty server with {@code commandStats()} counting
 *       from zero (the script cache is kept). A shared server a test killed or stopped is restarted
 *       before the next test. Do not close it.
 *   <li><b>{@link IsolatedRedis @IsolatedRedis} parameter: an own one</b>, with options (AOF,
 *       passwords, TLS, kill/restart), closed when its scope ends; also emptied before each test
 *       when it outlives one.
 * </ul>
 *
 * <p>No Redis at all on the machine fails the test with a message saying what to install or set. A
 * machine that has Redis but not what a parameter asks for (no local redis-server for a cluster or
 * for kill/restart, no TLS build) skips the test with the reason. Tests must not run in parallel
 * within one JVM (JUnit's default), since they share the server.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class MySinkIT {
 *   @Test void countsCommands(RedisServer redis) { ... redis.commandStats().calls("evalsha") ... }
 *   @Test void survivesKill(@IsolatedRedis(persistence = Persistence.AOF_ALWAYS) RedisServer redis) { ... }
 *   @Test void worksOnCluster(RedisClusterHandle cluster) { ... cluster.uri() ... }
 * }
 * }</pre>
 */
public final class RedisExtension
    implements ParameterResolver, BeforeEachCallback, ExecutionCondition {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RedisExtension.class);
  private static final String MANAGED = "managed";
  private static final String SHARED_SERVER = "shared-server";
  private static final String SHARED_CLUSTER = "shared-cluster";
  private static final Duration CLUSTER_RECOVERY = Duration.ofSeconds(30);

  /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
  public RedisExtension() {}

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == RedisServer.class || type == RedisClusterHandle.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    Parameter parameter = parameterContext.getParameter();
    boolean cluster = parameter.getType() == RedisClusterHandle.class;
    Optional<IsolatedRedis> isolated = parameterContext.findAnnotation(IsolatedRedis.class);
    try {
      if (isolated.isEmpty()) {
        ExtensionContext root = extensionContext.getRoot();
        Managed shared =
            root.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                    cluster ? SHARED_CLUSTER : SHARED_SERVER,
                    key ->
                        register(
                            root,
                            new Managed(
                                cluster ? RedisFixture.startCluster() : RedisFixture.start())),
                    Managed.class);
        return shared.resource;
      }
      RedisFixture.Builder builder = builder(isolated.get());
      Managed own =
          register(
              extensionContext, new Managed(cluster ? builder.startCluster() : builder.start()));
      return own.resource;
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "cannot provide "
              + parameter.getType().getSimpleName()
              + " for "
              + parameter.getDeclaringExecutable().getName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      ManagedList list = c.get().getStore(NAMESPACE).get(MANAGED, ManagedList.class);
      if (list != null) {
        list.resetAll();
      }
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    List<Executable> executables = new ArrayList<>();
    if (context.getTestMethod().isPresent()) {
      executables.add(context.getTestMethod().get());
    } else if (context.getTestClass().isPresent()) {
      Class<?> testClass = context.getTestClass().get();
      for (Constructor<?> constructor : testClass.getDeclaredConstructors()) {
        executables.add(constructor);
      }
      for (Class<? extends java.lang.annotation.Annotation> lifecycle :
          List.of(BeforeAll.class, BeforeEach.class, AfterEach.class, AfterAll.class)) {
        List<Method> methods =
            AnnotationSupport.findAnnotatedMethods(
                testClass, lifecycle, HierarchyTraversalMode.TOP_DOWN);
        executables.addAll(methods);
      }
    }
    for (Executable executable : executables) {
      for (Parameter parameter : executable.getParameters()) {
        Optional<String> reason = unavailableReason(parameter);
        if (reason.isPresent()) {
          return ConditionEvaluationResult.disabled("skipped: " + reason.get());
        }
      }
    }
    return ConditionEvaluationResult.enabled("the Redis this test asks for is available");
  }

  /**
   * Why the parameter's Redis cannot be had while a plain server can (a skip); empty otherwise
   * (run, maybe fail loudly).
   */
  private static Optional<String> unavailableReason(Parameter parameter) {
    boolean cluster = parameter.getType() == RedisClusterHandle.class;
    if (!cluster && parameter.getType() != RedisServer.class) {
      return Optional.empty();
    }
    IsolatedRedis isolated = parameter.getAnnotation(IsolatedRedis.class);
    if (!cluster && isolated == null) {
      return Optional.empty();
    }
    RedisFixture.Builder builder = isolated == null ? RedisFixture.builder() : builder(isolated);
    Optional<String> reason;
    try {
      reason = cluster ? builder.clusterUnavailableReason() : builder.unavailableReason();
    } catch (RuntimeException misuse) {
      return Optional.empty(); // conflicting options: let resolution fail with the message
    }
    if (reason.isPresent() && RedisFixture.builder().unavailableReason().isPresent()) {
      return Optional.empty(); // no Redis at all: fail, do not hide it behind a skip
    }
    return reason;
  }

  static RedisFixture.Builder builder(IsolatedRedis options) {
    RedisFixture.Builder builder =
        RedisFixture.builder()
            .persistence(options.persistence())
            .tls(options.tls())
            .processControl(options.processControl());
    if (!options.requirePass().isEmpty()) {
      builder = builder.requirePass(options.requirePass());
    }
    if (!options.aclUser().isEmpty() || !options.aclPassword().isEmpty()) {
      builder = builder.aclUser(options.aclUser(), options.aclPassword());
    }
    return builder;
  }

  private static Managed register(ExtensionContext context, Managed managed) {
    context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(MANAGED, key -> new ManagedList(), ManagedList.class)
        .add(managed);
    return managed;
  }

  /** A server or cluster the extension owns: reset before each test, closed with its list. */
  private static final class Managed {
    final Object resource;

    Managed(Object resource) {
      this.resource = resource;
    }

    void reset() {
      if (resource instanceof RedisServer) {
        RedisServer server = (RedisServer) resource;
        if (server.supportsProcessControl() && !server.isRunning()) {
          server.restart();
        }
        server.flushAll();
        server.resetStats();
      } else {
        RedisClusterHandle cluster = (RedisClusterHandle) resource;
        boolean revived = false;
        for (RedisServer node : cluster.nodes()) {
          if (!node.isRunning()) {
            node.restart();
            revived = true;
          }
        }
        if (revived) {
          cluster.awaitHealthy(CLUSTER_RECOVERY);
        }
        cluster.flushAll();
        cluster.resetStats();
      }
    }

    void close() {
      if (resource instanceof RedisServer) {
        ((RedisServer) resource).close();
      } else {
        ((RedisClusterHandle) resource).close();
      }
    }
  }

  /**
   * The servers of one extension-context scope; JUnit closes it (an AutoCloseable store value) when
   * the scope ends.
   */
  private static final class ManagedList implements AutoCloseable {
    private final List<Managed> items = new ArrayList<>();

    synchronized void add(Managed managed) {
      items.add(managed);
    }

    synchronized void resetAll() {
      items.forEach(Managed::reset);
    }

    @Override
    public synchronized void close() {
      RuntimeException failure = null;
      for (int i = items.size() - 1; i >= 0; i--) {
        try {
          items.get(i).close();
        } catch (RuntimeException e) {
          failure = failure == null ? e : failure;
        }
      }
      items.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }
}
