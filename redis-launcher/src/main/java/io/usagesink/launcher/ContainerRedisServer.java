package io.usagesink.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Testcontainers {@code redis:7} container. Options: persistence, {@code requirepass} and an ACL
 * user (as server arguments). No TLS and no process control: a container's mapped port changes when
 * it is restarted, so tests that kill and restart Redis ask for a local process ({@code
 * processControl(true)}). Removed on {@link #close()}; Testcontainers' reaper removes it if the JVM
 * dies first. This class is only loaded when a Docker engine was found.
 */
final class ContainerRedisServer extends BaseRedisServer {
  static final String IMAGE = "redis:7";
  private static final int REDIS_PORT = 6379;

  private final GenericContainer<?> container;
  private final ServerSpec spec;

  private ContainerRedisServer(GenericContainer<?> container, ServerSpec spec, AdminClient admin) {
    super(admin);
    this.container = container;
    this.spec = spec;
  }

  static ContainerRedisServer start(ServerSpec spec) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--save",
                "",
                "--appendonly",
                spec.persistence().appendOnly() ? "yes" : "no",
                "--appendfsync",
                spec.persistence() == Persistence.AOF_ALWAYS ? "always" : "everysec"));
    if (spec.requirePass() != null) {
      command.addAll(List.of("--requirepass", spec.requirePass()));
    }
    if (spec.aclUser() != null) {
      command.addAll(
          List.of("--user", spec.aclUser(), "on", ">" + spec.aclPassword(), "~*", "&*", "+@all"));
    }
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(IMAGE))
            .withExposedPorts(REDIS_PORT)
            .withCommand(command.toArray(new String[0]))
            .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw new RedisFixtureException(
          "cannot start a "
              + IMAGE
              + " container: "
              + e.getMessage()
              + "; set "
              + FixtureEnvironment.MODE_PROPERTY
              + "=local to use redis-server from PATH instead",
          e);
    }
    AdminClient admin =
        new AdminClient(
            container.getHost(),
            container.getMappedPort(REDIS_PORT),
            spec.requirePass() != null ? "default" : null,
            spec.requirePass(),
            false,
            null);
    return new ContainerRedisServer(container, spec, admin);
  }

  @Override
  public Source source() {
    return Source.CONTAINER;
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getMappedPort(REDIS_PORT);
  }

  @Override
  public Optional<String> username() {
    if (spec.aclUser() != null) {
      return Optional.of(spec.aclUser());
    }
    return spec.requirePass() != null ? Optional.of("default") : Optional.empty();
  }

  @Override
  public Optional<String> password() {
    return Optional.ofNullable(spec.aclUser() != null ? spec.aclPassword() : spec.requirePass());
  }

  @Override
  void release() {
    container.stop();
  }

  @Override
  public String toString() {
    return "redis container["
        + IMAGE
        + " "
        + container.getContainerId()
        + " at "
        + host()
        + ":"
        + port()
        + "]";
  }
}
