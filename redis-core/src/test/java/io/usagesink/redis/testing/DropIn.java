package io.usagesink.redis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Runs usagesink the way a user without Maven does: a class loader, or a child JVM, that sees only
 * the jars given. Each call is independent; not thread-confined.
 */
public final class DropIn {

  /** The tiny gateway: records one event through each backend named on its command line. */
  private static final String MAIN =
      String.join(
          "\n",
          "import io.usagesink.*;",
          "import java.time.Instant;",
          "import java.util.concurrent.TimeUnit;",
          "public final class Main {",
          "  public static void main(String[] args) throws Exception {",
          "    for (int i = 1; i < args.length; i++) {",
          "      SinkConfig.Builder config = SinkConfig.builder().redisUri(args[0]);",
          "      String[] backendAndKey = args[i].split(\"=\", 2);",
          "      if (!backendAndKey[0].isEmpty()) config.backend(backendAndKey[0]);",
          "      try (UsageSink sink = UsageSinks.open(config.build())) {",
          "       "
              + " sink.record(UsageEvent.builder().at(Instant.parse(\"2025-08-15T03:10:00Z\")).keyId(backendAndKey[1])",
          "           "
              + " .accountId(\"a1\").model(\"claude-sonnet-4-20250514\").inputTokens(1200).outputTokens(350).build())",
          "            .toCompletableFuture().get(60, TimeUnit.SECONDS);",
          "        sink.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);",
          "        System.out.println(\"recorded \" + backendAndKey[1] + \" with \" +"
              + " sink.getClass().getName()",
          "            + \" from \" +"
              + " sink.getClass().getProtectionDomain().getCodeSource().getLocation());",
          "      }",
          "    }",
          "  }",
          "}",
          "");

  private DropIn() {}

  /** Where {@code type} was loaded from: its jar, or a classes directory. */
  public static Path location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("no file location for " + type.getName(), e);
    }
  }

  /**
   * The one file in {@code dir} whose name ends with {@code suffix}; fails naming the build step
   * when absent.
   */
  public static Path single(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files
              .filter(p -> p.getFileName().toString().endsWith(suffix))
              .collect(Collectors.toList());
      if (found.size() != 1) {
        throw new IllegalStateException(
            "expected one *"
                + suffix
                + " in "
                + dir.toAbsolutePath()
                + ", found "
                + found
                + "; build it first with ./mvnw -B -DskipTests package (and -am for a sibling"
                + " module)");
      }
      return found.get(0);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot list " + dir.toAbsolutePath() + ": build the module first", e);
    }
  }

  /**
   * Calls {@code UsageSinks.open} for {@code backend} in a class loader that sees only {@code
   * classPath} (and the JDK), and returns what it threw, or null when it opened a sink (closed at
   * once).
   */
  public static Throwable openIsolated(String backend, String redisUri, Path... classPath)
      throws Exception {
    URL[] urls = new URL[classPath.length];
    for (int i = 0; i < classPath.length; i++) {
      urls[i] = toUrl(classPath[i]);
    }
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      Class<?> configClass = loader.loadClass("io.usagesink.SinkConfig");
      Object builder = configClass.getMethod("builder").invoke(null);
      builder.getClass().getMethod("backend", String.class).invoke(builder, backend);
      builder.getClass().getMethod("redisUri", String.class).invoke(builder, redisUri);
      Object config = builder.getClass().getMethod("build").invoke(builder);
      try {
        Object sink =
            loader
                .loadClass("io.usagesink.UsageSinks")
                .getMethod("open", configClass)
                .invoke(null, config);
        ((AutoCloseable) sink).close();
        return null;
      } catch (InvocationTargetException e) {
        return e.getCause();
      }
    }
  }

  /**
   * Compiles the tiny gateway {@code Main} against {@code apiJar} alone and jars it as {@code
   * dir/app.jar}.
   */
  public static Path appJar(Path dir, Path apiJar) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Files.writeString(src.resolve("Main.java"), MAIN);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
    }
    StringWriter out = new StringWriter();
    Boolean ok =
        javac
            .getTask(
                out,
                null,
                null,
                List.of("--release", "17", "-cp", apiJar.toString(), "-d", classes.toString()),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjects(src.resolve("Main.java").toFile()))
            .call();
    if (!ok) {
      throw new IllegalStateException(
          "the tiny gateway does not compile against " + apiJar + ":\n" + out);
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    Path jar = dir.resolve("app.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(file, manifest)) {
      zip.putNextEntry(new JarEntry("Main.class"));
      zip.write(Files.readAllBytes(classes.resolve("Main.class")));
      zip.closeEntry();
    }
    return jar;
  }

  /** What a child JVM did. */
  public record Run(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code java -cp <classPath> <mainClass> <args>} in a child JVM of the running JDK and
   * waits for it (at most 3 minutes, then kills it and fails).
   */
  public static Run run(List<Path> classPath, String mainClass, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(
        classPath.stream()
            .map(Path::toString)
            .collect(Collectors.joining(java.io.File.pathSeparator)));
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    // the child must not inherit a backend choice or a Redis from the environment
    pb.environment().keySet().removeIf(k -> k.startsWith("USAGESINK_") || k.equals("REDIS_URL"));
    Process p = pb.start();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader =
        new Thread(
            () -> {
              try {
                p.getErrorStream().transferTo(err);
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "drop-in-stderr");
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("child JVM did not finish: " + command);
    }
    errReader.join();
    return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
  }

  private static URL toUrl(Path path) {
    try {
      return path.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a file path: " + path, e);
    }
  }
}
