/**
 * Implementation shared by the Redis backends (the per-event sink engine). <b>Not API</b>: may
 * change in any release; use the backends' builders or {@code UsageSinks} instead.
 */
package io.usagesink.redis.internal;
