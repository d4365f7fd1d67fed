package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import io.usagesink.UsageEvent;
import io.usagesink.launcher.RedisServer;
import io.usagesink.testkit.golden.CrsCallAdapter;
import io.usagesink.testkit.golden.GoldenCase;
import io.usagesink.testkit.golden.GoldenExpectations;
import io.usagesink.testkit.golden.GoldenFile;
import io.usagesink.testkit.redis.StoredKey;
import io.usagesink.testkit.redis.junit.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every case of {@code crs-golden.json}, recorded through the buffered backend and flushed as one
 * merged batch, leaves the state CRS recorded (for the documented deviation: that state with the
 * deviation applied, {@link GoldenExpectations}). The golden file comes from the test kit's class
 * path.
 */
@ExtendWith(RedisExtension.class)
class BufferedSinkGoldenIT {

  @Test
  void everyGoldenCaseLeavesTheRecordedState(RedisServer redis) {
    GoldenFile golden = GoldenFile.loadOrSkip();
    SinkConfig config =
        SinkConfig.builder()
            .redisUri(redis.uri())
            .zone(golden.config().zone())
            .metricsWindow(golden.config().metricsWindow())
            .shutdownHook(false)
            .flushInterval(Duration.ofHours(1))
            .build();
    assertThat(golden.cases()).isNotEmpty();
    for (GoldenCase gc : golden.cases()) {
      redis.flushAll();
      List<UsageEvent> events = gc.events().stream().map(CrsCallAdapter::toEvent).toList();
      BufferedSink sink = BufferedSink.builder(config).build();
      try {
        events.forEach(sink::record);
      } finally {
        sink.close();
      }
      assertThat(sink.stats().flushes()).as("batches of %s", gc.name()).isEqualTo(1);
      SortedMap<String, StoredKey> actual = RedisStates.dump(config);
      RedisStates.assertSameState(actual, GoldenExpectations.expectedState(gc));
    }
  }
}
