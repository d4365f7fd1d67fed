package io.usagesink.cli.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.base.Ascii;
import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads usage events from JSON lines, the event format of DESIGN.md section 7: one JSON object a
 * line, for example
 *
 * <pre>
 * {"at":"2025-07-31T16:30:00Z","keyId":"k1","accountId":"a1","model":"claude-sonnet-4-20250514","inputTokens":1200,"outputTokens":350}
 * </pre>
 *
 * <p>The rules, strict on purpose because every line is billing data:
 *
 * <ul>
 *   <li>Blank lines are skipped (they still count in line numbers, which start at 1).
 *   <li>{@code at} is required: an ISO-8601 instant with an offset ({@code 2025-07-31T16:30:00Z} or
 *       {@code 2025-08-01T00:30:00+08:00}).
 *   <li>{@code keyId}, {@code accountId}: strings, non-blank; either may be absent or {@code null}
 *       but not both. {@code model}: a string; absent, {@code null} or blank means "unknown".
 *       {@code id}: optional non-blank string (the idempotency key of exactly-once backends).
 *   <li>{@link #COUNT_FIELDS}: JSON integers from 0 to {@value Long#MAX_VALUE}; absent or {@code
 *       null} means 0. Fractions ({@code 1.5}, {@code 1.0}, {@code 1e3}), strings, negatives and
 *       values above the maximum are errors; so is a token sum that overflows.
 *   <li>{@code longContext}: {@code true} or {@code false}; absent or {@code null} means false.
 *   <li>Unknown fields are errors (a misspelt {@code inputToken} would otherwise book 0 tokens
 *       silently), and so are duplicate fields and anything after the object on the line.
 *   <li>Limits, so that any input is read in bounded memory: a line has at most {@value
 *       #MAX_LINE_BYTES} bytes of UTF-8, a number at most {@value #MAX_NUMBER_CHARS} characters, a
 *       field name at most {@value #MAX_NAME_CHARS}, nesting at most {@value #MAX_NESTING} levels.
 * </ul>
 *
 * Every error is reported as {@code line N: <field>: <problem>}; malformed JSON uses the field name
 * {@code json}.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventLines {

  /**
   * The numeric fields ({@link Measure#eventFields()}); each a JSON integer {@code >= 0}, 0 when
   * absent.
   */
  static final List<String> COUNT_FIELDS =
      Measure.eventFields().stream().map(Measure::fieldName).toList();

  /** Every field an event line may have. */
  static final Set<String> FIELDS =
      Set.copyOf(
          concat(List.of("id", "at", "keyId", "accountId", "model", "longContext"), COUNT_FIELDS));

  /** How many bad lines {@link Parsed#errors()} keeps; the rest are only counted. */
  static final int MAX_REPORTED_ERRORS = 20;

  private static final String ALLOWED_FIELDS =
      String.join(
          ", ",
          concat(
              List.of("id", "at", "keyId", "accountId", "model"),
              concat(COUNT_FIELDS, List.of("longContext"))));

  /** The longest line read, in bytes: a line holds one event, which is far shorter. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  /**
   * The longest number read, in characters (Jackson's default); event numbers have at most 19
   * digits.
   */
  public static final int MAX_NUMBER_CHARS = 1000;

  /** The longest field name read, in characters (Jackson's default). */
  public static final int MAX_NAME_CHARS = 50_000;

  /** The deepest nesting read (Jackson's default); an event is one flat object. */
  public static final int MAX_NESTING = 1000;

  private static final String INTEGER_RANGE = "must be an integer between 0 and " + Long.MAX_VALUE;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNumberLength(MAX_NUMBER_CHARS)
                          .maxNameLength(MAX_NAME_CHARS)
                          .maxNestingDepth(MAX_NESTING)
                          .maxStringLength(MAX_LINE_BYTES)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .build();

  private EventLines() {}

  /** One bad line: where, which field, what is wrong. */
  public record LineError(long line, String field, String problem) {
    /** {@code line N: <field>: <problem>}. */
    public String message() {
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
  public record Parsed(
      List<UsageEvent> events, long lines, List<LineError> errors, long errorCount) {
    public boolean ok() {
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
  public static Parsed readAll(InputStream in) throws IOException {
    List<UsageEvent> events = new ArrayList<>();
    Validation v = validate(in, () -> false, events::add);
    return new Parsed(
        v.ok() ? List.copyOf(events) : List.of(), v.lines(), v.errors(), v.errorCount());
  }

  /**
   * The outcome of validating a whole input without keeping its events.
   *
   * @param lines lines read, blank ones included
   * @param events valid events
   * @param firstAt the time of the first valid event, or {@code null} when there is none
   * @param errors the first {@value #MAX_REPORTED_ERRORS} errors
   * @param errorCount how many lines were bad
   * @param stopped whether reading stopped early because it was asked to
   */
  public record Validation(
      long lines,
      long events,
      Instant firstAt,
      List<LineError> errors,
      long errorCount,
      boolean stopped) {
    public boolean ok() {
      return errorCount == 0 && !stopped;
    }
  }

  /**
   * Validates every line of {@code in} in bounded memory: each valid event is passed to {@code
   * sink} (which may drop it) and not kept; the first {@value #MAX_REPORTED_ERRORS} errors are
   * kept, all are counted. Never stops at the first bad line; stops early when {@code stop} says so
   * (checked before every line).
   */
  public static Validation validate(InputStream in, BooleanSupplier stop, Consumer<UsageEvent> sink)
      throws IOException {
    InputLines lines = new InputLines(in, MAX_LINE_BYTES);
    List<LineError> errors = new ArrayList<>();
    long errorCount = 0;
    long events = 0;
    Instant firstAt = null;
    long n = 0;
    boolean stopped = false;
    while (true) {
      if (stop.getAsBoolean()) {
        stopped = true;
        break;
      }
      InputLines.Line line = lines.next();
      if (line == null) {
        break;
      }
      n = line.number();
      try {
        UsageEvent e = event(line);
        if (e != null) {
          events++;
          if (firstAt == null) {
            firstAt = e.at();
          }
          sink.accept(e);
        }
      } catch (BadLineException e) {
        errorCount++;
        if (errors.size() < MAX_REPORTED_ERRORS) {
          errors.add(e.error());
        }
      }
    }
    return new Validation(n, events, firstAt, List.copyOf(errors), errorCount, stopped);
  }

  /**
   * The events of an input that {@link #validate} found valid, read again one at a time (bounded
   * memory). Should the input have changed since and a line now be bad or unreadable, iteration
   * ends there and {@link #problem()} says why.
   *
   * <p>Not thread-safe. Closing closes the stream.
   */
  public static final class Events implements Iterator<UsageEvent>, Closeable {
    private final InputLines lines;
    private UsageEvent next;
    private String problem;
    private long read;

    public Events(InputStream in) {
      this.lines = new InputLines(in, MAX_LINE_BYTES);
    }

    @Override
    public boolean hasNext() {
      while (next == null && problem == null) {
        InputLines.Line line;
        try {
          line = lines.next();
        } catch (IOException e) {
          problem = "reading the input failed after line " + read + ": " + e.getMessage();
          return false;
        }
        if (line == null) {
          return false;
        }
        try {
          next = event(line);
        } catch (BadLineException e) {
          problem = "the input changed after it was validated: " + e.getMessage();
        }
      }
      return next != null;
    }

    @Override
    public UsageEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      UsageEvent e = next;
      next = null;
      read++;
      return e;
    }

    /** Events returned by {@link #next()} so far. */
    public long read() {
      return read;
    }

    /** Why iteration ended before the end of the input, or {@code null}. */
    public String problem() {
      return problem;
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }

  /** The event of one line, or {@code null} for a blank line. */
  private static UsageEvent event(InputLines.Line line) throws BadLineException {
    if (line.tooLong()) {
      throw bad(
          line.number(),
          "json",
          "line longer than "
              + MAX_LINE_BYTES
              + " bytes ("
              + line.bytes()
              + " bytes); one event per line, at most "
              + MAX_LINE_BYTES
              + " bytes");
    }
    if (line.notUtf8()) {
      throw bad(line.number(), "json", "not valid UTF-8 text");
    }
    if (line.text().isBlank()) {
      return null;
    }
    return parse(line.text(), line.number());
  }

  /**
   * Parses one non-blank line.
   *
   * @param lineNumber the 1-based line number used in the error
   * @throws BadLineException naming the line, the field and the problem
   */
  static UsageEvent parse(String line, long lineNumber) throws BadLineException {
    JsonNode root;
    try (JsonParser p = JSON.createParser(line)) {
      try {
        root = JSON.readTree(p);
        if (root != null && p.nextToken() != null) {
          throw bad(
              lineNumber, "json", "unexpected content after the JSON object (one event per line)");
        }
      } catch (StreamConstraintsException e) {
        throw tooBig(lineNumber, p.currentName(), e);
      } catch (JsonParseException e) {
        throw bad(
            lineNumber,
            "json",
            "malformed JSON: "
                + e.getOriginalMessage()
                + " (column "
                + e.getLocation().getColumnNr()
                + ")");
      }
    } catch (IOException e) {
      // reading a String does no I/O: another processing error of the parser
      throw bad(lineNumber, "json", "malformed JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw bad(
          lineNumber,
          "json",
          "expected a JSON object like {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"} but found"
              + " "
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
      throw bad(
          lineNumber, "keyId", "keyId and accountId are both absent; at least one is required");
    }
    b.keyId(keyId).accountId(accountId);
    b.model(string(root, "model", lineNumber));
    long[] cells =
        new long[Measure.TALLIED]; // the event fields' cells; sums of them are checked below
    for (Measure m : Measure.eventFields()) {
      cells[m.ordinal()] = count(root, m.fieldName(), lineNumber);
      b.count(m, cells[m.ordinal()]);
    }
    for (Measure sum : Measure.sums()) {
      if (sum.sumOf(cells) < 0) {
        throw bad(
            lineNumber,
            String.join("+", sum.parts().stream().map(Measure::fieldName).toList()),
            "the sum overflows a long (at most " + Long.MAX_VALUE + ")");
      }
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
  public static String format(UsageEvent e) {
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
    for (Measure m : Measure.eventFields()) {
      long count = m.of(e);
      if (count != 0) {
        o.put(m.fieldName(), count);
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
      throw bad(
          line,
          "at",
          "must be a string with an ISO-8601 instant like 2025-07-31T16:30:00Z but was "
              + describe(n));
    }
    String text = n.textValue();
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw bad(
          line,
          "at",
          "must be an ISO-8601 instant with an offset like 2025-07-31T16:30:00Z or "
              + "2025-08-01T00:30:00+08:00 but was "
              + quote(text));
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

  private static String nonBlankString(JsonNode root, String field, long line)
      throws BadLineException {
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
      throw bad(
          line, field, "must be an integer >= 0 but was " + n.asText() + " (not a whole number)");
    }
    if (n.bigIntegerValue().signum() < 0) {
      throw bad(line, field, "must be >= 0 but was " + n.asText());
    }
    if (!n.canConvertToLong()) {
      throw bad(
          line, field, "number too large; " + INTEGER_RANGE + " but was " + abbreviate(n.asText()));
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
      return "the number " + abbreviate(n.asText());
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
    return n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * A value beyond the parser's limits ({@link StreamReadConstraints}): a number of more than
   * {@value #MAX_NUMBER_CHARS} characters, a field name of more than {@value #MAX_NAME_CHARS}, a
   * string longer than a line can be, or nesting deeper than {@value #MAX_NESTING}.
   */
  private static BadLineException tooBig(long line, String field, StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.startsWith("Number value length")) {
      if (field == null) {
        return bad(
            line,
            "json",
            "a number longer than "
                + MAX_NUMBER_CHARS
                + " characters; event lines hold integers from 0 to "
                + Long.MAX_VALUE);
      }
      if (!FIELDS.contains(field)) {
        return bad(line, shortName(field), "unknown field; allowed: " + ALLOWED_FIELDS);
      }
      return bad(
          line,
          field,
          "number too large (more than " + MAX_NUMBER_CHARS + " characters); " + INTEGER_RANGE);
    }
    if (m.startsWith("Name length")) {
      return bad(
          line,
          "json",
          "a field name longer than "
              + MAX_NAME_CHARS
              + " characters; allowed fields: "
              + ALLOWED_FIELDS);
    }
    if (m.startsWith("Document nesting depth")) {
      return bad(
          line,
          "json",
          "nested more than "
              + MAX_NESTING
              + " levels deep; expected one flat JSON object "
              + "like {\"at\":\"2025-07-31T16:30:00Z\",\"keyId\":\"k1\"}");
    }
    if (m.startsWith("String value length")) {
      return bad(
          line, field == null || !FIELDS.contains(field) ? "json" : field, "string too long; " + m);
    }
    return bad(line, "json", "too large: " + m);
  }

  private static String shortName(String field) {
    return Ascii.truncate(field, 60, "...");
  }

  /** A number shown in a message: whole up to 40 characters, else its start and its length. */
  private static String abbreviate(String number) {
    return number.length() <= 40
        ? number
        : number.substring(0, 20) + "... (" + number.length() + " characters)";
  }

  private static String quote(String s) {
    return "\"" + Ascii.truncate(s, 60, "...") + "\"";
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
