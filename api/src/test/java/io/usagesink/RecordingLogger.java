package io.usagesink;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A {@link System.Logger} that keeps every entry, for asserting on what was logged. */
final class RecordingLogger implements System.Logger {

  /** One logged entry. */
  record Entry(Level level, String message, Throwable thrown) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Entries at {@code INFO} or above (what a default configuration shows). */
  List<Entry> shown() {
    return entries.stream()
        .filter(e -> e.level().getSeverity() >= Level.INFO.getSeverity())
        .collect(Collectors.toList());
  }

  List<String> messages(Level level) {
    return entries.stream()
        .filter(e -> e.level() == level)
        .map(Entry::message)
        .collect(Collectors.toList());
  }

  @Override
  public String getName() {
    return "recording";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    entries.add(new Entry(level, msg, thrown));
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    entries.add(
        new Entry(
            level,
            params == null || params.length == 0 ? format : MessageFormat.format(format, params),
            null));
  }
}
