package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.contract.StoredState;
import io.usagesink.testkit.contract.UsageSinkContract;
import io.usagesink.testkit.redis.RedisStoredState;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The buffered backend passes the compatibility kit against a real Redis (Lua writer, 200 ms
 * interval), which the kit reads in every test.
 */
@ExtendWith(RedisExtension.class)
class BufferedSinkContractIT extends UsageSinkContract {

  private final RedisServer redis;

  BufferedSinkContractIT(RedisServer redis) {
    this.redis = redis;
  }

  @Override
  protected SinkConfig baseConfig() {
    return SinkConfig.builder()
        .redisUri(redis.uri())
        .flushInterval(Duration.ofMillis(200))
        .shutdownHook(false)
        .build();
  }

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return BufferedSink.builder(config).build();
  }

  /** Stores in the CRS layout; the kit reads the server with its own client. */
  @Override
  protected Optional<StoredState> storedState() {
    return Optional.of(RedisStoredState.of(redis));
  }
}
