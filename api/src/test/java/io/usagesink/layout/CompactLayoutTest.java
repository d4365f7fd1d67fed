package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactLayoutTest {

  @Test
  void layoutIsReadFromThePropertyOrTheEnvironmentAndDefaultsToCrs() {
    assertThat(UsageLayouts.layoutName(SinkConfig.builder().build())).isEqualTo("crs");
    assertThat(UsageLayouts.of(SinkConfig.from(Map.of(), Map.of("USAGESINK_LAYOUT", "compact"))))
        .isInstanceOf(CompactLayout.class);
    assertThat(UsageLayouts.layoutName(SinkConfig.from(Map.of("usagesink.layout", " Compact "), Map.of())))
        .isEqualTo("compact");
  }

  @Test
  void aBadLayoutNamesTheValueAndWhatIsAllowed() {
    SinkConfig config = SinkConfig.from(Map.of("usagesink.layout", "fast"), Map.of());
    assertThatThrownBy(() -> UsageLayouts.of(config)).isInstanceOf(ConfigurationException.class)
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
}
