package io.usagesink.buffered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The buffered backend reads and checks its own settings: names, defaults and the exact messages.
 */
class BufferedOptionsTest {

  private static BufferedOptions from(
      Map<String, String> properties, Map<String, String> environment) {
    return BufferedOptions.from(ConfigProperties.of(properties, environment));
  }

  private static ConfigurationException failure(
      Map<String, String> properties, Map<String, String> environment) {
    try {
      from(properties, environment);
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError(
        "expected a ConfigurationException for " + properties + " / " + environment);
  }

  @Test
  void nothingSetGivesTheDefaults() {
    assertThat(from(Map.of(), Map.of()))
        .isEqualTo(BufferedOptions.DEFAULTS)
        .isEqualTo(
            new BufferedOptions(Duration.ofSeconds(1), 1_000_000, BufferedOptions.Writer.LUA));
  }

  @Test
  void propertiesAndEnvironmentVariablesAreRead() {
    assertThat(
            from(
                Map.of(
                    "usagesink.buffered.flush-interval",
                    "PT60S",
                    "usagesink.buffered.max-pending-counters",
                    "5000",
                    "usagesink.buffered.writer",
                    "pipeline"),
                Map.of()))
        .isEqualTo(
            new BufferedOptions(Duration.ofSeconds(60), 5000, BufferedOptions.Writer.PIPELINE));
    assertThat(
            from(
                Map.of(),
                Map.of(
                    "USAGESINK_BUFFERED_FLUSH_INTERVAL",
                    "500ms",
                    "USAGESINK_BUFFERED_MAX_PENDING_COUNTERS",
                    "7",
                    "USAGESINK_BUFFERED_WRITER",
                    "lua")))
        .isEqualTo(new BufferedOptions(Duration.ofMillis(500), 7, BufferedOptions.Writer.LUA));
    assertThat(from(Map.of("usagesink.buffered.flush-interval", ""), Map.of()).flushInterval())
        .as("blank counts as not set")
        .isEqualTo(BufferedOptions.DEFAULT_FLUSH_INTERVAL);
  }

  @Test
  @SuppressWarnings("deprecation")
  void theTypedSettersOfSinkConfigWriteWhatIsReadHereAndItsOldGettersAgree() {
    SinkConfig c =
        SinkConfig.builder()
            .flushInterval(Duration.ofMillis(5))
            .maxPendingCounters(6)
            .bufferedWriter("pipeline")
            .build();
    BufferedOptions o = BufferedOptions.from(c);
    assertThat(o)
        .isEqualTo(new BufferedOptions(Duration.ofMillis(5), 6, BufferedOptions.Writer.PIPELINE));
    assertThat(c.flushInterval()).isEqualTo(o.flushInterval());
    assertThat(c.maxPendingCounters()).isEqualTo(o.maxPendingCounters());
    assertThat(c.bufferedWriter()).isEqualTo("pipeline");
    assertThat(SinkConfig.DEFAULT_FLUSH_INTERVAL).isEqualTo(BufferedOptions.DEFAULT_FLUSH_INTERVAL);
    assertThat(SinkConfig.DEFAULT_MAX_PENDING_COUNTERS)
        .isEqualTo(BufferedOptions.DEFAULT_MAX_PENDING_COUNTERS);
    assertThat(SinkConfig.DEFAULT_BUFFERED_WRITER)
        .isEqualTo(ConfigProperties.text(BufferedOptions.Writer.LUA));
  }

  @Test
  void anUnparsableDurationNamesThePropertyOrTheVariable() {
    assertThat(failure(Map.of("usagesink.buffered.flush-interval", "abc"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.buffered.flush-interval=abc. "
                + "Must be a duration like 500ms or 60s.");
    assertThat(failure(Map.of(), Map.of("USAGESINK_BUFFERED_FLUSH_INTERVAL", "10 seconds")))
        .hasMessage(
            "Invalid value for environment variable USAGESINK_BUFFERED_FLUSH_INTERVAL=10 seconds. "
                + "Must be a duration like 500ms or 60s.");
    assertThat(failure(Map.of("usagesink.buffered.flush-interval", "PT0S"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.buffered.flush-interval=PT0S. "
                + "Must be a positive duration like 500ms or 60s.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "abc", "3000000000", "1_000"})
  void maxPendingCountersMustBeAPositiveInt(String text) {
    assertThat(failure(Map.of("usagesink.buffered.max-pending-counters", text), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.buffered.max-pending-counters="
                + text
                + ". Must be a positive whole number like 1000000.");
  }

  @Test
  void theCauseIsKept() {
    assertThat(failure(Map.of("usagesink.buffered.max-pending-counters", "lots"), Map.of()))
        .hasCauseInstanceOf(NumberFormatException.class);
  }

  @Test
  void theWriterMustBeLuaOrPipeline() {
    assertThat(failure(Map.of("usagesink.buffered.writer", "redis"), Map.of()))
        .hasMessage(
            "Invalid value for property usagesink.buffered.writer=redis. Must be lua or pipeline.");
  }

  @Test
  void theConstructorChecksItsValues() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BufferedOptions(Duration.ZERO, 1, BufferedOptions.Writer.LUA))
        .withMessage("flushInterval must be positive but was PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BufferedOptions(Duration.ofSeconds(1), 0, BufferedOptions.Writer.LUA))
        .withMessage("maxPendingCounters must be > 0 but was 0");
  }

  @Test
  void aBadSettingFailsBuildingTheSinkBeforeAnythingOpens() {
    SinkConfig c = SinkConfig.builder().flushInterval(Duration.ZERO).build();
    org.assertj.core.api.Assertions.assertThatExceptionOfType(ConfigurationException.class)
        .isThrownBy(() -> BufferedSink.builder(c).build())
        .withMessage(
            "Invalid value for property usagesink.buffered.flush-interval=PT0S. "
                + "Must be a positive duration like 500ms or 60s.");
  }
}
