package io.usagesink.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.usagesink.UsageEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads usage events from JSON lines, the event format of DESIGN.md section 7: one JSON object a
 * line, for example
 * <pre>{"at":"2025-07-31T16:30:00Z","keyId":"k1","accountId":"a1","model":"claude-sonnet-4-20250514","inputTokens":1200,"outputTokens":350}</pre>
 *
 * <p>The rules, strict on purpose because every line is billing data:
 * <ul>
 *   <li>Blank lines are skipped (they still count in line numbers, which start at 1).
 *   <li>{@code at} is required: an ISO-8601 instant with an offset ({@code 2025-07-31T16:30:00Z} or
 *       {@code 2025-08-01T00:30:00+08:00}).
 *   <li>{@code keyId}, {@code accountId}: strings, non-blank; either may be absent or {@code null}
 *       but not both. {@code model}: a string; absent, {@code null} or blank means "unknown".
 *       {@code id}: optional non-blank string (the idempotency key of exactly-once backends).
 *   <li>{@link #COUNT_FIELDS}: JSON integers from 0 to {@value Long#MAX_VALUE}; absent or
 *       {@code null} means 0. Fractions ({@code 1.5}, {@code 1.0}, {@code 1e3}), strings,
 *       negatives and values above the maximum are errors; so is a token sum that overflows.
 *   <li>{@code longContext}: {@code true} or {@code false}; absent or {@code null} means false.
 *   <li>Unknown fields are errors (a misspelt {@code inputToken} would otherwise book 0 tokens
 *       silently), and so are duplicate fields and anything after the object on the line.
 * </ul>
 * Every error is reported as {@code line N: <field>: <problem>}; malformed JSON uses the field name
 * {@code json}.
 *
 * <p>Stateless and thread-safe.
 */
final class EventLines {

  /** The numeric fields; each a JSON integer {@code >= 0}, 0 when absent. */
  static final List<String> COUNT_FIELDS = List.of(
      "inputTokens", "outputTokens", "cacheCreateTokens", "cacheReadTokens",
      "ephemeral5mTokens", "ephemeral1hTokens", "realCostMicros", "ratedCostMicros");

  /** Every field an event line may have. */
  static final Set<String> FIELDS = Set.copyOf(concat(
      List.of("id", "at", "keyId", "accountId", "model", "longContext"), COUNT_FIELDS));

  /** How many bad lines {@link Parsed#errors()} keeps; the rest are only counted. */
  static final int MAX_REPORTED_ERRORS = 20;

  private static final String ALLOWED_FIELDS = String.join(", ", concat(
      List.of("id", "at", "keyId", "accountId", "model"), concat(COUNT_FIELDS, List.of("longContext"))));

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
      .build();

  private EventLines() {}

  /** One bad line: where, which field, what is wrong. */
  record LineError(long line, String field, String problem) {
    /** {@code line N: <field>: <problem>}. */
    String message() {
      return "line " + line + ": " + field + ": " + problem;
    }
  }

  /**
   * The outcome of reading a whole input.
   *
   * @param events the valid events in input order (complete only when {@code errorCount == 0})
   * @param lines lines read, blank ones included
   * @param errors the first {@value #MAX_REPORTED_ERRORS} errors
   * @param errorCount how many lines were bad
   */
  record Parsed(List<UsageEvent> events, long lines, List<LineError> errors, long errorCount) {
    boolean ok() {
      return errorCount == 0;
    }
  }

  /** Thrown by {@link #parse(String, long)} for a bad line. */
  static final class BadLineException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient LineError error;

    BadLineException(LineError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    LineError error() {
      return error;
    }
  }

  /** Reads every line of {@code in}, validating each; never stops at the first bad line. */
  static Parsed readAll(BufferedReader in) throws IOException {
    List<UsageEvent> events = new ArrayList<>();
    List<LineError> errors = new ArrayList<>();
    long errorCount = 0;
    long n = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        UsageEvent e = parse(line, n);
        if (errorCount == 0) {
          events.add(e);
        }
      } catch (BadLineException e) {
        errorCount++;
        if (errors.size() < MAX_REPORTED_ERRORS) {
          errors.add(e.error());
        }
        events.clear();
      }
    }
    return new Parsed(errorCount == 0 ? List.copyOf(events) : List.of(), n, List.copyOf(errors), errorCount);
  }

  /**
   * Parses one non-blank line.
   *
   * @param lineNumber the 1-based line number used in the error
   * @throws BadLineException naming the line, the field and the problem
   */
  static UsageEvent parse(String line, long lineNumber) throws BadLineException {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (JsonParseException e) {
      throw bad(lineNumber, "json", "malformed JSON: " + e.getOriginalMessage()
          + " (column " + e.getLocation().getColumnNr() + ")");
    } catch (JsonProcessingException e) {
      // FAIL_ON_TRAILING_TOKENS: something follows the first value on the line
      throw bad(lineNumber, "json", "unexpected content after the JSON object (one event per line)");
    }
    if (root == null || !root.isObject()) {
      throw bad(lineNumber, "json", "expected a JSON object like {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"} but found "
          + describe(root));
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      if (!FIELDS.contains(name)) {
        throw bad(lineNumber, name, "unknown field; allowed: " + ALLOWED_FIELDS);
      }
    }
    UsageEvent.Builder b = UsageEvent.builder();
    b.at(instant(root, lineNumber));
    b.id(nonBlankString(root, "id", lineNumber));
    String keyId = nonBlankString(root, "keyId", lineNumber);
    String accountId = nonBlankString(root, "accountId", lineNumber);
    if (keyId == null && accountId == null) {
      throw bad(lineNumber, "keyId", "keyId and accountId are both absent; at least one is required");
    }
    b.keyId(keyId).accountId(accountId);
    b.model(string(root, "model", lineNumber));
    long[] counts = new long[COUNT_FIELDS.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = count(root, COUNT_FIELDS.get(i), lineNumber);
    }
    b.inputTokens(counts[0]).outputTokens(counts[1]).cacheCreateTokens(counts[2]).cacheReadTokens(counts[3])
        .ephemeral5mTokens(counts[4]).ephemeral1hTokens(counts[5])
        .realCostMicros(counts[6]).ratedCostMicros(counts[7]);
    try {
      Math.addExact(Math.addExact(counts[0], counts[1]), Math.addExact(counts[2], counts[3]));
    } catch (ArithmeticException e) {
      throw bad(lineNumber, "inputTokens+outputTokens+cacheCreateTokens+cacheReadTokens",
          "the sum overflows a long (at most " + Long.MAX_VALUE + ")");
    }
    b.longContext(bool(root, "longContext", lineNumber));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // every rule of UsageEvent is checked above; this is a safety net for rules added later
      throw bad(lineNumber, "event", e.getMessage());
    }
  }

  /**
   * The event as one JSON line that {@link #parse} reads back to an equal event: absent ids and
   * zero counts are left out, {@code longContext} only when true.
   */
  static String format(UsageEvent e) {
    com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
    if (e.id() != null) {
      o.put("id", e.id());
    }
    o.put("at", e.at().toString());
    if (e.keyId() != null) {
      o.put("keyId", e.keyId());
    }
    if (e.accountId() != null) {
      o.put("accountId", e.accountId());
    }
    o.put("model", e.model());
    long[] counts = {e.inputTokens(), e.outputTokens(), e.cacheCreateTokens(), e.cacheReadTokens(),
        e.ephemeral5mTokens(), e.ephemeral1hTokens(), e.realCostMicros(), e.ratedCostMicros()};
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0) {
        o.put(COUNT_FIELDS.get(i), counts[i]);
      }
    }
    if (e.longContext()) {
      o.put("longContext", true);
    }
    return o.toString();
  }

  private static Instant instant(JsonNode root, long line) throws BadLineException {
    JsonNode n = root.get("at");
    if (n == null || n.isNull()) {
      throw bad(line, "at", "missing; required: an ISO-8601 instant like 2025-07-31T16:30:00Z");
    }
    if (!n.isTextual()) {
      throw bad(line, "at", "must be a string with an ISO-8601 instant like 2025-07-31T16:30:00Z but was "
          + describe(n));
    }
    String text = n.textValue();
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw bad(line, "at", "must be an ISO-8601 instant with an offset like 2025-07-31T16:30:00Z or "
          + "2025-08-01T00:30:00+08:00 but was " + quote(text));
    }
  }

  private static String string(JsonNode root, String field, long line) throws BadLineException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw bad(line, field, "must be a string or null but was " + describe(n));
    }
    return n.textValue();
  }

  private static String nonBlankString(JsonNode root, String field, long line) throws BadLineException {
    String s = string(root, field, line);
    if (s != null && s.isBlank()) {
      throw bad(line, field, "must be a non-blank string, or absent, but was " + quote(s));
    }
    return s;
  }

  private static long count(JsonNode root, String field, long line) throws BadLineException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isNumber()) {
      throw bad(line, field, "must be an integer >= 0 but was " + describe(n));
    }
    if (!n.isIntegralNumber()) {
      throw bad(line, field, "must be an integer >= 0 but was " + n.asText() + " (not a whole number)");
    }
    if (n.bigIntegerValue().signum() < 0) {
      throw bad(line, field, "must be >= 0 but was " + n.asText());
    }
    if (!n.canConvertToLong()) {
      throw bad(line, field, "must be at most " + Long.MAX_VALUE + " but was " + n.asText());
    }
    return n.longValue();
  }

  private static boolean bool(JsonNode root, String field, long line) throws BadLineException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw bad(line, field, "must be true or false but was " + describe(n));
    }
    return n.booleanValue();
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    if (n.isNull()) {
      return "null";
    }
    if (n.isTextual()) {
      return "the string " + quote(n.textValue());
    }
    if (n.isNumber()) {
      return "the number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String quote(String s) {
    String shown = s.length() > 60 ? s.substring(0, 57) + "..." : s;
    return "\"" + shown + "\"";
  }

  private static BadLineException bad(long line, String field, String problem) {
    return new BadLineException(new LineError(line, field, problem));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
