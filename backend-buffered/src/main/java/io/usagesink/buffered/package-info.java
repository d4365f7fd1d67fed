/**
 * The buffered backend (provider {@code buffered}): {@link io.usagesink.buffered.BufferedSink}
 * aggregates usage in memory per (key, account, model, time bucket) and writes merged batches to
 * Redis, each applied exactly once by the Lua writer. Use it through {@code UsageSinks.open} with
 * {@code usagesink.backend=buffered}, or directly with {@link
 * io.usagesink.buffered.BufferedSink#builder(io.usagesink.SinkConfig)}.
 */
package io.usagesink.buffered;
