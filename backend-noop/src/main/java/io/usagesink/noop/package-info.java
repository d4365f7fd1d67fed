/**
 * The {@code noop} backend: {@link io.usagesink.noop.NoopUsageSink} accepts every event and drops
 * it. Select it with {@code usagesink.backend=noop}, or use it directly with {@link
 * io.usagesink.noop.NoopUsageSink#create()}.
 */
package io.usagesink.noop;
