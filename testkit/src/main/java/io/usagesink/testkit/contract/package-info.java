/**
 * The compatibility kit every {@link io.usagesink.UsageSink} implementation runs: extend {@link
 * io.usagesink.testkit.contract.UsageSinkContract} in a JUnit 5 test.
 */
package io.usagesink.testkit.contract;
