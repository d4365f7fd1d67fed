/**
 * The {@code redis-lua} provider for {@code ServiceLoader}. <b>Not API</b>: use {@link
 * io.usagesink.redis.lua.RedisLuaSink} or {@code UsageSinks}.
 */
package io.usagesink.redis.lua.internal;
