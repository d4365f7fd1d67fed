/**
 * The real-Redis fixture: {@link io.usagesink.testkit.redis.RedisFixture} starts a
 * {@link io.usagesink.testkit.redis.RedisServer} ({@code USAGESINK_TEST_REDIS_URL}, a Testcontainers {@code redis:7}
 * container, or a {@code redis-server} child process on a free loopback port) or a 3-master local
 * {@link io.usagesink.testkit.redis.RedisClusterHandle}, with handles for faults (kill -9, restart with
 * or without AOF, CLIENT KILL, SCRIPT FLUSH, CLIENT PAUSE) and server-side command counts
 * ({@link io.usagesink.testkit.redis.CommandStats}). Free of JUnit types, so tools (the {@code compare}
 * command) use it too; the JUnit 5 layer is {@code io.usagesink.testkit.redis.junit}.
 */
package io.usagesink.testkit.redis;
