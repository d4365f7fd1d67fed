/**
 * Redis plumbing shared by the Redis backends: {@link io.usagesink.redis.RedisConnection} (a
 * Lettuce connection to one server or a cluster, from a URI), {@link io.usagesink.redis.RedisConnector}
 * (which starts while Redis is down and connects in the background), {@link io.usagesink.redis.PlanWriter}s
 * that write a {@link io.usagesink.plan.UsagePlan} as a pipeline or as one Lua script call, and a
 * reader of the stored statistics.
 *
 * <p>The library's own bookkeeping keys (idempotency guards) live under {@code
 * SinkConfig.keyPrefix()} ({@code usagesink:} by default) and are never statistics.
 */
package io.usagesink.redis;
