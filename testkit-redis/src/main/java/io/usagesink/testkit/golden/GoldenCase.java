package io.usagesink.testkit.golden;

import io.usagesink.testkit.redis.StoredKey;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One golden case: CRS calls made one after the other on an empty database, the exact commands
 * Redis received for each, and the complete database afterwards. Immutable.
 *
 * @param name the case name, e.g. {@code token-plain}
 * @param events the CRS calls, in order
 * @param commandsPerEvent for each call, the commands Redis received, each as its argument strings,
 *     e.g. {@code ["HINCRBY", "usage:k1", "totalTokens", "1550"]}
 * @param state every key after the case, sorted by key
 */
public record GoldenCase(
    String name,
    List<CrsCall> events,
    List<List<List<String>>> commandsPerEvent,
    SortedMap<String, StoredKey> state) {

  /**
   * The cases where this library deliberately differs from CRS (see {@code UsageLayouts}), by name,
   * with the reason. Their {@link #state()} and commands are CRS's, not ours.
   */
  public static final Map<String, String> DEVIATIONS =
      Map.of(
          "token-model-empty-and-null",
          "an empty or null model is booked as \"unknown\"; CRS writes an empty key segment for"
              + " \"\" and the text \"null\" for null");

  /** Validates and copies; every event has its command list. */
  public GoldenCase {
    Objects.requireNonNull(name, "name");
    events = List.copyOf(events);
    commandsPerEvent =
        commandsPerEvent.stream().map(cmds -> cmds.stream().map(List::copyOf).toList()).toList();
    if (events.size() != commandsPerEvent.size()) {
      throw new IllegalArgumentException(
          "case "
              + name
              + " has "
              + events.size()
              + " events but "
              + commandsPerEvent.size()
              + " command lists");
    }
    state = Collections.unmodifiableSortedMap(new TreeMap<>(state));
  }

  /** Why this case deviates from CRS, when it does ({@link #DEVIATIONS}). */
  public Optional<String> deviation() {
    return Optional.ofNullable(DEVIATIONS.get(name));
  }

  /** The commands Redis received for event {@code index}, exactly as CRS sent them. */
  public List<List<String>> commands(int index) {
    return commandsPerEvent.get(index);
  }

  /**
   * The commands of event {@code index} in the order a plan of the reference layout sends them:
   * CRS's commands with every counter ({@code HINCRBY}) moved ahead of the other commands, each
   * group keeping its order ({@link PlanCommands#countersFirst(List)}). For this layout that only
   * moves the six long-context account counters CRS sends after its EXPIREs.
   */
  public List<List<String>> commandsInPlanOrder(int index) {
    return PlanCommands.countersFirst(commands(index));
  }

  @Override
  public String toString() {
    return name;
  }
}
