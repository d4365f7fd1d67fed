package io.usagesink.launcher;

/**
 * How a fixture-started server persists data across {@link RedisServer#kill()} and {@link
 * RedisServer#restart()}. RDB snapshots are always off ({@code save ""}).
 */
public enum Persistence {
  /** No persistence: a kill or restart loses everything ({@code appendonly no}). The default. */
  NONE,
  /** Append-only file, fsync once a second: a kill -9 may lose up to about a second of writes. */
  AOF_EVERYSEC,
  /**
   * Append-only file, fsync after every write ({@code appendfsync always}): every acknowledged
   * write survives a kill -9. Use it for "Redis killed and restarted" fault tests.
   */
  AOF_ALWAYS;

  boolean appendOnly() {
    return this != NONE;
  }
}
