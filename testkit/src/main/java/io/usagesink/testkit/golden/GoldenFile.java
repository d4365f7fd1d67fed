package io.usagesink.testkit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/**
 * A golden file of recorded CRS output ({@code crs-golden.json}, or {@code crs-golden-head.json} for
 * the 2026 layout) loaded into typed values. Immutable.
 *
 * <p><b>Where it is found.</b> In {@code ${usagesink.shared.dir}/reference/} when the system
 * property {@value #SHARED_DIR_PROPERTY} is set (the build sets it to the {@code shared} folder next
 * to the project); otherwise, or when it is not there, in {@code shared/reference/} of the working
 * directory or of any of its parents. The file is read in place, never copied into the project.
 * When it is absent (a clone without the shared folder), {@link #loadOrSkip(String)} aborts the
 * calling test with a JUnit assumption whose message names the missing file, so golden tests are
 * reported as skipped, not failed.
 */
public final class GoldenFile {

  /** The system property naming the shared folder: {@value}. */
  public static final String SHARED_DIR_PROPERTY = "usagesink.shared.dir";
  /** The golden file of the reference (2025) layout: {@value}. */
  public static final String REFERENCE = "crs-golden.json";
  /** The golden file of CRS HEAD (2026): {@value}. */
  public static final String HEAD = "crs-golden-head.json";

  private final Path path;
  private final GoldenSource source;
  private final GoldenConfig config;
  private final List<GoldenCase> cases;

  private GoldenFile(Path path, GoldenSource source, GoldenConfig config, List<GoldenCase> cases) {
    this.path = path;
    this.source = source;
    this.config = config;
    this.cases = List.copyOf(cases);
  }

  /** Loads the reference golden file or skips the calling test; see {@link #loadOrSkip(String)}. */
  public static GoldenFile loadOrSkip() {
    return loadOrSkip(REFERENCE);
  }

  /**
   * Loads the golden file {@code fileName} (e.g. {@value #REFERENCE}), or aborts the calling test
   * (JUnit assumption: reported as skipped) with a message naming the missing file and where it
   * was looked for.
   *
   * @throws UncheckedIOException if the file exists but cannot be read
   * @throws IllegalArgumentException if it is not a valid golden file
   */
  public static GoldenFile loadOrSkip(String fileName) {
    Optional<Path> found = locate(fileName);
    Assumptions.assumeTrue(found.isPresent(), () -> fileName + " not found (looked in "
        + String.join(" and ", candidates(fileName).stream().map(Path::toString).toList())
        + "); set -D" + SHARED_DIR_PROPERTY + "=<dir containing reference/" + fileName
        + "> to run the golden tests");
    return load(found.get());
  }

  /** Where {@code fileName} is, if it exists; see the class documentation for the search order. */
  public static Optional<Path> locate(String fileName) {
    return candidates(fileName).stream().filter(Files::isRegularFile).findFirst();
  }

  private static List<Path> candidates(String fileName) {
    List<Path> out = new ArrayList<>();
    String shared = System.getProperty(SHARED_DIR_PROPERTY);
    if (shared != null && !shared.isBlank()) {
      out.add(Path.of(shared).toAbsolutePath().normalize().resolve("reference").resolve(fileName));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      out.add(dir.resolve("shared").resolve("reference").resolve(fileName));
    }
    return out;
  }

  /**
   * Loads a golden file.
   *
   * @throws UncheckedIOException if it cannot be read
   * @throws IllegalArgumentException if it is not a valid golden file (the message names the case
   *     and the element)
   */
  public static GoldenFile load(Path path) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read golden file " + path, e);
    }
    JsonNode src = required(root, "source", path.toString());
    GoldenSource source = new GoldenSource(src.path("repo").asText(), src.path("path").asText(),
        src.path("commit").asText(), src.path("date").asText());
    JsonNode cfg = required(root, "config", path.toString());
    GoldenConfig config = new GoldenConfig(required(cfg, "timezoneOffsetHours", "config").asInt(),
        required(cfg, "metricsWindowMinutes", "config").asInt());
    List<GoldenCase> cases = new ArrayList<>();
    for (JsonNode c : required(root, "cases", path.toString())) {
      cases.add(parseCase(c));
    }
    return new GoldenFile(path, source, config, cases);
  }

  private static GoldenCase parseCase(JsonNode c) {
    String name = required(c, "name", "case").asText();
    List<CrsCall> events = new ArrayList<>();
    for (JsonNode e : required(c, "events", name)) {
      Map<String, Object> args = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> arg : required(e, "args", name).properties()) {
        args.put(arg.getKey(), value(arg.getValue(), name + " argument " + arg.getKey()));
      }
      events.add(new CrsCall(CrsMethod.fromJsName(required(e, "method", name).asText()),
          Instant.parse(required(e, "at", name).asText()), new CrsArgs(args)));
    }
    List<List<List<String>>> commands = new ArrayList<>();
    for (JsonNode perEvent : required(c, "commandsPerEvent", name)) {
      List<List<String>> list = new ArrayList<>();
      for (JsonNode command : perEvent) {
        List<String> argv = new ArrayList<>();
        command.forEach(a -> argv.add(a.asText()));
        list.add(argv);
      }
      commands.add(list);
    }
    TreeMap<String, StoredValue> state = new TreeMap<>();
    for (Map.Entry<String, JsonNode> k : required(c, "state", name).properties()) {
      JsonNode v = k.getValue();
      String type = required(v, "type", name + " key " + k.getKey()).asText();
      long ttl = required(v, "ttl", name + " key " + k.getKey()).asLong();
      if (type.equals(StoredValue.HASH)) {
        Map<String, String> fields = new TreeMap<>();
        v.path("fields").properties().forEach(f -> fields.put(f.getKey(), f.getValue().asText()));
        state.put(k.getKey(), StoredValue.hash(fields, ttl));
      } else if (type.equals(StoredValue.SET)) {
        List<String> members = new ArrayList<>();
        v.path("members").forEach(m -> members.add(m.asText()));
        state.put(k.getKey(), StoredValue.set(members, ttl));
      } else {
        throw new IllegalArgumentException("case " + name + " key " + k.getKey() + " has unsupported type " + type);
      }
    }
    return new GoldenCase(name, events, commands, state);
  }

  private static Object value(JsonNode v, String what) {
    if (v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    throw new IllegalArgumentException(what + " has unsupported JSON value " + v);
  }

  private static JsonNode required(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null) {
      throw new IllegalArgumentException(where + " has no \"" + field + "\"");
    }
    return v;
  }

  /** The file this was loaded from. */
  public Path path() {
    return path;
  }

  /** Where the data was recorded from. */
  public GoldenSource source() {
    return source;
  }

  /** The CRS configuration of the recording. */
  public GoldenConfig config() {
    return config;
  }

  /** Every case, in file order. */
  public List<GoldenCase> cases() {
    return cases;
  }

  /**
   * The case named {@code name}.
   *
   * @throws IllegalArgumentException if there is none (the message lists the names)
   */
  public GoldenCase caseNamed(String name) {
    return cases.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("no golden case " + name + " in " + path + "; cases: "
            + cases.stream().map(GoldenCase::name).toList()));
  }
}
