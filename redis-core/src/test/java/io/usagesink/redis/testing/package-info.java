/**
 * Test helpers shared with the backend modules' tests (through the redis-core test jar). Not
 * shipped.
 */
package io.usagesink.redis.testing;
