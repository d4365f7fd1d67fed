package io.usagesink;

import java.util.Map;

/** Reads {@link SinkConfig} from properties and environment. TODO(issue 2): implement. */
final class ConfigReader {
  private ConfigReader() {}

  static SinkConfig read(Map<?, ?> properties, Map<String, String> environment) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
