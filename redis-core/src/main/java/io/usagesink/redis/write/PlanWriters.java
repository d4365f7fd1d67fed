package io.usagesink.redis.write;

import io.usagesink.SinkConfig;
import io.usagesink.redis.connect.RedisConnection;
import java.util.Objects;

/** Factories of the {@link PlanWriter}s. Stateless. */
public final class PlanWriters {
  private PlanWriters() {}

  /**
   * A writer that applies each plan with one EVALSHA of one constant, generic Lua script (one per
   * hash-slot group on a cluster, sent in parallel). Each call runs atomically and to its end: a
   * poisoned key's updates are undone by the script and reported, the other keys are applied; a
   * guard id makes the write idempotent. The script is loaded with {@code SCRIPT LOAD}; on {@code
   * NOSCRIPT} (restart, failover, {@code SCRIPT FLUSH}) it is loaded again and the call retried
   * once. Requires Redis 7.0 or later (script flags). Uses {@link
   * io.usagesink.layout.LayoutSettings#keyPrefix()} and {@link
   * io.usagesink.redis.RedisOptions#guardTtl()}.
   */
  public static PlanWriter lua(RedisConnection connection, SinkConfig config) {
    return new LuaPlanWriter(
        Objects.requireNonNull(connection, "connection"), Objects.requireNonNull(config, "config"));
  }

  /**
   * A writer that sends a plan as individual commands (HINCRBY per counter, then EXPIRE per expiry,
   * then SADD + EXPIRE per index addition) in one pipelined batch: one flush, one round trip. Not
   * atomic and not idempotent (a guard id is ignored): each command's reply decides its outcome,
   * and a command left without a reply is for the caller to re-send (at-least-once; see {@link
   * PlanWriter}).
   */
  public static PlanWriter pipeline(RedisConnection connection, SinkConfig config) {
    return new PipelinePlanWriter(
        Objects.requireNonNull(connection, "connection"), Objects.requireNonNull(config, "config"));
  }

  /**
   * A writer of the compact layout's plans: absolute values of its own cells, one {@code HSET} per
   * changed hash (see {@link CompactWriter}). Plan with {@code layout}; close the writer before the
   * connection to fold its newest bucket.
   */
  public static CompactWriter compact(
      RedisConnection connection, io.usagesink.layout.CompactLayout layout) {
    return compact(connection, layout, java.time.InstantSource.system());
  }

  /**
   * Like {@link #compact(RedisConnection, io.usagesink.layout.CompactLayout)}, with the wall clock
   * of the writer's heartbeats and leases (which decide when a silent writer id is folded; see
   * {@link CompactWriter}). Every writer of one Redis should use a clock within an hour of the
   * others'.
   */
  public static CompactWriter compact(
      RedisConnection connection,
      io.usagesink.layout.CompactLayout layout,
      java.time.InstantSource wallClock) {
    return compact(connection, layout, wallClock, null);
  }

  /**
   * Like {@link #compact(RedisConnection, io.usagesink.layout.CompactLayout,
   * java.time.InstantSource)}, saving what each send carries through {@code outbox} first ({@code
   * null}: nothing saved), so a writer of a later process can {@linkplain CompactWriter#adopt
   * adopt} it after a crash.
   */
  public static CompactWriter compact(
      RedisConnection connection,
      io.usagesink.layout.CompactLayout layout,
      java.time.InstantSource wallClock,
      CompactWriter.Outbox outbox) {
    return new CompactWriter(
        Objects.requireNonNull(connection, "connection"),
        Objects.requireNonNull(layout, "layout"),
        Objects.requireNonNull(wallClock, "wallClock"),
        outbox);
  }
}
