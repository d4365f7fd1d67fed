package io.usagesink.layout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelNamesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // every example of the spec, section 7
        "us.anthropic.claude-3-5-sonnet-20241022-v2:0     | claude-3-5-sonnet-20241022",
        "anthropic.claude-3-haiku-20240307-v1:0           | claude-3-haiku-20240307",
        "eu-west-1.anthropic.claude-x                     | claude-x",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0 | claude-sonnet-4-5-20250929",
        "claude-3-opus:latest                             | claude-3-opus",
        "some-model-v2:1                                  | some-model",
      })
  void specExamplesNormaliseAsDocumented(String model, String expected) {
    assertThat(ModelNames.normalize(model)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "claude-sonnet-4-20250514                         | claude-sonnet-4-20250514",
        "unknown                                          | unknown",
        "UNKNOWN                                          | UNKNOWN",
        // Bedrock branch: :latest is kept
        "us.anthropic.claude-3-opus:latest                | claude-3-opus:latest",
        // Bedrock branch via '.claude' without '.anthropic.'
        "my.claude.model                                  | claude.model",
        "ap-southeast-1.claude-3-v10:20                   | claude-3",
        // (a) needs a non-empty run of [a-z0-9-] at the very start, then '.'
        ".claude-x                                        | .claude-x",
        "Us.anthropic.claude-x                            | Us.claude-x",
        "foo_bar.anthropic.claude                         | foo_bar.claude",
        // (a) drops only up to the first '.', (b) then drops the first anthropic.
        "a.b.anthropic.claude                             | b.claude",
        "x.anthropic.anthropic.claude                     | anthropic.claude",
        // (c) only a trailing -v<digits>:<digits>
        "anthropic.claude-v1:0-beta                       | claude-v1:0-beta",
        "anthropic.claude-x-v1:0-v2:3                     | claude-x-v1:0",
        // other branch: -v<digits>:<digits> or :latest at the end, one of them
        "model-v12:345                                    | model",
        "model-v1:0:latest                                | model-v1:0",
        "model:latest-v1:0                                | model:latest",
        "model-v:1                                        | model-v:1",
        "model-v1:                                        | model-v1:",
        "model-va:1                                       | model-va:1",
        "model-V1:0                                       | model-V1:0",
        "modelv1:0                                        | modelv1:0",
        "model:LATEST                                     | model:LATEST",
        "model:latest:latest                              | model:latest",
        "gpt-4o                                           | gpt-4o",
        // the region's character class at its bounds, an empty region, the digits' bounds
        "za09-.anthropic.claude-x                         | claude-x",
        ".claude-3                                        | .claude-3",
        "model-v9:9                                       | model",
      })
  void edgeCasesFollowTheCrsRules(String model, String expected) {
    assertThat(ModelNames.normalize(model)).isEqualTo(expected);
  }

  @Test
  void nonAsciiDigitsAreNotVersionDigits() {
    assertThat(ModelNames.normalize("model-v\u0661:0")).isEqualTo("model-v\u0661:0");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", "  \n "})
  void absentOrBlankModelIsUnknownUnlikeCrs(String model) {
    assertThat(ModelNames.normalize(model)).isEqualTo("unknown");
  }

  @ParameterizedTest
  @ValueSource(strings = {":latest", "-v1:0", "us.anthropic.", "us.anthropic.-v2:0", "  :latest"})
  void nameThatNormalisesToNothingIsUnknown(String model) {
    assertThat(ModelNames.normalize(model)).isEqualTo("unknown");
  }

  @Test
  void unchangedNameIsReturnedAsIs() {
    String model = "claude-sonnet-4-20250514";
    assertThat(ModelNames.normalize(model)).isSameAs(model);
  }
}
