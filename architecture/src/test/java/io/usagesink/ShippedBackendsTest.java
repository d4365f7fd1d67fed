package io.usagesink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The api's list of shipped backends (for its "add usagesink-backend-..." messages) against the
 * providers found with every backend on the class path, and each artifact against the module or jar
 * the provider comes from: the list cannot drift from the build.
 */
class ShippedBackendsTest {

  private static final Pattern ARTIFACT_ID = Pattern.compile("<artifactId>([^<]+)</artifactId>");

  @Test
  void theListNamesExactlyTheShippedProviders() {
    assertThat(UsageSinks.availableBackends())
        .containsExactlyInAnyOrderElementsOf(ShippedBackends.NAMES);
  }

  @Test
  void eachArtifactIsTheOneItsProviderComesFrom() throws Exception {
    for (UsageSinkProvider p : ServiceLoader.load(UsageSinkProvider.class)) {
      String expected = ShippedBackends.artifactOf(p.name()).orElseThrow();
      assertThat(artifactOf(p.getClass())).as("artifact of %s", p.name()).isEqualTo(expected);
    }
  }

  /**
   * The artifactId of the module (in the reactor: its target/classes or the jar in its target) or
   * of the jar (in a Maven repository) holding {@code type}.
   */
  private static String artifactOf(Class<?> type) throws URISyntaxException, java.io.IOException {
    Path where = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path target = where.getParent(); // MODULE/target in the reactor
    if (target
        .getFileName()
        .toString()
        .equals("target")) { // the reactor: MODULE/target/classes or its jar
      String pom = Files.readString(target.getParent().resolve("pom.xml"));
      Matcher m = ARTIFACT_ID.matcher(pom.substring(pom.indexOf("</parent>")));
      assertThat(m.find()).isTrue();
      return m.group(1);
    }
    return where
        .getParent()
        .getParent()
        .getFileName()
        .toString(); // repository: ARTIFACT/VERSION/ARTIFACT-VERSION.jar
  }
}
