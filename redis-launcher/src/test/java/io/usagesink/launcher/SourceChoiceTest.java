package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceChoiceTest {
  private static final Map<String, Path> LOCAL =
      Map.of("redis-server", Path.of("/usr/bin/redis-server"));
  private static final Map<String, String> URL =
      Map.of("USAGESINK_TEST_REDIS_URL", "redis://10.0.0.5:6379");

  private static SourceChoice choose(
      ServerSpec spec, Map<String, String> env, Map<String, Path> executables, boolean docker) {
    return SourceChoice.choose(spec, FixtureEnvironment.of(env, Map.of(), executables, docker));
  }

  @Test
  void theTestRedisUrlWinsForAPlainServer() {
    assertThat(choose(ServerSpec.DEFAULT, URL, LOCAL, true).source())
        .isEqualTo(RedisServer.Source.EXTERNAL);
  }

  @Test
  void theProductionRedisUrlIsNeverUsedSinceTheTestsFlushTheirServer() {
    Map<String, String> production = Map.of("REDIS_URL", "redis://prod.example:6379");
    assertThat(choose(ServerSpec.DEFAULT, production, LOCAL, false).source())
        .isEqualTo(RedisServer.Source.LOCAL_PROCESS);
    assertThat(choose(ServerSpec.DEFAULT, production, Map.of(), false).source()).isNull();
  }

  @Test
  void dockerComesBeforeALocalProcess() {
    assertThat(choose(ServerSpec.DEFAULT, Map.of(), LOCAL, true).source())
        .isEqualTo(RedisServer.Source.CONTAINER);
  }

  @Test
  void withoutDockerALocalProcessIsUsed() {
    assertThat(choose(ServerSpec.DEFAULT, Map.of(), LOCAL, false).source())
        .isEqualTo(RedisServer.Source.LOCAL_PROCESS);
  }

  @Test
  void optionsSkipTheExternalServerAndKillRestartSkipsDocker() {
    ServerSpec aof = ServerSpec.DEFAULT.withPersistence(Persistence.AOF_ALWAYS);
    assertThat(choose(aof, URL, LOCAL, true).source()).isEqualTo(RedisServer.Source.CONTAINER);
    assertThat(choose(aof.withProcessControl(true), URL, LOCAL, true).source())
        .isEqualTo(RedisServer.Source.LOCAL_PROCESS);
    assertThat(choose(ServerSpec.DEFAULT.withTls(true), Map.of(), LOCAL, true).source())
        .isEqualTo(RedisServer.Source.LOCAL_PROCESS);
  }

  @Test
  void nothingAvailableSaysWhatToInstallOrSet() {
    SourceChoice choice = choose(ServerSpec.DEFAULT, Map.of(), Map.of(), false);

    assertThat(choice.source()).isNull();
    assertThat(choice.reason())
        .isEqualTo(
            "redis-server not found on PATH, USAGESINK_TEST_REDIS_URL is not set and no Docker"
                + " engine is reachable (no DOCKER_HOST, no docker.sock); install redis-server"
                + " (apt-get install redis-server), set USAGESINK_TEST_REDIS_URL=redis://host:port,"
                + " or run a Docker engine");
  }

  @Test
  void killRestartWithoutLocalRedisServerNamesTheMissingBinary() {
    SourceChoice choice = choose(ServerSpec.DEFAULT.withProcessControl(true), URL, Map.of(), true);

    assertThat(choice.reason())
        .isEqualTo(
            "this test needs a local redis-server process (for kill/restart) but redis-server is"
                + " not on PATH; install redis-server (apt-get install redis-server)");
  }

  @Test
  void forcedModeIsHonouredAndExplained() {
    FixtureEnvironment local =
        FixtureEnvironment.of(URL, Map.of("usagesink.redis.fixture", "local"), LOCAL, true);
    assertThat(SourceChoice.choose(ServerSpec.DEFAULT, local).source())
        .isEqualTo(RedisServer.Source.LOCAL_PROCESS);

    FixtureEnvironment external =
        FixtureEnvironment.of(Map.of("USAGESINK_REDIS_FIXTURE", "external"), Map.of(), LOCAL, true);
    assertThat(SourceChoice.choose(ServerSpec.DEFAULT, external).reason())
        .isEqualTo("usagesink.redis.fixture=external but USAGESINK_TEST_REDIS_URL is not set");
  }

  @Test
  void invalidModeNamesPropertyValueAndAllowedValues() {
    FixtureEnvironment env =
        FixtureEnvironment.of(Map.of(), Map.of("usagesink.redis.fixture", "podman"), LOCAL, false);

    assertThatThrownBy(() -> SourceChoice.choose(ServerSpec.DEFAULT, env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for property usagesink.redis.fixture=podman. Must be one of auto,"
                + " external, container, local.");
  }

  @Test
  void specValidationNeverShowsThePassword() {
    assertThatThrownBy(() -> ServerSpec.DEFAULT.withAclUser("app", "has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("has space")
        .hasMessageContaining("aclUser password");
    assertThat(ServerSpec.DEFAULT.withRequirePass("s3cret").withAclUser("app", "pw2").toString())
        .doesNotContain("s3cret")
        .doesNotContain("pw2");
  }
}
