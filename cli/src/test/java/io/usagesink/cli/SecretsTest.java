package io.usagesink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://app:pw@host:6379/0|redis://app:***@host:6379/0",
        "redis://:pw@host|redis://:***@host",
        "redis://pw@host|redis://***@host",
        "rediss://u:p@ss@word@h1:1,h2:2|rediss://u:***@h1:1,h2:2",
        "redis://host:6379|redis://host:6379",
        "redis://host/0?password=pw&timeout=5s|redis://host/0?password=***&timeout=5s",
      })
  void uriIsShownWithoutItsPassword(String uri, String masked) {
    assertThat(Secrets.maskUri(uri)).isEqualTo(masked);
  }

  @Test
  void scrubRemovesKnownPasswordsFromAnyText() {
    Secrets s = Secrets.of("redis://app:top%2Fsecret@h", null, "redis://h?password=other");
    assertThat(s.scrub("failed: WRONGPASS for top%2Fsecret and top/secret, other"))
        .isEqualTo("failed: WRONGPASS for *** and ***, ***");
    assertThat(s.toString()).doesNotContain("secret");
  }
}
