package io.usagesink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A class loader that serves one {@code META-INF/services/io.usagesink.UsageSinkProvider} file and
 * defines the {@link TestProviders} classes itself (child first, in its unnamed module); everything
 * else comes from the parent. Lets tests run the real {@link java.util.ServiceLoader} over
 * providers that are broken in the ways real jars are.
 */
final class ProviderClassLoader extends ClassLoader {
  static final String SERVICES = "META-INF/services/" + UsageSinkProvider.class.getName();
  private static final String OWN = TestProviders.class.getName();

  static {
    registerAsParallelCapable();
  }

  private final URL services;

  /** Writes {@code lines} as the services file into {@code dir}. */
  ProviderClassLoader(Path dir, List<String> lines) {
    super("test-providers", ProviderClassLoader.class.getClassLoader());
    try {
      Path file = dir.resolve("services.txt");
      Files.write(file, lines, StandardCharsets.UTF_8);
      this.services = file.toUri().toURL();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return name.equals(SERVICES)
        ? Collections.enumeration(List.of(services))
        : super.getResources(name);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.equals(OWN) && !name.startsWith(OWN + "$")) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] bytes = in.readAllBytes();
          c = defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }
}
