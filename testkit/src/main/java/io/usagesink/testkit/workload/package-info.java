/**
 * Seeded random workloads shared by the tests of every module (and usable by a custom sink's
 * tests).
 */
package io.usagesink.testkit.workload;
