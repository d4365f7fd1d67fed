package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The spin-then-park wait counts its spins and stops counting once it parks. */
class SpinWaitTest {

  @Test
  void aWaitSpinsItsFirstPausesThenParksWithoutCountingFurther() {
    assertThat(SpinWait.pause(0, 1)).isEqualTo(1);
    assertThat(SpinWait.pause(SpinWait.SPINS - 1, 1)).isEqualTo(SpinWait.SPINS);
    assertThat(SpinWait.pause(SpinWait.SPINS, 1)).as("parked").isEqualTo(SpinWait.SPINS);
  }

  @Test
  void aWaitOfManyPausesEndsUpParking() {
    int spins = 0;
    for (int i = 0; i < 3 * SpinWait.SPINS; i++) {
      spins = SpinWait.pause(spins, 1);
    }
    assertThat(spins).isEqualTo(SpinWait.SPINS);
  }
}
