/**
 * The {@code redis-lua} backend: each event applied atomically and exactly once by one EVALSHA. See
 * {@link io.usagesink.redis.lua.RedisLuaSink}.
 */
package io.usagesink.redis.lua;
