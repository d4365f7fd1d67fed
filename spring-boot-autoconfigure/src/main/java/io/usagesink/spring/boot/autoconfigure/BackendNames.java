package io.usagesink.spring.boot.autoconfigure;

import io.usagesink.SinkConfig;
import io.usagesink.UsageSink;
import io.usagesink.UsageSinks;
import java.util.List;

/** The backend name a sink's meters are tagged with. Stateless. */
final class BackendNames {

  private BackendNames() {}

  /**
   * {@code usagesink.backend} when configured, else the single backend on the class path, else the
   * sink's class name.
   */
  static String of(UsageSink sink, SinkConfig config) {
    if (config != null && config.backend().isPresent()) {
      return config.backend().get();
    }
    List<String> available = UsageSinks.availableBackends();
    if (available.size() == 1) {
      return available.get(0);
    }
    return sink.getClass().getSimpleName().isEmpty()
        ? sink.getClass().getName()
        : sink.getClass().getSimpleName();
  }
}
