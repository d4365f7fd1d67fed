package io.usagesink.cli.events;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A time source that follows the events being replayed: the replay {@link #advanceTo(Instant)
 * advances} it to each event's time before recording the event, so time-driven backends (the
 * buffered backend's flush interval) see a simulated day pass in seconds. It never goes backwards:
 * an event older than the current time leaves it unchanged.
 *
 * <p>Thread-safe: one thread advances it, any thread may read it.
 */
public final class EventClock implements InstantSource {

  private volatile Instant now;

  public EventClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** Moves the clock to {@code t} if {@code t} is later than now. Called by one thread. */
  void advanceTo(Instant t) {
    if (t.isAfter(now)) {
      now = t;
    }
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public String toString() {
    return "EventClock[" + now + "]";
  }
}
