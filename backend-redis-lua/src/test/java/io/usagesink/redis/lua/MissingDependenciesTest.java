package io.usagesink.redis.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageSink;
import io.usagesink.redis.lua.internal.RedisLuaSinkProvider;
import io.usagesink.redis.testing.DropIn;
import org.junit.jupiter.api.Test;

/**
 * The thin backend jar alone beside the api (no redis-core, Lettuce, Netty): the error names what
 * to add.
 */
class MissingDependenciesTest {

  @Test
  void theThinJarAloneFailsNamingTheArtifactsToAdd() throws Exception {
    Throwable thrown =
        DropIn.openIsolated(
            "redis-lua",
            "redis://127.0.0.1:1",
            DropIn.location(UsageSink.class),
            DropIn.location(RedisLuaSinkProvider.class));

    assertThat(thrown).isNotNull();
    assertThat(thrown.getClass().getName()).isEqualTo("io.usagesink.ConfigurationException");
    assertThat(thrown.getMessage())
        .contains(
            "usagesink backend redis-lua cannot start: NoClassDefFoundError: ",
            "usagesink-redis-core and its dependencies (lettuce-core, netty, reactor-core,"
                + " slf4j-api) are missing",
            "usagesink-backend-redis-lua-<version>-all.jar",
            "io.usagesink:usagesink-backend-redis-lua as a Maven/Gradle dependency",
            "mvn dependency:copy-dependencies");
    // the first class it meets: redis-core's, or SLF4J's (buffered logs through it)
    assertThat(thrown.getMessage())
        .containsPattern("NoClassDefFoundError: (io\\.usagesink\\.redis\\.|org\\.slf4j\\.)");
    assertThat(thrown.getCause()).isInstanceOf(NoClassDefFoundError.class);
  }
}
