package io.usagesink.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Answers "is a Docker engine reachable?" cheaply. Asking Testcontainers directly costs seconds and
 * logs stack traces when no engine runs, so the probe first looks for any sign of an engine (a
 * {@code DOCKER_HOST}, a Testcontainers host override or properties file, a {@code docker.sock} in
 * one of the usual places). Only when one exists does it ask Testcontainers, in a daemon thread,
 * giving up after {@value #TESTCONTAINERS_TIMEOUT_SECONDS} s. Without any sign of Docker the answer
 * costs a few file-existence checks.
 */
final class DockerProbe {
  static final long TESTCONTAINERS_TIMEOUT_SECONDS = 5;

  private DockerProbe() {}

  static boolean isDockerReachable(Function<String, String> env) {
    if (!anySignOfDocker(env)) {
      return false;
    }
    if (!testcontainersOnClasspath()) {
      return false;
    }
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    Thread probe =
        new Thread(
            () -> {
              try {
                answer.complete(
                    org.testcontainers.DockerClientFactory.instance().isDockerAvailable());
              } catch (Throwable t) { // a broken Docker setup means "no Docker" here, never a crash
                answer.complete(false);
              }
            },
            "usagesink-docker-probe");
    probe.setDaemon(true);
    probe.start();
    try {
      return answer.get(TESTCONTAINERS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  static boolean anySignOfDocker(Function<String, String> env) {
    if (notBlank(env.apply("DOCKER_HOST")) || notBlank(env.apply("TESTCONTAINERS_HOST_OVERRIDE"))) {
      return true;
    }
    return candidateFiles(env).stream().anyMatch(Files::exists);
  }

  static List<Path> candidateFiles(Function<String, String> env) {
    List<Path> files = new ArrayList<>();
    files.add(Path.of("/var/run/docker.sock"));
    String runtimeDir = env.apply("XDG_RUNTIME_DIR");
    if (notBlank(runtimeDir)) {
      files.add(Path.of(runtimeDir, "docker.sock"));
    }
    String home = System.getProperty("user.home");
    if (notBlank(home)) {
      files.add(Path.of(home, ".testcontainers.properties"));
      files.add(Path.of(home, ".docker", "run", "docker.sock"));
      files.add(Path.of(home, ".docker", "desktop", "docker.sock"));
      files.add(Path.of(home, ".rd", "docker.sock"));
      files.add(Path.of(home, ".colima", "default", "docker.sock"));
    }
    return files;
  }

  private static boolean testcontainersOnClasspath() {
    try {
      Class.forName(
          "org.testcontainers.DockerClientFactory", false, DockerProbe.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
