/**
 * Implementation of the noop backend: the {@link io.usagesink.UsageSinkProvider} registered with
 * {@link java.util.ServiceLoader}. Not API: it may change in any release; use {@link
 * io.usagesink.UsageSinks} or {@link io.usagesink.noop.NoopUsageSink#create()}.
 */
package io.usagesink.noop.internal;
