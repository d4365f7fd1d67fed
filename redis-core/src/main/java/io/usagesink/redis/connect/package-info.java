/**
 * Connections: {@link io.usagesink.redis.connect.RedisConnection} (Lettuce, one server or a
 * cluster, from a URI with TLS and ACL users) and {@link
 * io.usagesink.redis.connect.RedisConnector}, which returns at once and connects in the background,
 * running a {@link io.usagesink.redis.connect.ConnectionCheck} after every connect.
 */
package io.usagesink.redis.connect;
