/**
 * Renderings of a {@link io.usagesink.cli.report.CompareReport}: a text table, JSON and a
 * self-contained HTML page. Not an API.
 */
package io.usagesink.cli.report;
