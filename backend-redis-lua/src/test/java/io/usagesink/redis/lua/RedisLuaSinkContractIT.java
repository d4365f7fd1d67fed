package io.usagesink.redis.lua;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.redis.RedisConnection;
import io.usagesink.redis.UsagePeriod;
import io.usagesink.redis.UsageReader;
import io.usagesink.redis.UsageCounts;
import io.usagesink.testkit.contract.StoredTotals;
import io.usagesink.testkit.contract.UsageSinkContract;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtendWith;

/** The redis-lua backend passes the compatibility kit against a real Redis. */
@ExtendWith(RedisExtension.class)
class RedisLuaSinkContractIT extends UsageSinkContract {

  private final RedisServer redis;

  RedisLuaSinkContractIT(RedisServer redis) {
    this.redis = redis;
  }

  @Override
  protected SinkConfig baseConfig() {
    return SinkConfig.builder().redisUri(redis.uri()).build();
  }

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return RedisLuaSink.builder().config(config).build();
  }

  @Override
  protected Optional<StoredTotals> storedTotals(String keyId) {
    SinkConfig config = baseConfig();
    try (RedisConnection c = RedisConnection.open(config)) {
      UsageCounts total = UsageReader.of(c, config).key(keyId, UsagePeriod.allTime());
      return Optional.of(new StoredTotals(total.requests(), total.inputTokens(), total.outputTokens()));
    }
  }
}
