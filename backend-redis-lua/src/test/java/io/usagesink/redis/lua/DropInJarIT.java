package io.usagesink.redis.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.redis.testing.DropIn;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway compiled against the api alone runs in a child JVM with exactly {@code app.jar}, the
 * api jar and {@code usagesink-backend-redis-lua-<version>-all.jar} (and beside the redis-pipeline
 * -all jar), and records.
 */
@ExtendWith(RedisExtension.class)
class DropInJarIT {

  @TempDir Path dir;

  @Test
  void theAllJarAloneRecords(RedisServer redis) throws Exception {
    Path api = DropIn.location(UsageSink.class);
    Path all = DropIn.single(Path.of("target"), "-all.jar");

    DropIn.Run run =
        DropIn.run(
            List.of(DropIn.appJar(dir, api), api, all), "Main", redis.uri(), "=dropin-lua-alone");

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stdout())
        .contains("recorded dropin-lua-alone with ")
        .contains(all.getFileName().toString());
    assertThat(run.stderr()).doesNotContain("SLF4J").doesNotContain("Exception");
    assertThat(redis.command("HGET", "usage:dropin-lua-alone", "totalInputTokens"))
        .isEqualTo("1200");
  }

  @Test
  void theAllJarHoldsNoClassOutsideItsOwnPackagesAndNoApi() throws Exception {
    try (JarFile jar = new JarFile(DropIn.single(Path.of("target"), "-all.jar").toFile())) {
      List<String> strays =
          jar.stream()
              .map(JarEntry::getName)
              .filter(n -> !n.endsWith("/") && !n.startsWith("META-INF/"))
              .filter(
                  n ->
                      !n.startsWith("io/usagesink/shaded/lua/")
                          && !n.startsWith("io/usagesink/redis/lua/"))
              .collect(Collectors.toList());
      assertThat(strays).isEmpty();
      assertThat(jar.getEntry("io/usagesink/shaded/lua/io/usagesink/redis/write/apply-plan.lua"))
          .isNotNull();
      assertThat(
              jar.getEntry(
                  "META-INF/services/io.usagesink.shaded.lua.org.slf4j.spi.SLF4JServiceProvider"))
          .isNotNull();
    }
  }

  @Test
  void twoAllJarsRecordSideBySide(RedisServer redis) throws Exception {
    Path api = DropIn.location(UsageSink.class);
    Path lua = DropIn.single(Path.of("target"), "-all.jar");
    Path pipeline = DropIn.single(Path.of("..", "backend-redis-pipeline", "target"), "-all.jar");

    DropIn.Run run =
        DropIn.run(
            List.of(DropIn.appJar(dir, api), api, lua, pipeline),
            "Main",
            redis.uri(),
            "redis-lua=dropin-pair-lua",
            "redis-pipeline=dropin-pair-pipeline",
            "=dropin-pair-chosen");

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stdout())
        .contains("recorded dropin-pair-lua with ", lua.getFileName().toString())
        .contains("recorded dropin-pair-pipeline with ", pipeline.getFileName().toString());
    assertThat(run.stdout().lines().filter(l -> l.startsWith("recorded dropin-pair-chosen")))
        .singleElement()
        .asString()
        .endsWith(lua.getFileName().toString());
    assertThat(run.stderr()).doesNotContain("SLF4J").doesNotContain("Exception");
    for (String key : List.of("dropin-pair-lua", "dropin-pair-pipeline")) {
      assertThat(redis.command("HGET", "usage:" + key, "totalInputTokens"))
          .as(key)
          .isEqualTo("1200");
    }
    assertThat(redis.command("HGET", "usage:dropin-pair-chosen", "totalInputTokens"))
        .isEqualTo("1200");
  }
}
