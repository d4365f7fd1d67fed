package io.usagesink.buffered;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.UsageReader;
import io.usagesink.testkit.contract.StoredTotals;
import io.usagesink.testkit.contract.UsageSinkContract;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtendWith;

/** The buffered backend passes the compatibility kit against a real Redis (Lua writer, 200 ms interval). */
@ExtendWith(RedisExtension.class)
class BufferedSinkContractIT extends UsageSinkContract {

  private final RedisServer redis;

  BufferedSinkContractIT(RedisServer redis) {
    this.redis = redis;
  }

  @Override
  protected SinkConfig baseConfig() {
    return SinkConfig.builder().redisUri(redis.uri()).flushInterval(Duration.ofMillis(200)).shutdownHook(false).build();
  }

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return BufferedSink.builder(config).build();
  }

  @Override
  protected Optional<StoredTotals> storedTotals(String keyId) {
    SinkConfig config = baseConfig();
    try (RedisConnection connection = RedisConnection.open(config)) {
      Map<String, Long> hash = UsageReader.of(connection, config).hash("usage:" + keyId);
      return Optional.of(new StoredTotals(hash.getOrDefault("totalRequests", 0L),
          hash.getOrDefault("totalInputTokens", 0L), hash.getOrDefault("totalOutputTokens", 0L)));
    }
  }
}
