package io.usagesink.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the {@code key:value} lines of an {@code INFO} or {@code CLUSTER INFO} reply. */
final class Info {
  private Info() {}

  static Map<String, String> parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return fields;
  }
}
