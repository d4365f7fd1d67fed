/**
 * The one failure policy of redis-core's writers, connector and write engines: classification of
 * errors, unwrapping and describing them, backoff. <b>Not API</b>: may change in any release.
 */
package io.usagesink.redis.internal.failure;
