package io.usagesink.cli.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("durations: the command line accepts exactly what the settings accept")
class DurationsTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "500ms",
        "60s",
        "5m",
        "1h",
        "2d",
        "PT1S",
        "pt1m30s",
        " 15s ",
        "60S",
        "5M",
        "1.5s",
        "60",
        "-5s",
        "5 min",
        "99999999999999999999s",
        "abc",
        "-PT1S",
        "0s"
      })
  void optionAndSettingAgree(String text) {
    boolean cliAccepts;
    try {
      Durations.parse(text);
      cliAccepts = true;
    } catch (IllegalArgumentException e) {
      cliAccepts = false;
    }
    boolean settingAccepts;
    try {
      Duration d =
          SinkConfig.from(Map.of("usagesink.close-timeout", text), Map.of()).closeTimeout();
      assertThat(Durations.parse(text)).isEqualTo(d);
      settingAccepts = true;
    } catch (ConfigurationException e) {
      // "Must be a positive duration": parsed, but not allowed for a timeout
      settingAccepts = e.getMessage().contains("Must be a positive duration");
    }
    assertThat(cliAccepts).as(text).isEqualTo(settingAccepts);
  }

  @Test
  void upperCaseUnitsAreStillAcceptedForScriptsThatUseThem() {
    assertThat(Durations.parse("60S")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aNegativeDurationMustBePositiveNotUnparsable() {
    for (String t : new String[] {"-1s", "-PT1S", "0s", " -500ms"}) {
      assertThatThrownBy(() -> Durations.parsePositive(t))
          .as(t)
          .hasMessage(
              "'"
                  + t
                  + "' must be a positive duration, a duration like 500ms, 60s, 5m, 1h or PT1S");
    }
    assertThatThrownBy(() -> Durations.parsePositive("-abc"))
        .hasMessage("'-abc' is not a duration like 500ms, 60s, 5m, 1h or PT1S");
    assertThat(Durations.parsePositive("60s")).isEqualTo(Duration.ofSeconds(60));
  }
}
