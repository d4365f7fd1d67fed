package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisUriMaskTest {

  @Test
  void masksUserInfoPasswordAndKeepsTheUser() {
    assertThat(RedisUriMask.mask("redis://app:s3cret@h:6379/0"))
        .isEqualTo("redis://app:***@h:6379/0");
    assertThat(RedisUriMask.mask("rediss://:s3cret@h")).isEqualTo("rediss://:***@h");
    assertThat(RedisUriMask.mask("redis://s3cret@h1:1,h2:2")).isEqualTo("redis://***@h1:1,h2:2");
    assertThat(RedisUriMask.mask("redis://h?password=s3cret&x=1"))
        .isEqualTo("redis://h?password=***&x=1");
    assertThat(RedisUriMask.mask("redis://h:6379")).isEqualTo("redis://h:6379");
    assertThat(RedisUriMask.mask(null)).isNull();
  }

  @Test
  void passwordsListsRawAndDecodedFormsLongestFirst() {
    assertThat(RedisUriMask.passwords("redis://u:p%40ss@h?password=pw"))
        .containsExactly("p%40ss", "p@ss", "pw");
    assertThat(RedisUriMask.passwords("redis://h")).isEmpty();
    assertThat(RedisUriMask.passwords(null)).isEmpty();
  }

  @Test
  void scrubRemovesEveryPasswordOfTheGivenUrisFromText() {
    String text = "NOAUTH for redis://u:p%40ss@h: p@ss rejected; other pw stays";
    assertThat(RedisUriMask.scrub(text, "redis://u:p%40ss@h", null))
        .isEqualTo("NOAUTH for redis://u:***@h: *** rejected; other pw stays")
        .doesNotContain("p@ss")
        .doesNotContain("p%40ss");
  }
}
