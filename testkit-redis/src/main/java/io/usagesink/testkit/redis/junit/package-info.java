/**
 * The JUnit 5 layer of the Redis fixture: {@link io.usagesink.testkit.redis.junit.RedisExtension}
 * resolves {@code RedisServer} and {@code RedisClusterHandle} parameters (shared per run, or own
 * ones with {@link io.usagesink.testkit.redis.junit.IsolatedRedis}). A thin layer over {@link
 * io.usagesink.launcher.RedisFixture}, which has no JUnit dependency.
 */
package io.usagesink.testkit.redis.junit;
