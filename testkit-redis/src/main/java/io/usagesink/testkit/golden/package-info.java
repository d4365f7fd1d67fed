/**
 * Golden data of the reference statistics layout, for tests: the recorded output of
 * claude-relay-service ({@code shared/reference/crs-golden.json}) as typed values, and the tools to
 * check a {@link io.usagesink.layout.UsageLayout} or a backend against it.
 *
 * <ul>
 *   <li>{@link io.usagesink.testkit.golden.GoldenFile} loads the file (the reference one from the
 *       test kit's class path, so golden tests always run) into {@link
 *       io.usagesink.testkit.golden.GoldenCase}s: per event the CRS call ({@link
 *       io.usagesink.testkit.golden.CrsCall}), the exact commands Redis received, and the final
 *       database ({@link io.usagesink.testkit.redis.StoredKey}s).
 *   <li>{@link io.usagesink.testkit.golden.CrsCallAdapter} maps a CRS call to the {@link
 *       io.usagesink.UsageEvent} that means the same (applying CRS's {@code tokens} fallback, which
 *       the API deliberately does not have).
 *   <li>{@link io.usagesink.testkit.golden.PlanCommands} renders a plan as the Redis commands a
 *       writer sends, in the order the layout guarantees.
 *   <li>{@link io.usagesink.testkit.golden.PlanInterpreter} applies plans to an in-memory model of
 *       the touched keys, for unit tests that compare final states without a Redis server. It is a
 *       plan interpreter, <em>not</em> a Redis mock: integration tests use a real Redis.
 * </ul>
 *
 * <p>Every type here is either an immutable value or documented as single-threaded.
 */
package io.usagesink.testkit.golden;
