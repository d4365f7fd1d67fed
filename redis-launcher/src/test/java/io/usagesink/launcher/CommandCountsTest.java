package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandCountsTest {

  @Test
  void withoutScriptsEveryDataCommandIsAClientCommand() {
    CommandStats delta =
        CommandStats.of(
            Map.of("hincrby", 800L, "expire", 160L, "info", 1L, "hello", 1L, "client|setinfo", 2L));
    CommandCounts c = CommandCounts.of(delta, 960);
    assertThat(c.client()).isEqualTo(960);
    assertThat(c.insideScripts()).isZero();
    assertThat(c.billed()).isEqualTo(960);
  }

  @Test
  void withScriptsDataCommandsRanInsideThem() {
    CommandStats delta =
        CommandStats.of(
            Map.of(
                "evalsha",
                10L,
                "script|load",
                1L,
                "hincrby",
                800L,
                "expire",
                160L,
                "set",
                10L,
                "ping",
                3L));
    CommandCounts c = CommandCounts.of(delta, 11);
    assertThat(c.client()).isEqualTo(11);
    assertThat(c.insideScripts()).isEqualTo(970);
    assertThat(c.scriptCalls()).isEqualTo(10);
    assertThat(c.billed()).isEqualTo(981);
  }

  @Test
  void aSinkThatAlsoSendsDirectCommandsIsAttributedByItsOwnCount() {
    CommandStats delta = CommandStats.of(Map.of("evalsha", 10L, "hincrby", 100L, "del", 5L));
    CommandCounts c = CommandCounts.of(delta, 15);
    assertThat(c.client()).isEqualTo(15);
    assertThat(c.insideScripts()).isEqualTo(100);
  }

  @Test
  void nothingSentIsZero() {
    CommandCounts c = CommandCounts.of(CommandStats.of(Map.of("info", 1L)), 0);
    assertThat(c.billed()).isZero();
  }

  @Test
  void connectionSetUpAndTheMeasurementsOwnCommandsAreOverhead() {
    assertThat(CommandCounts.isOverhead("client|setinfo")).isTrue();
    assertThat(CommandCounts.isOverhead("info")).isTrue();
    assertThat(CommandCounts.isOverhead("hincrby")).isFalse();
    assertThat(CommandCounts.isOverhead("script|load")).isFalse();
  }
}
