/**
 * The runnable jar {@code usagesink.jar}: the commands {@code compare}, {@code replay} and {@code
 * dump} and their option handling. The work is done in {@link io.usagesink.cli.events} (reading,
 * generating and recording events), {@link io.usagesink.cli.compare} (the comparison harness and
 * Redis state) and {@link io.usagesink.cli.report} (table, JSON and HTML renderings of a
 * comparison). Not an API: types are public only so that these packages can use each other, and may
 * change in any release; the entry point is {@link io.usagesink.cli.Main#main(String[])}.
 */
package io.usagesink.cli;
