package io.usagesink.testkit.example;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classpath {@link InMemorySinkContractTest} ran on (usagesink-testkit's test classpath) holds
 * no Redis client, Netty, Testcontainers or usagesink Redis module: the contract alone needs none
 * of them.
 */
class ContractClasspathTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "io.lettuce.core.RedisClient",
        "io.netty.channel.Channel",
        "org.testcontainers.containers.GenericContainer",
        "com.github.dockerjava.api.DockerClient",
        "io.usagesink.redis.RedisConnection",
        "io.usagesink.launcher.RedisServer",
        "io.usagesink.testkit.redis.junit.RedisExtension"
      })
  void theContractTestClasspathDoesNotHold(String className) {
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName(className, false, getClass().getClassLoader()));
  }
}
