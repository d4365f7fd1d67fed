package io.usagesink.testkit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.usagesink.testkit.redis.StoredKey;
import java.io.IOException;
import java.io.InputStream;
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
 * A golden file of recorded CRS output ({@code crs-golden.json}, or {@code crs-golden-head.json}
 * for the 2026 layout) loaded into typed values. Immutable.
 *
 * <p><b>Where it is found.</b> The reference file {@value #REFERENCE} ships in the test kit's
 * resources ({@value #REFERENCE_RESOURCE}, a byte-identical copy of {@code
 * shared/reference/crs-golden.json}), so {@link #reference()} and {@link #loadOrSkip()} always load
 * it from the class path and golden tests run in a plain clone. Any other file is looked for in
 * {@code ${usagesink.shared.dir}/reference/} when the system property {@value #SHARED_DIR_PROPERTY}
 * is set (the build sets it to the {@code shared} folder next to the project); otherwise, or when
 * it is not there, in {@code shared/reference/} of the working directory or of any of its parents.
 * When such a file is absent, {@link #loadOrSkip(String)} aborts the calling test with a JUnit
 * assumption naming the missing file (reported as skipped), except under CI (environment variable
 * {@code CI} set and not {@code false}), where it fails the test instead.
 */
public final class GoldenFile {

  /** The system property naming the shared folder: {@value}. */
  public static final String SHARED_DIR_PROPERTY = "usagesink.shared.dir";

  /** The golden file of the reference (2025) layout: {@value}. */
  public static final String REFERENCE = "crs-golden.json";

  /** The golden file of CRS HEAD (2026): {@value}. */
  public static final String HEAD = "crs-golden-head.json";

  /** The class-path resource holding the reference golden file: {@value}. */
  public static final String REFERENCE_RESOURCE = "/io/usagesink/testkit/golden/" + REFERENCE;

  private final String location;
  private final GoldenSource source;
  private final GoldenConfig config;
  private final List<GoldenCase> cases;

  private GoldenFile(
      String location, GoldenSource source, GoldenConfig config, List<GoldenCase> cases) {
    this.location = location;
    this.source = source;
    this.config = config;
    this.cases = List.copyOf(cases);
  }

  /**
   * The reference golden file ({@value #REFERENCE}) from the test kit's class path; never skips.
   *
   * @throws IllegalStateException if the resource is missing from the class path (a broken build)
   */
  public static GoldenFile reference() {
    try (InputStream in = GoldenFile.class.getResourceAsStream(REFERENCE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "class-path resource "
                + REFERENCE_RESOURCE
                + " is missing; the test kit jar must contain it");
      }
      return parse(new ObjectMapper().readTree(in), "classpath:" + REFERENCE_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read class-path resource " + REFERENCE_RESOURCE, e);
    }
  }

  /** The reference golden file from the class path ({@link #reference()}); it never skips. */
  public static GoldenFile loadOrSkip() {
    return reference();
  }

  /**
   * Loads the golden file {@code fileName} from the shared folder (for {@value #REFERENCE}: from
   * the class path, see {@link #reference()}). When it is absent, aborts the calling test (JUnit
   * assumption: reported as skipped) with a message naming the missing file and where it was looked
   * for; under CI (environment variable {@code CI} set and not {@code false}) fails it instead, so
   * golden tests never vanish silently from a CI run.
   *
   * @throws UncheckedIOException if the file exists but cannot be read
   * @throws IllegalArgumentException if it is not a valid golden file
   * @throws AssertionError if it is absent under CI
   */
  public static GoldenFile loadOrSkip(String fileName) {
    if (fileName.equals(REFERENCE)) {
      return reference();
    }
    Optional<Path> found = locate(fileName);
    if (found.isEmpty()) {
      String message =
          fileName
              + " not found (looked in "
              + String.join(" and ", candidates(fileName).stream().map(Path::toString).toList())
              + "); set -D"
              + SHARED_DIR_PROPERTY
              + "=<dir containing reference/"
              + fileName
              + "> to run the golden tests";
      if (underCi(System.getenv("CI"))) {
        throw new AssertionError(message + " (CI is set, so this fails instead of skipping)");
      }
      Assumptions.abort(message);
    }
    return load(found.get());
  }

  /**
   * Whether the value of the environment variable {@code CI} means a CI run: set, and not {@code
   * false}.
   */
  static boolean underCi(String ci) {
    return ci != null && !ci.isBlank() && !ci.trim().equalsIgnoreCase("false");
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
    return parse(root, path.toString());
  }

  private static GoldenFile parse(JsonNode root, String location) {
    JsonNode src = required(root, "source", location);
    GoldenSource source =
        new GoldenSource(
            src.path("repo").asText(),
            src.path("path").asText(),
            src.path("commit").asText(),
            src.path("date").asText());
    JsonNode cfg = required(root, "config", location);
    GoldenConfig config =
        new GoldenConfig(
            required(cfg, "timezoneOffsetHours", "config").asInt(),
            required(cfg, "metricsWindowMinutes", "config").asInt());
    List<GoldenCase> cases = new ArrayList<>();
    for (JsonNode c : required(root, "cases", location)) {
      cases.add(parseCase(c));
    }
    return new GoldenFile(location, source, config, cases);
  }

  private static GoldenCase parseCase(JsonNode c) {
    String name = required(c, "name", "case").asText();
    List<CrsCall> events = new ArrayList<>();
    for (JsonNode e : required(c, "events", name)) {
      Map<String, Object> args = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> arg : required(e, "args", name).properties()) {
        args.put(arg.getKey(), value(arg.getValue(), name + " argument " + arg.getKey()));
      }
      events.add(
          new CrsCall(
              CrsMethod.fromJsName(required(e, "method", name).asText()),
              Instant.parse(required(e, "at", name).asText()),
              new CrsArgs(args)));
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
    TreeMap<String, StoredKey> state = new TreeMap<>();
    for (Map.Entry<String, JsonNode> k : required(c, "state", name).properties()) {
      JsonNode v = k.getValue();
      String type = required(v, "type", name + " key " + k.getKey()).asText();
      long ttl = required(v, "ttl", name + " key " + k.getKey()).asLong();
      if (type.equals(StoredKey.HASH)) {
        Map<String, String> fields = new TreeMap<>();
        v.path("fields").properties().forEach(f -> fields.put(f.getKey(), f.getValue().asText()));
        state.put(k.getKey(), StoredKey.hash(fields, ttl));
      } else if (type.equals(StoredKey.SET)) {
        List<String> members = new ArrayList<>();
        v.path("members").forEach(m -> members.add(m.asText()));
        state.put(k.getKey(), StoredKey.set(members, ttl));
      } else {
        throw new IllegalArgumentException(
            "case " + name + " key " + k.getKey() + " has unsupported type " + type);
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

  /**
   * Where this was loaded from: a file path, or {@code classpath:/...} for {@link #reference()}.
   */
  public String location() {
    return location;
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
    return cases.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no golden case "
                        + name
                        + " in "
                        + location
                        + "; cases: "
                        + cases.stream().map(GoldenCase::name).toList()));
  }
}
