package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class SinkStatsTest {

  @Test
  void builderSetsEachCounterByName() {
    SinkStats s =
        SinkStats.builder()
            .recorded(1)
            .rejected(2)
            .stored(3)
            .pending(4)
            .failed(5)
            .dropped(6)
            .commands(7)
            .roundTrips(8)
            .flushes(9)
            .retries(10)
            .deferred(11)
            .build();
    assertThat(s).isEqualTo(new SinkStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    assertThat(s.deferred()).isEqualTo(11);
  }

  @Test
  void theTenCounterConstructorStaysAndDefersNothing() {
    SinkStats s = new SinkStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(s.deferred()).isZero();
    assertThat(s).isEqualTo(new SinkStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0));
    assertThat(s.retries()).isEqualTo(10);
  }

  @Test
  void unsetCountersAreZero() {
    assertThat(SinkStats.builder().build()).isEqualTo(SinkStats.EMPTY);
    assertThat(SinkStats.builder().stored(5).build())
        .isEqualTo(new SinkStats(0, 0, 5, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void toBuilderKeepsEveryCounter() {
    SinkStats s = new SinkStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(s.toBuilder().build()).isEqualTo(s);
    assertThat(s.toBuilder().failed(50).build())
        .isEqualTo(new SinkStats(1, 2, 3, 4, 50, 6, 7, 8, 9, 10, 11));
    assertThat(s.toBuilder().deferred(0).build())
        .isEqualTo(new SinkStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  }

  @Test
  void aNegativeCounterIsRefusedByName() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SinkStats.builder().roundTrips(-1))
        .withMessage("roundTrips must be >= 0 but was -1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SinkStats.builder().deferred(-2))
        .withMessage("deferred must be >= 0 but was -2");
  }
}
