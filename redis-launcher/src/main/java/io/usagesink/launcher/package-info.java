/**
 * The Redis launcher, its own module ({@code usagesink-redis-launcher}): {@link
 * io.usagesink.launcher.RedisFixture} starts a {@link io.usagesink.launcher.RedisServer} ({@code
 * USAGESINK_TEST_REDIS_URL}, a Testcontainers {@code redis:7} container, or a {@code redis-server}
 * child process on a free loopback port) or a 3-master local {@link
 * io.usagesink.launcher.RedisClusterHandle}, with handles for faults (kill -9, restart with or
 * without AOF, CLIENT KILL, SCRIPT FLUSH, CLIENT PAUSE) and server-side command counts ({@link
 * io.usagesink.launcher.CommandStats}, the one parser of {@code INFO commandstats}; {@link
 * io.usagesink.launcher.CommandCounts} splits them into client and inside-script commands). Admin
 * calls go over Lettuce (one RESP2 connection per server, no auto-reconnect). Free of JUnit types
 * and of a hard Testcontainers dependency (containers are used only when Testcontainers is on the
 * class path), so tools (the {@code compare} command) use it too; the JUnit 5 layer is the test
 * kit's {@code io.usagesink.testkit.redis.junit}.
 */
package io.usagesink.launcher;
