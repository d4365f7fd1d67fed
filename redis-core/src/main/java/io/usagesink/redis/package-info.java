/**
 * Redis plumbing shared by the Redis backends, by concern: {@link io.usagesink.redis.connect} (a
 * Lettuce connection to one server or a cluster from a URI, and a connector that starts while Redis
 * is down), {@link io.usagesink.redis.write} (writers of a {@link io.usagesink.plan.UsagePlan} as a
 * pipeline, as one Lua script call, or on the compact layout), {@link io.usagesink.redis.read} (the
 * reader of the stored statistics). This package holds what every layer shares: the results of a
 * write ({@link io.usagesink.redis.WriteResult}, {@link io.usagesink.redis.KeyFailure}), every
 * exception redis-core throws, and the Redis settings ({@link io.usagesink.redis.RedisOptions}).
 *
 * <p>The library's own bookkeeping keys (idempotency guards) live under {@code
 * io.usagesink.layout.LayoutSettings#keyPrefix()} ({@code usagesink:} by default) and are never
 * statistics.
 */
package io.usagesink.redis;
