package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactLayoutTest {

  @Test
  void layoutIsReadFromThePropertyOrTheEnvironmentAndDefaultsToCrs() {
    assertThat(UsageLayouts.layoutName(SinkConfig.builder().build())).isEqualTo("crs");
    assertThat(UsageLayouts.of(SinkConfig.from(Map.of(), Map.of("USAGESINK_LAYOUT", "compact"))))
        .isInstanceOf(CompactLayout.class);
    assertThat(
            UsageLayouts.layoutName(
                SinkConfig.from(Map.of("usagesink.layout", " Compact "), Map.of())))
        .isEqualTo("compact");
  }

  @Test
  void aBadLayoutNamesTheValueAndWhatIsAllowed() {
    SinkConfig config = SinkConfig.from(Map.of("usagesink.layout", "fast"), Map.of());
    assertThatThrownBy(() -> UsageLayouts.of(config))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for property usagesink.layout=fast. Must be crs or compact.");
  }

  @Test
  void idsWithSeparatorsAndVectorsSurviveEncoding() {
    String odd = "team|%7C:alpha";
    assertThat(CompactLayout.unescape(CompactLayout.escape(odd))).isEqualTo(odd);
    assertThat(CompactLayout.escape(odd)).doesNotContain("|");
    long[] v = {1, 100, 50, 0, 0, 0, 0, 0, 0, 0};
    assertThat(CompactLayout.encode(v)).isEqualTo("1,100,50");
    assertThat(CompactLayout.decode("1,100,50")).containsExactly(v);
  }

  @Test
  void perEventBackendsRefuseTheCompactLayoutNamingWhatToUse() {
    SinkConfig compact = SinkConfig.from(Map.of("usagesink.layout", "compact"), Map.of());
    assertThatThrownBy(() -> UsageLayouts.requireCrs(compact, "redis-lua"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.layout=compact for usagesink.backend=redis-lua:"
                + " the compact layout stores absolute values of aggregates, and redis-lua writes"
                + " each event as it comes, with no aggregate to write. Use"
                + " usagesink.backend=buffered.");
    UsageLayouts.requireCrs(
        SinkConfig.from(Map.of("usagesink.layout", "crs"), Map.of()), "redis-lua");
    UsageLayouts.requireCrs(SinkConfig.builder().build(), "redis-lua");
  }

  @Test
  void aBlankLayoutIsTheDefault() {
    assertThat(UsageLayouts.layoutName(SinkConfig.from(Map.of("usagesink.layout", "  "), Map.of())))
        .isEqualTo("crs");
    assertThat(UsageLayouts.of(SinkConfig.from(Map.of("usagesink.layout", " CRS"), Map.of())))
        .isNotInstanceOf(CompactLayout.class)
        .hasToString("crs-2025[zone=UTC, metricsWindow=PT5M, policy=" + StatsPolicy.ALL + "]");
  }

  @Test
  void aMetricsWindowWhoseTtlWouldOverflowIsRejected() {
    Duration huge = Duration.ofMinutes(Long.MAX_VALUE / 100);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> UsageLayouts.crs(ZoneOffset.UTC, huge, StatsPolicy.ALL))
        .withMessage("metricsWindow is too large: " + huge);
    assertThat(
            UsageLayouts.crs(
                ZoneOffset.UTC, Duration.ofMinutes(Long.MAX_VALUE / 120), StatsPolicy.ALL))
        .isNotNull();
  }
}
