/**
 * Writers of a {@link io.usagesink.plan.UsagePlan}: {@link io.usagesink.redis.write.PlanWriters}
 * makes the pipeline writer (every command in one round trip, at-least-once) and the Lua writer
 * (one EVALSHA per slot group, exactly once under a guard id); {@link
 * io.usagesink.redis.write.CompactWriter} writes the compact layout; {@link
 * io.usagesink.redis.write.WriterChecks} checks at connect time that Redis allows what a writer
 * sends.
 */
package io.usagesink.redis.write;
