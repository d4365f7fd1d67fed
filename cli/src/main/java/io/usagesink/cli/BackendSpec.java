package io.usagesink.cli;

import io.usagesink.SinkConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One backend configuration that {@code compare} runs: the provider name, and for the buffered
 * backend its writer and flush interval.
 *
 * @param name the provider name ({@code redis-pipeline}, {@code buffered}, ...)
 * @param writer the buffered backend's writer ({@code lua} or {@code pipeline}), else {@code null}
 * @param flushInterval the buffered backend's flush interval, else {@code null}
 */
record BackendSpec(String name, String writer, Duration flushInterval) {

  static final String PIPELINE = "redis-pipeline";
  static final String LUA = "redis-lua";
  static final String BUFFERED = "buffered";
  static final String NOOP = "noop";

  BackendSpec {
    Objects.requireNonNull(name, "name");
  }

  static BackendSpec plain(String name) {
    return new BackendSpec(name, null, null);
  }

  /** {@code redis-lua}, or {@code buffered (lua, 1s)}. */
  String label() {
    if (writer == null && flushInterval == null) {
      return name;
    }
    return name + " (" + (writer == null ? "" : writer + ", ") + (flushInterval == null ? "" : Durations.format(flushInterval)) + ")";
  }

  /** The settings shown in reports ({@code writer}, {@code flushInterval}); empty for plain backends. */
  Map<String, Object> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (writer != null) {
      m.put("writer", writer);
    }
    if (flushInterval != null) {
      m.put("flushInterval", Durations.format(flushInterval));
    }
    return m;
  }

  /** {@code base} with this backend selected and its settings applied. */
  SinkConfig.Builder configure(SinkConfig.Builder base) {
    base.backend(name);
    if (writer != null) {
      base.bufferedWriter(writer);
    }
    if (flushInterval != null) {
      base.flushInterval(flushInterval);
    }
    return base;
  }
}
