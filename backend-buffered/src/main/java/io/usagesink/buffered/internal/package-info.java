/**
 * The {@link java.util.ServiceLoader} provider of the buffered backend. Not API: it may change
 * without notice; use {@code UsageSinks.open} or {@link
 * io.usagesink.buffered.BufferedSink#builder}.
 */
package io.usagesink.buffered.internal;
