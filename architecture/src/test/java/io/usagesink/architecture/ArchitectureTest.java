package io.usagesink.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The module boundaries, checked on every module's main classes (not test classes): the api needs
 * only the JDK; only redis-core and the Redis backends built on it (and the benchmarks) use
 * redis-core's {@code internal} package; no module has a package cycle; the command line does not
 * depend on test code. A class in a package no module claims fails the build, so the module table
 * below stays complete. No package cycle is left ({@link #KNOWN_CYCLES} is empty).
 */
class ArchitectureTest {

  /** Module -> its packages (exact names; a module's subpackages are listed too). */
  static final Map<String, Set<String>> MODULES = new LinkedHashMap<>();

  static {
    MODULES.put("api", Set.of("io.usagesink", "io.usagesink.layout", "io.usagesink.plan"));
    MODULES.put("redis-launcher", Set.of("io.usagesink.launcher"));
    MODULES.put(
        "redis-core",
        Set.of(
            "io.usagesink.redis",
            "io.usagesink.redis.connect",
            "io.usagesink.redis.write",
            "io.usagesink.redis.read",
            "io.usagesink.redis.internal",
            "io.usagesink.redis.internal.failure"));
    MODULES.put("backend-noop", Set.of("io.usagesink.noop", "io.usagesink.noop.internal"));
    MODULES.put(
        "backend-redis-pipeline",
        Set.of("io.usagesink.redis.pipeline", "io.usagesink.redis.pipeline.internal"));
    MODULES.put(
        "backend-redis-lua", Set.of("io.usagesink.redis.lua", "io.usagesink.redis.lua.internal"));
    MODULES.put(
        "backend-buffered",
        Set.of(
            "io.usagesink.buffered",
            "io.usagesink.buffered.internal",
            "io.usagesink.buffered.journal"));
    MODULES.put(
        "testkit", Set.of("io.usagesink.testkit.contract", "io.usagesink.testkit.workload"));
    MODULES.put(
        "testkit-redis",
        Set.of(
            "io.usagesink.testkit.redis",
            "io.usagesink.testkit.golden",
            "io.usagesink.testkit.redis.junit"));
    MODULES.put(
        "cli",
        Set.of(
            "io.usagesink.cli",
            "io.usagesink.cli.events",
            "io.usagesink.cli.compare",
            "io.usagesink.cli.report"));
    MODULES.put(
        "benchmarks",
        Set.of(
            "io.usagesink.bench.buffered",
            "io.usagesink.bench.buffered.jmh_generated",
            "io.usagesink.bench.journal",
            "io.usagesink.bench.journal.jmh_generated",
            "io.usagesink.redis.write.jmh_generated"));
    MODULES.put("micrometer", Set.of("io.usagesink.micrometer"));
    MODULES.put("spring-boot-autoconfigure", Set.of("io.usagesink.spring.boot.autoconfigure"));
  }

  /**
   * Package cycles that exist today, each treated as one slice so that any other cycle fails: none
   * today (the api's {@code io.usagesink} and {@code io.usagesink.layout} cycle is gone: see {@link
   * #theApiCoreReachesTheLayoutOnlyThroughDeprecatedMembers}). A new one is added here only with a
   * reason.
   */
  static final Map<String, String> KNOWN_CYCLES = Map.of();

  /** The modules that may use {@code io.usagesink.redis.internal}. */
  static final Set<String> REDIS_INTERNAL_USERS =
      Set.of(
          "redis-core",
          "backend-redis-pipeline",
          "backend-redis-lua",
          "backend-buffered",
          "benchmarks");

  static JavaClasses mainClasses;

  @BeforeAll
  static void importMainClasses() {
    mainClasses =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.usagesink");
  }

  static Optional<String> moduleOf(JavaClass c) {
    return MODULES.entrySet().stream()
        .filter(m -> m.getValue().contains(c.getPackageName()))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  static DescribedPredicate<JavaClass> inModules(Set<String> modules) {
    return DescribedPredicate.describe(
        "in modules " + modules, c -> moduleOf(c).map(modules::contains).orElse(false));
  }

  @Test
  void everyModuleIsOnTheClassPathAndEveryClassBelongsToOne() {
    assertThat(mainClasses.stream().filter(c -> moduleOf(c).isEmpty()).map(JavaClass::getName))
        .as("classes in packages the module table does not list")
        .isEmpty();
    for (String module : MODULES.keySet()) {
      assertThat(mainClasses.stream().anyMatch(c -> moduleOf(c).orElse("").equals(module)))
          .as("main classes of %s imported", module)
          .isTrue();
    }
  }

  @Test
  void apiDependsOnlyOnTheJdkAndItself() {
    classes()
        .that(inModules(Set.of("api")))
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "io.usagesink", "io.usagesink.layout..", "io.usagesink.plan..")
        .because("the api module is JDK only (see its module-info)")
        .check(mainClasses);
  }

  @Test
  void onlyRedisCoreAndTheRedisBackendsUseItsInternalPackage() {
    noClasses()
        .that(DescribedPredicate.not(inModules(REDIS_INTERNAL_USERS)))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.usagesink.redis.internal..")
        .because(
            "io.usagesink.redis.internal is redis-core's implementation, shared only with the"
                + " backends on it")
        .check(mainClasses);
  }

  @TestFactory
  Stream<DynamicTest> noModuleHasAPackageCycle() {
    return MODULES.keySet().stream()
        .map(
            module ->
                DynamicTest.dynamicTest(
                    module,
                    () ->
                        slices()
                            .assignedFrom(packagesOf(module))
                            .should()
                            .beFreeOfCycles()
                            .ignoreDependency(DEPRECATED_BRIDGE, DescribedPredicate.alwaysTrue())
                            .allowEmptyShould(true)
                            .check(mainClasses)));
  }

  /** The classes whose deprecated members still reach the layout, kept for source compatibility. */
  static final DescribedPredicate<JavaClass> DEPRECATED_BRIDGE =
      DescribedPredicate.describe(
          "SinkConfig and its builder (their deprecated layout accessors)",
          c ->
              c.getName().equals("io.usagesink.SinkConfig")
                  || c.getName().equals("io.usagesink.SinkConfig$Builder"));

  /**
   * The layout ({@code io.usagesink.layout}) reads the api core (events, the property view); the
   * core never reads the layout, except through the members of {@code SinkConfig} kept, deprecated,
   * for source compatibility ({@code zone()}, {@code statsPolicy(StatsPolicy)}, ...).
   */
  @Test
  void theApiCoreReachesTheLayoutOnlyThroughDeprecatedMembers() {
    List<String> offending = new ArrayList<>();
    for (JavaClass c : mainClasses) {
      if (!c.getPackageName().equals("io.usagesink")) {
        continue;
      }
      for (JavaCodeUnit unit : c.getCodeUnits()) {
        boolean touchesLayout =
            unit.getAccessesFromSelf().stream()
                    .anyMatch(
                        a -> a.getTargetOwner().getPackageName().startsWith("io.usagesink.layout"))
                || unit.getRawParameterTypes().stream()
                    .anyMatch(t -> t.getPackageName().startsWith("io.usagesink.layout"))
                || unit.getRawReturnType().getPackageName().startsWith("io.usagesink.layout");
        if (touchesLayout && !unit.isAnnotatedWith(Deprecated.class)) {
          offending.add(unit.getFullName());
        }
      }
      c.getFields().stream()
          .filter(f -> f.getRawType().getPackageName().startsWith("io.usagesink.layout"))
          .forEach(f -> offending.add(f.getFullName()));
    }
    assertThat(offending)
        .as("members of io.usagesink that use io.usagesink.layout without being deprecated")
        .isEmpty();
  }

  /** Issue 11 item 5: a custom sink's contract test needs only JUnit and the api. */
  @Test
  void theContractKitDependsOnlyOnTheApiAndJunit() {
    classes()
        .that(inModules(Set.of("testkit")))
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.usagesink",
            "io.usagesink.layout..",
            "io.usagesink.plan..",
            "io.usagesink.testkit.contract..",
            "io.usagesink.testkit.workload..",
            "org.junit.jupiter.api..",
            "org.opentest4j..")
        .because(
            "usagesink-testkit must not pull Redis, Testcontainers or our Redis modules into a"
                + " custom sink's test")
        .check(mainClasses);
  }

  /** Holds since the launcher module landed (issue 10 item 1): the cli starts Redis through it. */
  @Test
  void cliMainCodeDoesNotDependOnTestCode() {
    noClasses()
        .that(inModules(Set.of("cli")))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.junit..",
            "org.opentest4j..",
            "org.assertj..",
            "org.testcontainers..",
            "io.usagesink.testkit..")
        .because(
            "the command line ships to users; the test kit, JUnit and Testcontainers are test code")
        .check(mainClasses);
  }

  /**
   * One slice per package of {@code module} (the packages of a {@link #KNOWN_CYCLES known cycle}
   * share one); classes of other modules are ignored.
   */
  private static SliceAssignment packagesOf(String module) {
    return new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        return moduleOf(c)
            .filter(module::equals)
            .map(
                m ->
                    SliceIdentifier.of(
                        KNOWN_CYCLES.getOrDefault(c.getPackageName(), c.getPackageName())))
            .orElse(SliceIdentifier.ignore());
      }

      @Override
      public String getDescription() {
        return "the packages of module " + module;
      }
    };
  }
}
