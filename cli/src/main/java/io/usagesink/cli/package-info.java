/**
 * The runnable jar {@code usagesink.jar}: {@code compare}, {@code replay} and {@code dump}. Not an
 * API: every type here is package-private and may change; the entry point is {@link
 * io.usagesink.cli.Main#main(String[])}.
 */
package io.usagesink.cli;
