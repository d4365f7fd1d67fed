package io.usagesink.redis.pipeline;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.contract.StoredState;
import io.usagesink.testkit.contract.UsageSinkContract;
import io.usagesink.testkit.redis.RedisStoredState;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The redis-pipeline backend passes the compatibility kit against a real Redis, which the kit reads
 * in every test.
 */
@ExtendWith(RedisExtension.class)
class RedisPipelineSinkContractIT extends UsageSinkContract {

  private final RedisServer redis;

  RedisPipelineSinkContractIT(RedisServer redis) {
    this.redis = redis;
  }

  @Override
  protected SinkConfig baseConfig() {
    return SinkConfig.builder().redisUri(redis.uri()).build();
  }

  @Override
  protected UsageSink createSink(SinkConfig config) {
    return RedisPipelineSink.builder().config(config).build();
  }

  /** Stores in the CRS layout; the kit reads the server with its own client. */
  @Override
  protected Optional<StoredState> storedState() {
    return Optional.of(RedisStoredState.of(redis));
  }
}
