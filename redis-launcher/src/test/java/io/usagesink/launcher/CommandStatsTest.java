package io.usagesink.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandStatsTest {
  private static final String INFO =
      "# Commandstats\r\n"
          + "cmdstat_hincrby:calls=3,usec=28,usec_per_call=9.33,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_evalsha:calls=1,usec=29,usec_per_call=29.00,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_script|load:calls=1,usec=42,usec_per_call=42.00,rejected_calls=0,failed_calls=0\r\n";

  @Test
  void parsesCallsPerCommandIncludingSubcommands() {
    CommandStats stats = CommandStats.parse(INFO);

    assertThat(stats.asMap())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("hincrby", 3L, "evalsha", 1L, "script|load", 1L));
    assertThat(stats.calls("HINCRBY")).isEqualTo(3);
    assertThat(stats.calls("expire")).isZero();
    assertThat(stats.total()).isEqualTo(5);
  }

  @Test
  void minusGivesWhatRanInBetweenAndLeavesOutUnchangedCommands() {
    CommandStats before = CommandStats.of(Map.of("hincrby", 3L, "info", 1L));
    CommandStats after = CommandStats.of(Map.of("hincrby", 10L, "info", 1L, "evalsha", 2L));

    assertThat(after.minus(before).asMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("hincrby", 7L, "evalsha", 2L));
  }

  @Test
  void minusRefusesACountThatWentDown() {
    CommandStats before = CommandStats.of(Map.of("hincrby", 3L, "expire", 2L));
    CommandStats after = CommandStats.of(Map.of("hincrby", 3L));

    assertThatThrownBy(() -> after.minus(before))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("calls of expire went down from 2 to 0; were the stats reset in between?");
  }

  @Test
  void plusSumsAndWithoutDropsNamedCommands() {
    CommandStats a = CommandStats.of(Map.of("set", 2L, "info", 1L));
    CommandStats b = CommandStats.of(Map.of("set", 3L, "get", 1L));

    assertThat(a.plus(b).without("INFO").asMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("set", 5L, "get", 1L));
  }

  @Test
  void ofRejectsNegativeCounts() {
    assertThatThrownBy(() -> CommandStats.of(Map.of("set", -1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count of set must be >= 0, was -1");
  }
}
