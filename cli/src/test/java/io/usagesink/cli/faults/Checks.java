package io.usagesink.cli.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs several independent checks of one outcome and fails once with every failed check's message,
 * so a report shows the whole picture (counts, reasons and Redis state) rather than the first
 * difference. Not thread-safe.
 */
final class Checks {
  private final List<AssertionError> failures = new ArrayList<>();

  /** Runs {@code check}, keeping its assertion failure. */
  Checks check(Runnable check) {
    try {
      check.run();
    } catch (AssertionError e) {
      failures.add(e);
    }
    return this;
  }

  /** Fails with every kept failure (the first as the cause, the others suppressed), if any. */
  void done() {
    if (failures.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(failures.size() + " of the checks failed:");
    for (AssertionError e : failures) {
      sb.append("\n- ").append(e.getMessage().strip().replace("\n", "\n  "));
    }
    AssertionError all = new AssertionError(sb.toString(), failures.get(0));
    failures.stream().skip(1).forEach(all::addSuppressed);
    throw all;
  }
}
