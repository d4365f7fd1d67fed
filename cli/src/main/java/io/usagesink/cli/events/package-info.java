/**
 * Events for the commands: JSON lines read and validated ({@link
 * io.usagesink.cli.events.EventLines}), generated workloads ({@link
 * io.usagesink.cli.events.Workloads}), the clock they run on, and the {@link
 * io.usagesink.cli.events.Recorder} that offers them to a sink and measures the outcome. Not an
 * API.
 */
package io.usagesink.cli.events;
