package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterSlotTest {
  @Test
  void slotHonoursHashTagsAsRedisDoes() {
    assertThat(LocalRedisCluster.slotOf("foo")).isEqualTo(12182);
    assertThat(LocalRedisCluster.slotOf("{user1000}.following"))
        .isEqualTo(LocalRedisCluster.slotOf("user1000"));
    assertThat(LocalRedisCluster.slotOf("foo{{bar}}zap"))
        .isEqualTo(LocalRedisCluster.slotOf("{bar"));
    assertThat(LocalRedisCluster.slotOf("{}foo"))
        .isEqualTo(9500); // an empty tag hashes the whole key (CRC16-XMODEM of "{}foo")
  }

  @Test
  void slotsSplitEvenlyInNodeOrder() {
    assertThat(LocalRedisCluster.firstSlot(0)).isZero();
    assertThat(LocalRedisCluster.firstSlot(1)).isEqualTo(5461);
    assertThat(LocalRedisCluster.firstSlot(2)).isEqualTo(10922);
    assertThat(LocalRedisCluster.firstSlot(3)).isEqualTo(16384);
  }
}
