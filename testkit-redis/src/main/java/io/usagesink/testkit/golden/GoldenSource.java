package io.usagesink.testkit.golden;

/**
 * Where golden data was recorded from.
 *
 * @param repo the GitHub repository, e.g. {@code Wei-Shaw/claude-relay-service}
 * @param path the file holding the recorded methods
 * @param commit the commit the data was recorded at
 * @param date the commit date, {@code YYYY-MM-DD}
 */
public record GoldenSource(String repo, String path, String commit, String date) {}
