package io.usagesink.cli.events;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A named, repeatable sequence of events that {@code compare} runs through every backend.
 *
 * <p>Events are produced on demand by a deterministic generator and remembered, so every backend
 * sees exactly the same events, however many the first run took. A workload is either of fixed size
 * ({@code seed-day}, a file) or time-boxed ({@code busy}: the first backend records for a while and
 * fixes the count, the others record the same events).
 *
 * <p>Not thread-safe: one thread runs the comparison.
 */
public final class Workload {

  private final String name;
  private final String description;
  private final LongFunction<UsageEvent> generator;
  private final long size;
  private final Duration timeBox;
  private final boolean eventClock;
  private final List<UsageEvent> produced = new ArrayList<>();
  private long fixedSize = -1;

  /**
   * @param name short name shown in tables ({@code seed-day}, {@code busy}, a file name)
   * @param description one sentence for reports
   * @param generator event {@code i} (0-based); called once per index, in order
   * @param size the number of events, or {@link Long#MAX_VALUE} when time-boxed
   * @param timeBox how long the first run records, or {@code null} for fixed-size workloads
   * @param eventClock whether sinks run on a clock that follows the events' timestamps
   */
  Workload(
      String name,
      String description,
      LongFunction<UsageEvent> generator,
      long size,
      Duration timeBox,
      boolean eventClock) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = Objects.requireNonNull(description, "description");
    this.generator = Objects.requireNonNull(generator, "generator");
    this.size = size;
    this.timeBox = timeBox;
    this.eventClock = eventClock;
  }

  /** A fixed list of events (a file). */
  public static Workload ofEvents(
      String name, String description, List<UsageEvent> events, boolean eventClock) {
    List<UsageEvent> copy = List.copyOf(events);
    return new Workload(name, description, i -> copy.get((int) i), copy.size(), null, eventClock);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** Whether sinks get an {@link EventClock}. */
  public boolean eventClock() {
    return eventClock;
  }

  /** The time box of the first run, or {@code null}. */
  public Duration timeBox() {
    return fixedSize >= 0 ? null : timeBox;
  }

  /** The number of events: the fixed size, or after the first time-boxed run, what it recorded. */
  public long size() {
    return fixedSize >= 0 ? fixedSize : size;
  }

  /** Whether the count is known (fixed-size, or the first time-boxed run has happened). */
  public boolean sizeKnown() {
    return fixedSize >= 0 || timeBox == null;
  }

  /** After a time-boxed run recorded {@code n} events: every later run records exactly those. */
  public void fixSize(long n) {
    if (fixedSize < 0 && timeBox != null) {
      fixedSize = n;
    }
  }

  /** The first event's time (for the event clock's start). */
  public java.time.Instant start() {
    return event(0).at();
  }

  /** The events from the first, up to {@link #size()}, generating as needed. */
  public Iterator<UsageEvent> iterator() {
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < size();
      }

      @Override
      public UsageEvent next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return event(next++);
      }
    };
  }

  private UsageEvent event(long i) {
    if (i > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "workload " + name + " is limited to " + (Integer.MAX_VALUE - 8) + " events");
    }
    while (produced.size() <= i) {
      produced.add(generator.apply(produced.size()));
    }
    return produced.get((int) i);
  }
}
