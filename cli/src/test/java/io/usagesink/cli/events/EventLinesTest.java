package io.usagesink.cli.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.usagesink.UsageEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("event lines (replay input)")
class EventLinesTest {

  private static final String AT = "\"at\":\"2025-07-31T16:30:00Z\"";

  private static EventLines.Parsed read(String text) throws IOException {
    return EventLines.readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The error of {@code line}, or {@code null} when it is a valid event. */
  private static String errorOf(String line, long number) {
    try {
      EventLines.parse(line, number);
      return null;
    } catch (EventLines.BadLineException e) {
      return e.error().message();
    }
  }

  @Test
  void fullLineOfTheDesignIsRead() throws Exception {
    UsageEvent e =
        EventLines.parse(
            "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\",\"accountId\":\"a1\","
                + "\"model\":\"claude-sonnet-4-20250514\",\"inputTokens\":1200,\"outputTokens\":350,\"cacheCreateTokens\":7,"
                + "\"cacheReadTokens\":8,\"ephemeral5mTokens\":5,\"ephemeral1hTokens\":2,\"longContext\":true,"
                + "\"realCostMicros\":11,\"ratedCostMicros\":12,\"id\":\"req-1\"}",
            1);
    assertThat(e)
        .isEqualTo(
            UsageEvent.builder()
                .id("req-1")
                .at(Instant.parse("2025-07-31T16:30:00Z"))
                .keyId("k1")
                .accountId("a1")
                .model("claude-sonnet-4-20250514")
                .inputTokens(1200)
                .outputTokens(350)
                .cacheCreateTokens(7)
                .cacheReadTokens(8)
                .ephemeral5mTokens(5)
                .ephemeral1hTokens(2)
                .longContext(true)
                .realCostMicros(11)
                .ratedCostMicros(12)
                .build());
  }

  @Test
  void missingNumbersAreZeroAndNullMeansAbsent() throws Exception {
    UsageEvent e =
        EventLines.parse(
            "{"
                + AT
                + ",\"accountId\":\"a1\",\"keyId\":null,\"model\":null,"
                + "\"outputTokens\":null,\"longContext\":null}",
            1);
    assertThat(e.keyId()).isNull();
    assertThat(e.accountId()).isEqualTo("a1");
    assertThat(e.model()).isEqualTo(UsageEvent.UNKNOWN_MODEL);
    assertThat(e.inputTokens()).isZero();
    assertThat(e.outputTokens()).isZero();
    assertThat(e.longContext()).isFalse();
    assertThat(e.id()).isNull();
  }

  @Test
  void anOffsetTimeIsTheSameInstant() throws Exception {
    UsageEvent e = EventLines.parse("{\"at\":\"2025-08-01T00:30:00+08:00\",\"keyId\":\"k\"}", 1);
    assertThat(e.at()).isEqualTo(Instant.parse("2025-07-31T16:30:00Z"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // malformed JSON and wrong shapes
        "`{\"at\":`|`line 7: json: malformed JSON: Unexpected end-of-input within/between Object"
            + " entries (column 7)`",
        "`[1,2]`|`line 7: json: expected a JSON object like"
            + " {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"} but found an array`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\"} {}`|`line 7: json: unexpected content"
            + " after the JSON object (one event per line)`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"a\",\"keyId\":\"b\"}`|`line 7: json:"
            + " malformed JSON: Duplicate field 'keyId' (column 49)`",
        // fields
        "`{\"keyId\":\"k\",\"inputToken\":5}`|`line 7: inputToken: unknown field; allowed: id, at,"
            + " keyId, accountId, model, inputTokens, outputTokens, cacheCreateTokens,"
            + " cacheReadTokens, ephemeral5mTokens, ephemeral1hTokens, realCostMicros,"
            + " ratedCostMicros, longContext`",
        "`{\"keyId\":\"k\"}`|`line 7: at: missing; required: an ISO-8601 instant like"
            + " 2025-07-31T16:30:00Z`",
        "`{\"at\":1722443400,\"keyId\":\"k\"}`|`line 7: at: must be a string with an ISO-8601"
            + " instant like 2025-07-31T16:30:00Z but was the number 1722443400`",
        "`{\"at\":\"2025-07-31 16:30\",\"keyId\":\"k\"}`|`line 7: at: must be an ISO-8601 instant"
            + " with an offset like 2025-07-31T16:30:00Z or 2025-08-01T00:30:00+08:00 but was"
            + " \"2025-07-31 16:30\"`",
        "`{\"at\":\"2025-07-31T16:30:00\",\"keyId\":\"k\"}`|`line 7: at: must be an ISO-8601"
            + " instant with an offset like 2025-07-31T16:30:00Z or 2025-08-01T00:30:00+08:00 but"
            + " was \"2025-07-31T16:30:00\"`",
        "`{\"at\":\"2025-07-31T16:30:00Z\"}`|`line 7: keyId: keyId and accountId are both absent;"
            + " at least one is required`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":null,\"accountId\":null}`|`line 7: keyId:"
            + " keyId and accountId are both absent; at least one is required`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"  \"}`|`line 7: keyId: must be a non-blank"
            + " string, or absent, but was \"  \"`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"accountId\":7}`|`line 7: accountId: must be a string"
            + " or null but was the number 7`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"model\":[\"m\"]}`|`line 7: model: must"
            + " be a string or null but was an array`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"id\":\"\"}`|`line 7: id: must be a"
            + " non-blank string, or absent, but was \"\"`",
        // numbers
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"inputTokens\":-5}`|`line 7:"
            + " inputTokens: must be >= 0 but was -5`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"outputTokens\":1.5}`|`line 7:"
            + " outputTokens: must be an integer >= 0 but was 1.5 (not a whole number)`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"outputTokens\":1.0}`|`line 7:"
            + " outputTokens: must be an integer >= 0 but was 1.0 (not a whole number)`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"cacheReadTokens\":1e3}`|`line 7:"
            + " cacheReadTokens: must be an integer >= 0 but was 1E+3 (not a whole number)`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"cacheCreateTokens\":\"12\"}`|`line 7:"
            + " cacheCreateTokens: must be an integer >= 0 but was the string \"12\"`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"realCostMicros\":true}`|`line 7:"
            + " realCostMicros: must be an integer >= 0 but was true`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"ratedCostMicros\":9223372036854775808}`|`line"
            + " 7: ratedCostMicros: number too large; must be an integer between 0 and"
            + " 9223372036854775807 but was 9223372036854775808`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"ephemeral5mTokens\":-99999999999999999999}`|`line"
            + " 7: ephemeral5mTokens: must be >= 0 but was -99999999999999999999`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"inputTokens\":9223372036854775807,\"outputTokens\":1}`|`line"
            + " 7: inputTokens+outputTokens+cacheCreateTokens+cacheReadTokens: the sum overflows a"
            + " long (at most 9223372036854775807)`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"longContext\":\"yes\"}`|`line 7:"
            + " longContext: must be true or false but was the string \"yes\"`",
        "`{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k\",\"longContext\":1}`|`line 7:"
            + " longContext: must be true or false but was the number 1`",
      })
  void badLineIsRejectedWithLineFieldAndProblem(String line, String expected) {
    assertThat(errorOf(line, 7)).isEqualTo(expected);
  }

  @Test
  void everyBadLineIsReportedWithItsNumberAndNoEventIsKept() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}";
    EventLines.Parsed p = read(good + "\n\n{\"keyId\":\"k\"}\n" + good + "\n{" + AT + "}\n");
    assertThat(p.ok()).isFalse();
    assertThat(p.lines()).isEqualTo(5);
    assertThat(p.errorCount()).isEqualTo(2);
    assertThat(p.errors())
        .extracting(EventLines.LineError::message)
        .containsExactly(
            "line 3: at: missing; required: an ISO-8601 instant like 2025-07-31T16:30:00Z",
            "line 5: keyId: keyId and accountId are both absent; at least one is required");
    assertThat(p.events()).isEmpty();
  }

  @Test
  void onlyTheFirstTwentyErrorsAreKeptButAllAreCounted() throws Exception {
    EventLines.Parsed p = read("{}\n".repeat(25));
    assertThat(p.errorCount()).isEqualTo(25);
    assertThat(p.errors()).hasSize(EventLines.MAX_REPORTED_ERRORS);
    assertThat(p.errors().get(19).line()).isEqualTo(20);
  }

  @Test
  void blankLinesAreSkippedButCounted() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}";
    EventLines.Parsed p = read("\n" + good + "\n   \n" + good);
    assertThat(p.ok()).isTrue();
    assertThat(p.lines()).isEqualTo(4);
    assertThat(p.events()).hasSize(2);
  }

  @Test
  void aBlankLineAloneIsNotAnEvent() {
    assertThatThrownBy(() -> EventLines.parse("null", 1))
        .isInstanceOf(EventLines.BadLineException.class)
        .hasMessage(
            "line 1: json: expected a JSON object like"
                + " {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"} but found null");
  }

  @Test
  void formattedEventsReadBackEqual() throws Exception {
    Workload w = Workloads.seedDay(300);
    java.util.Iterator<UsageEvent> it = w.iterator();
    long n = 0;
    while (it.hasNext()) {
      UsageEvent e = it.next();
      assertThat(EventLines.parse(EventLines.format(e), ++n)).isEqualTo(e);
    }
    assertThat(n).isEqualTo(300);
  }

  @Test
  void aThousandDigitNumberIsTooLargeNotTrailingContent() {
    String digits = "9".repeat(1001);
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\",\"inputTokens\":" + digits + "}", 3))
        .isEqualTo(
            "line 3: inputTokens: number too large (more than 1000 characters); "
                + "must be an integer between 0 and 9223372036854775807");
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\",\"inputTokens\":" + "9".repeat(1000) + "}", 3))
        .isEqualTo(
            "line 3: inputTokens: number too large; must be an integer between 0 and"
                + " 9223372036854775807 but was 99999999999999999999... (1000 characters)");
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\",\"inputTokens\":-" + digits + "}", 3))
        .startsWith("line 3: inputTokens: number too large");
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\",\"tokens\":" + digits + "}", 3))
        .startsWith("line 3: tokens: unknown field; allowed: id, at,");
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\",\"model\":[" + digits + "]}", 3))
        .startsWith("line 3: model: ");
  }

  @Test
  void deepNestingAndHugeNamesSayWhatIsWrong() {
    assertThat(errorOf("[".repeat(1001), 2))
        .isEqualTo(
            "line 2: json: nested more than 1000 levels deep; expected one flat JSON object like "
                + "{\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"}");
    assertThat(errorOf("{\"" + "x".repeat(50_001) + "\":1}", 2))
        .startsWith(
            "line 2: json: a field name longer than 50000 characters; allowed fields: id, at,");
  }

  @Test
  void trailingContentIsStillNamed() {
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\"} 5", 1))
        .isEqualTo("line 1: json: unexpected content after the JSON object (one event per line)");
    assertThat(errorOf("{" + AT + ",\"keyId\":\"k\"}   ", 1)).isNull();
  }

  @Test
  void aLineOverTheLimitIsReportedByLengthWithoutBeingKept() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}";
    String huge = "{" + AT + ",\"keyId\":\"" + "x".repeat(EventLines.MAX_LINE_BYTES) + "\"}";
    EventLines.Parsed p = read(good + "\n" + huge + "\n" + good + "\n");
    assertThat(p.errorCount()).isEqualTo(1);
    assertThat(p.errors())
        .extracting(EventLines.LineError::message)
        .containsExactly(
            "line 2: json: line longer than 1048576 bytes ("
                + huge.length()
                + " bytes); one event per line, "
                + "at most 1048576 bytes");
    assertThat(p.lines()).isEqualTo(3);
  }

  @Test
  void aStringOverTwentyMillionCharactersIsALineTooLong() throws Exception {
    byte[] big =
        ("{" + AT + ",\"model\":\"" + "m".repeat(20_000_001) + "\"}\n")
            .getBytes(StandardCharsets.US_ASCII);
    EventLines.Parsed p = EventLines.readAll(new ByteArrayInputStream(big));
    assertThat(p.errors())
        .extracting(EventLines.LineError::message)
        .singleElement()
        .asString()
        .startsWith("line 1: json: line longer than 1048576 bytes (200000");
  }

  @Test
  void invalidUtf8IsNamedByLine() throws Exception {
    byte[] bytes =
        ("{" + AT + ",\"keyId\":\"k\"}\n{" + AT + ",\"keyId\":\"\u00ff\"}\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    EventLines.Parsed p = EventLines.readAll(new ByteArrayInputStream(bytes));
    assertThat(p.errors())
        .extracting(EventLines.LineError::message)
        .containsExactly("line 2: json: not valid UTF-8 text");
  }

  @Test
  void crLfAndBareCrEndLinesLikeBufferedReader() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}";
    EventLines.Parsed p = read(good + "\r\n" + good + "\r" + good + "\n\r\n" + good);
    assertThat(p.ok()).as(p.toString()).isTrue();
    assertThat(p.events()).hasSize(4);
    assertThat(p.lines()).isEqualTo(5);
  }

  @Test
  void validationKeepsNoEventsAndCanBeStopped() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}\n";
    EventLines.Validation v =
        EventLines.validate(
            new ByteArrayInputStream(good.repeat(10).getBytes(StandardCharsets.UTF_8)),
            () -> false,
            e -> {});
    assertThat(v.ok()).isTrue();
    assertThat(v.events()).isEqualTo(10);
    assertThat(v.firstAt()).isEqualTo(Instant.parse("2025-07-31T16:30:00Z"));
    int[] asked = {0};
    EventLines.Validation stopped =
        EventLines.validate(
            new ByteArrayInputStream(good.repeat(10).getBytes(StandardCharsets.UTF_8)),
            () -> ++asked[0] > 3,
            e -> {});
    assertThat(stopped.stopped()).isTrue();
    assertThat(stopped.ok()).isFalse();
    assertThat(stopped.lines()).isEqualTo(3);
  }

  @Test
  void theSecondPassEndsWithAProblemWhenTheInputChanged() throws Exception {
    String good = "{" + AT + ",\"keyId\":\"k\"}\n";
    try (EventLines.Events events =
        new EventLines.Events(
            new ByteArrayInputStream(
                (good + good + "{}\n" + good).getBytes(StandardCharsets.UTF_8)))) {
      int n = 0;
      while (events.hasNext()) {
        events.next();
        n++;
      }
      assertThat(n).isEqualTo(2);
      assertThat(events.read()).isEqualTo(2);
      assertThat(events.problem())
          .startsWith("the input changed after it was validated: line 3: at: missing");
    }
  }
}
