/**
 * Benchmarks of the buffered backend: {@link io.usagesink.bench.buffered.RecordBenchmark} (JMH, the
 * cost of {@code record()}) and {@link io.usagesink.bench.buffered.EndToEnd} (a main program:
 * events per second into a local Redis, and Redis commands per event for the seed scenario). Not
 * API.
 */
package io.usagesink.bench.buffered;
