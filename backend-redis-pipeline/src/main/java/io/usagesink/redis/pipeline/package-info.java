/**
 * The {@code redis-pipeline} backend: each event's full command list in one pipelined round trip.
 * See {@link io.usagesink.redis.pipeline.RedisPipelineSink}.
 */
package io.usagesink.redis.pipeline;
