package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.ConfigurationException;
import io.usagesink.SinkConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalSettingsTest {

  @Test
  void noDirectoryMeansNoJournal() {
    assertThat(JournalSettings.from(SinkConfig.builder().build())).isEmpty();
  }

  @Test
  void theEnvironmentNamesTheDirectoryAndTheDefaultsApply() {
    SinkConfig config =
        SinkConfig.from(Map.of(), Map.of("USAGESINK_BUFFERED_JOURNAL_DIR", "/var/lib/usage"));
    assertThat(JournalSettings.from(config))
        .contains(
            new JournalConfig(
                Path.of("/var/lib/usage"),
                FsyncPolicy.INTERVAL,
                Duration.ofMillis(500),
                JournalConfig.DEFAULT_SEGMENT_BYTES));
  }

  @Test
  void propertiesChooseThePolicyAndInterval() {
    SinkConfig config =
        SinkConfig.builder()
            .property(JournalSettings.DIR, "j")
            .property(JournalSettings.FSYNC, "ALWAYS")
            .property(JournalSettings.FSYNC_INTERVAL, "200ms")
            .build();
    JournalConfig j = JournalSettings.from(config).orElseThrow();
    assertThat(j.fsync()).isEqualTo(FsyncPolicy.ALWAYS);
    assertThat(j.fsyncInterval()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void badValuesNameThePropertyAndTheValue() {
    assertThatThrownBy(
            () ->
                JournalSettings.from(
                    SinkConfig.builder()
                        .property(JournalSettings.DIR, "j")
                        .property(JournalSettings.FSYNC, "often")
                        .build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.buffered.journal-fsync=often."
                + " Must be none, interval or always.");
    assertThatThrownBy(
            () ->
                JournalSettings.from(
                    SinkConfig.builder()
                        .property(JournalSettings.DIR, "j")
                        .property(JournalSettings.FSYNC_INTERVAL, "0s")
                        .build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "Invalid value for property usagesink.buffered.journal-fsync-interval=0s."
                + " Must be a positive duration like 200ms or 1s.");
  }
}
