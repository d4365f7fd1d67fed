package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.redis.testing.DropIn;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway compiled against the api alone runs in a child JVM with exactly {@code app.jar}, the
 * api jar and {@code usagesink-backend-buffered-<version>-all.jar}, and its flush stores the event.
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
            List.of(DropIn.appJar(dir, api), api, all), "Main", redis.uri(), "=dropin-buffered");

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stdout())
        .contains("recorded dropin-buffered with ")
        .contains(all.getFileName().toString());
    assertThat(run.stderr()).doesNotContain("SLF4J").doesNotContain("Exception");
    assertThat(redis.command("HGET", "usage:dropin-buffered", "totalInputTokens"))
        .isEqualTo("1200");
  }
}
