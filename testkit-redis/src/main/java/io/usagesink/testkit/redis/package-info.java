/**
 * Stored state and strategy comparison on a fixture Redis: {@link
 * io.usagesink.testkit.redis.StoredKey} (the test kit's one model of a stored key), {@link
 * io.usagesink.testkit.redis.StateDump} (every key of a server, read independently of the library,
 * with a TTL-tolerant {@link io.usagesink.testkit.redis.StateDiff}), {@link
 * io.usagesink.testkit.redis.RedisStoredState} for the contract kit, and {@link
 * io.usagesink.testkit.redis.SinkComparison}, which runs one workload through several sinks and
 * reports each one's commands and state.
 */
package io.usagesink.testkit.redis;
