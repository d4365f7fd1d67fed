/**
 * The {@code redis-pipeline} provider for {@code ServiceLoader}. <b>Not API</b>: use {@link
 * io.usagesink.redis.pipeline.RedisPipelineSink} or {@code UsageSinks}.
 */
package io.usagesink.redis.pipeline.internal;
