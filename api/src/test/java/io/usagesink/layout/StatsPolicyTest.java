package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatsPolicyTest {

  private static StatsPolicy read(Map<String, String> env) {
    return StatsPolicy.fromSwitches(env::get);
  }

  @Test
  void noSwitchesSetMeansEverythingOn() {
    assertThat(read(Map.of())).isEqualTo(StatsPolicy.ALL);
  }

  @Test
  void eachSwitchTurnsOffItsOwnDimension() {
    assertThat(read(Map.of("ENABLE_HOURLY_STATS", "false")))
        .isEqualTo(StatsPolicy.ALL.withHourly(false));
    assertThat(read(Map.of("ENABLE_MINUTE_STATS", "false")))
        .isEqualTo(StatsPolicy.ALL.withMinute(false));
    assertThat(read(Map.of("ENABLE_MODEL_STATS", "false")))
        .isEqualTo(StatsPolicy.ALL.withModel(false));
    assertThat(read(Map.of("ENABLE_DETAILED_CACHE_STATS", "false")))
        .isEqualTo(StatsPolicy.ALL.withDetailedCache(false));
  }

  @Test
  void theFourDimensionSwitchesOffGiveCore() {
    assertThat(
            read(
                Map.of(
                    "ENABLE_HOURLY_STATS",
                    "false",
                    "ENABLE_MINUTE_STATS",
                    "false",
                    "ENABLE_MODEL_STATS",
                    "false",
                    "ENABLE_DETAILED_CACHE_STATS",
                    "false")))
        .isEqualTo(StatsPolicy.CORE);
  }

  @Test
  void usageStatisticsOffIsOffWhateverTheOthersSay() {
    Map<String, String> env = new HashMap<>();
    env.put("ENABLE_USAGE_STATISTICS", "false");
    env.put("ENABLE_HOURLY_STATS", "true");
    assertThat(read(env)).isEqualTo(StatsPolicy.OFF);
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE", "False", " false ", "false\n"})
  void falseInAnyCaseWithSurroundingSpaceSwitchesOff(String value) {
    assertThat(read(Map.of("ENABLE_MINUTE_STATS", value)).minute()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "true", "0", "no", "off", "n", "disabled", "falsey", "f alse"})
  void anyOtherValueLeavesTheSwitchOn(String value) {
    assertThat(read(Map.of("ENABLE_MINUTE_STATS", value)).minute()).isTrue();
    assertThat(read(Map.of("ENABLE_USAGE_STATISTICS", value))).isEqualTo(StatsPolicy.ALL);
  }

  @Test
  void switchNamesAreTheNotesNames() {
    assertThat(StatsPolicy.ENABLE_USAGE_STATISTICS).isEqualTo("ENABLE_USAGE_STATISTICS");
    assertThat(StatsPolicy.ENABLE_HOURLY_STATS).isEqualTo("ENABLE_HOURLY_STATS");
    assertThat(StatsPolicy.ENABLE_MINUTE_STATS).isEqualTo("ENABLE_MINUTE_STATS");
    assertThat(StatsPolicy.ENABLE_MODEL_STATS).isEqualTo("ENABLE_MODEL_STATS");
    assertThat(StatsPolicy.ENABLE_DETAILED_CACHE_STATS).isEqualTo("ENABLE_DETAILED_CACHE_STATS");
  }

  @Test
  void nullLookupIsRejected() {
    assertThatNullPointerException()
        .isThrownBy(() -> StatsPolicy.fromSwitches(null))
        .withMessage("lookup");
  }

  @Test
  void withersChangeOneSwitch() {
    assertThat(StatsPolicy.CORE.withHourly(true))
        .isEqualTo(new StatsPolicy(true, true, false, false, false));
    assertThat(StatsPolicy.CORE.withMinute(true))
        .isEqualTo(new StatsPolicy(true, false, true, false, false));
    assertThat(StatsPolicy.CORE.withModel(true))
        .isEqualTo(new StatsPolicy(true, false, false, true, false));
    assertThat(StatsPolicy.CORE.withDetailedCache(true))
        .isEqualTo(new StatsPolicy(true, false, false, false, true));
    assertThat(StatsPolicy.ALL.withEnabled(false))
        .isEqualTo(new StatsPolicy(false, true, true, true, true));
  }
}
