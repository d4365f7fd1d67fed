package io.usagesink.cli.events;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal ({@code \r}-redrawn, at most ten times a second), or
 * nothing. Used only when stderr is a terminal and the output is not {@code --json}.
 *
 * <p>Not thread-safe: the recording thread calls it.
 */
public interface Progress {

  /** Reports nothing. */
  Progress NONE = (done, elapsedNanos) -> {};

  /** {@code done} events so far, {@code elapsedNanos} since the start of this run. */
  void advance(long done, long elapsedNanos);

  /** Clears the line. */
  default void finish() {}

  /**
   * One line a second on {@code err}, for logs and scripts: {@code <label>: 1,200 events recorded
   * (2.0 s)}.
   */
  static Progress lines(PrintWriter err, String label) {
    return new Progress() {
      private long lastLine;

      @Override
      public void advance(long done, long elapsedNanos) {
        if (elapsedNanos - lastLine < 1_000_000_000L) {
          return;
        }
        lastLine = elapsedNanos;
        err.println(
            String.format(
                Locale.ROOT, "%s: %,d events recorded (%.1f s)", label, done, elapsedNanos / 1e9));
        err.flush();
      }
    };
  }

  /**
   * A bar for one run: {@code label}, then a bar filled by events ({@code totalEvents > 0}) or by
   * time ({@code timeBox} for time-boxed runs).
   */
  static Progress bar(PrintWriter err, String label, long totalEvents, Duration timeBox) {
    return new Progress() {
      private static final int WIDTH = 30;
      private long lastDraw;
      private boolean drawn;

      @Override
      public void advance(long done, long elapsedNanos) {
        // only runs longer than a second get a bar, redrawn at most ten times a second
        if (elapsedNanos < 1_000_000_000L || elapsedNanos - lastDraw < 100_000_000L) {
          return;
        }
        lastDraw = elapsedNanos;
        drawn = true;
        double f =
            totalEvents > 0
                ? (double) done / totalEvents
                : timeBox == null ? 0 : (double) elapsedNanos / timeBox.toNanos();
        f = Math.max(0, Math.min(1, f));
        int filled = (int) Math.round(f * WIDTH);
        err.print(
            String.format(
                Locale.ROOT,
                "\r%-34s [%s%s] %3d%% %,d events",
                label,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                Math.round(f * 100),
                done));
        err.flush();
      }

      @Override
      public void finish() {
        if (!drawn) {
          return;
        }
        err.print("\r" + " ".repeat(90) + "\r");
        err.flush();
      }
    };
  }
}
