package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClusterSlotTest {
  @Test
  void crc16MatchesTheRedisClusterSpecCheckValue() {
    byte[] bytes = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(Crc16.of(bytes, 0, bytes.length)).isEqualTo(0x31C3);
  }

  @Test
  void slotHonoursHashTagsAsRedisDoes() {
    assertThat(LocalRedisCluster.slotOf("foo")).isEqualTo(12182);
    assertThat(LocalRedisCluster.slotOf("{user1000}.following")).isEqualTo(LocalRedisCluster.slotOf("user1000"));
    assertThat(LocalRedisCluster.slotOf("foo{{bar}}zap")).isEqualTo(LocalRedisCluster.slotOf("{bar"));
    byte[] whole = "{}foo".getBytes(StandardCharsets.UTF_8);
    assertThat(LocalRedisCluster.slotOf("{}foo")).isEqualTo(Crc16.of(whole, 0, whole.length) % 16384);
  }

  @Test
  void slotsSplitEvenlyInNodeOrder() {
    assertThat(LocalRedisCluster.firstSlot(0)).isZero();
    assertThat(LocalRedisCluster.firstSlot(1)).isEqualTo(5461);
    assertThat(LocalRedisCluster.firstSlot(2)).isEqualTo(10922);
    assertThat(LocalRedisCluster.firstSlot(3)).isEqualTo(16384);
  }
}
