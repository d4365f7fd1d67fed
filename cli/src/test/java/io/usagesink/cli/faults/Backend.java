package io.usagesink.cli.faults;

import io.usagesink.SinkConfig;

/**
 * The four Redis write paths of the fault matrix: a backend name plus, for buffered, its writer.
 * Each knows whether its writer runs the Lua script (and so must undo a poisoned key's updates and
 * refuse a whole script under OOM) or sends plain pipelined commands (where a poisoned key's other
 * fields are applied).
 */
enum Backend {
  REDIS_PIPELINE("redis-pipeline", null, false),
  REDIS_LUA("redis-lua", null, true),
  BUFFERED_LUA("buffered", "lua", true),
  BUFFERED_PIPELINE("buffered", "pipeline", false);

  final String provider;
  final String bufferedWriter;
  final boolean lua;

  Backend(String provider, String bufferedWriter, boolean lua) {
    this.provider = provider;
    this.bufferedWriter = bufferedWriter;
    this.lua = lua;
  }

  /** {@code base} with this backend chosen (and buffered's writer). */
  SinkConfig.Builder configure(SinkConfig.Builder base) {
    base.backend(provider);
    if (bufferedWriter != null) {
      base.bufferedWriter(bufferedWriter);
    }
    return base;
  }

  /** True for the buffered backend (aggregates; {@code pending} counts counters, not events). */
  boolean buffered() {
    return "buffered".equals(provider);
  }

  @Override
  public String toString() {
    return bufferedWriter == null ? provider : provider + "(writer " + bufferedWriter + ")";
  }
}
