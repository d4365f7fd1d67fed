package io.usagesink.testkit.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

import io.usagesink.testkit.redis.StoredKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class GoldenFileTest {

  static final String MINIMAL =
      """
      {"source": {"repo": "r", "path": "p", "commit": "c", "date": "d"},
       "config": {"timezoneOffsetHours": 8, "metricsWindowMinutes": 5},
       "cases": [{"name": "one",
         "events": [{"method": "incrementTokenUsage", "at": "2025-08-15T03:10:00Z",
                     "args": {"keyId": "k1", "tokens": 5, "model": null, "ratio": 0.5, "isLongContextRequest": false}}],
         "commandsPerEvent": [[["HINCRBY", "usage:k1", "totalTokens", "5"], ["EXPIRE", "x", "600"]]],
         "state": {"usage:k1": {"type": "hash", "fields": {"totalTokens": "5"}, "ttl": -1},
                   "idx": {"type": "set", "members": ["b", "a"], "ttl": 600}}}]}
      """;

  @Test
  void loadsTypedCasesKeepingNullApartFromAbsent(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("g.json"), MINIMAL);
    GoldenFile golden = GoldenFile.load(file);
    assertThat(golden.location()).isEqualTo(file.toString());
    assertThat(golden.source()).isEqualTo(new GoldenSource("r", "p", "c", "d"));
    assertThat(golden.config()).isEqualTo(new GoldenConfig(8, 5));
    GoldenCase c = golden.caseNamed("one");
    CrsCall call = c.events().get(0);
    assertThat(call.method()).isEqualTo(CrsMethod.INCREMENT_TOKEN_USAGE);
    assertThat(call.at()).isEqualTo(Instant.parse("2025-08-15T03:10:00Z"));
    assertThat(call.args().names())
        .containsExactly("keyId", "tokens", "model", "ratio", "isLongContextRequest");
    assertThat(call.args().has("model")).isTrue();
    assertThat(call.args().raw("model")).isNull();
    assertThat(call.args().has("inputTokens")).isFalse();
    assertThat(call.args().raw("tokens")).isEqualTo(5L);
    assertThat(call.args().raw("ratio")).isEqualTo(0.5);
    assertThat(c.commands(0))
        .containsExactly(
            List.of("HINCRBY", "usage:k1", "totalTokens", "5"), List.of("EXPIRE", "x", "600"));
    assertThat(c.state())
        .containsExactly(
            entry("idx", StoredKey.set(List.of("a", "b"), 600)),
            entry("usage:k1", StoredKey.hash(Map.of("totalTokens", "5"), -1)));
    assertThat(c.deviation()).isEmpty();
  }

  @Test
  void unknownCaseNameListsTheCases(@TempDir Path dir) throws IOException {
    GoldenFile golden = GoldenFile.load(Files.writeString(dir.resolve("g.json"), MINIMAL));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> golden.caseNamed("two"))
        .withMessageContaining("no golden case two")
        .withMessageEndingWith("cases: [one]");
  }

  @Test
  void missingElementIsNamed(@TempDir Path dir) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("g.json"), MINIMAL.replace("\"commandsPerEvent\"", "\"commands\""));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GoldenFile.load(file))
        .withMessage("one has no \"commandsPerEvent\"");
  }

  @Test
  void absentFileSkipsTheTestNamingTheFileAndFailsItUnderCi() {
    Class<? extends Throwable> expected =
        GoldenFile.underCi(System.getenv("CI")) ? AssertionError.class : TestAbortedException.class;
    assertThatExceptionOfType(expected)
        .isThrownBy(() -> GoldenFile.loadOrSkip("no-such-golden.json"))
        .withMessageContaining("no-such-golden.json not found (looked in ")
        .withMessageContaining("shared/reference/no-such-golden.json")
        .withMessageContaining("-Dusagesink.shared.dir=");
  }

  /** The reference file comes from the class path, whatever the shared folder holds. */
  @Test
  void referenceLoadsFromTheClassPath() {
    GoldenFile golden = GoldenFile.reference();
    assertThat(golden.location()).isEqualTo("classpath:" + GoldenFile.REFERENCE_RESOURCE);
    assertThat(golden.cases()).hasSize(18);
    assertThat(GoldenFile.loadOrSkip().location()).isEqualTo(golden.location());
    assertThat(GoldenFile.loadOrSkip(GoldenFile.REFERENCE).location()).isEqualTo(golden.location());
  }

  /**
   * The copy in the test kit is byte-identical to shared/reference/crs-golden.json wherever that
   * exists.
   */
  @Test
  void classPathCopyEqualsTheSharedFileWhenPresent() throws IOException {
    Optional<Path> shared = GoldenFile.locate(GoldenFile.REFERENCE);
    if (shared.isEmpty()) {
      return; // a plain clone: nothing to compare with (the class-path copy is the reference then)
    }
    byte[] copy;
    try (InputStream in = GoldenFile.class.getResourceAsStream(GoldenFile.REFERENCE_RESOURCE)) {
      assertThat(in).as(GoldenFile.REFERENCE_RESOURCE).isNotNull();
      copy = in.readAllBytes();
    }
    assertThat(copy)
        .as("%s equals %s byte for byte", GoldenFile.REFERENCE_RESOURCE, shared.get())
        .isEqualTo(Files.readAllBytes(shared.get()));
  }

  @Test
  void ciMeansSetAndNotFalse() {
    assertThat(GoldenFile.underCi(null)).isFalse();
    assertThat(GoldenFile.underCi("")).isFalse();
    assertThat(GoldenFile.underCi("false")).isFalse();
    assertThat(GoldenFile.underCi("true")).isTrue();
    assertThat(GoldenFile.underCi("1")).isTrue();
  }

  @Test
  void sharedDirPropertyIsSearchedFirst(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("reference"));
    Path file = Files.writeString(dir.resolve("reference").resolve("only-here.json"), MINIMAL);
    String before = System.getProperty(GoldenFile.SHARED_DIR_PROPERTY);
    System.setProperty(GoldenFile.SHARED_DIR_PROPERTY, dir.toString());
    try {
      assertThat(GoldenFile.locate("only-here.json")).contains(file.toAbsolutePath().normalize());
      assertThat(GoldenFile.loadOrSkip("only-here.json").cases()).hasSize(1);
    } finally {
      if (before == null) {
        System.clearProperty(GoldenFile.SHARED_DIR_PROPERTY);
      } else {
        System.setProperty(GoldenFile.SHARED_DIR_PROPERTY, before);
      }
    }
  }
}
