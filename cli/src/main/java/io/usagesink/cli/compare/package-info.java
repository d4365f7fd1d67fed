/**
 * The comparison harness of {@code compare}: the backends compared ({@link
 * io.usagesink.cli.compare.BackendSpec}), one run per backend and workload ({@link
 * io.usagesink.cli.compare.Comparison}, {@link io.usagesink.cli.compare.RunResult}), the commands
 * attributed to each, and the Redis state read back and checked against the expected one. Not an
 * API.
 */
package io.usagesink.cli.compare;
