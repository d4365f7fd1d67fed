/**
 * The reader of stored statistics ({@link io.usagesink.redis.read.UsageReader}): counts of a key or
 * account for a period, on either layout, and a dump of every key the layout stores.
 */
package io.usagesink.redis.read;
