package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DurationText: the public face of the settings' duration syntax")
class DurationTextTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "500ms", "60s", "5m", "1h", "2d", "PT1S", "pt1m30s", " 15s ", "0s", "-PT1S", "60S", "5M",
        "500MS"
      })
  void acceptsWhatTheSettingsAccept(String text) {
    Duration d = DurationText.parse(text);
    assertThat(
            SinkConfig.builder()
                .property("usagesink.x", text)
                .build()
                .properties()
                .getDuration("usagesink.x"))
        .contains(d);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5s", "60", "-5s", "5 min", "99999999999999999999s", "abc"})
  void refusesWhatTheSettingsRefuse(String text) {
    assertThatThrownBy(() -> DurationText.parse(text)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SinkConfig.from(Map.of("usagesink.close-timeout", text), Map.of()))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void unitsMayBeUpperCaseAsTheCommandLineAlwaysAccepted() {
    assertThat(DurationText.parse("60S")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DurationText.parse("5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationText.parse("250MS")).isEqualTo(Duration.ofMillis(250));
  }
}
