package io.usagesink.launcher;

import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable snapshot of how many times the server executed each command, parsed from {@code INFO
 * commandstats} ({@code cmdstat_<name>:calls=N,...}).
 *
 * <p><b>Commands run inside scripts count.</b> Redis 7 records every command a Lua script runs
 * through {@code redis.call} under its own name, in addition to the {@code eval}/{@code evalsha}
 * entry of the script itself: an EVALSHA whose script does three HINCRBY shows as {@code evalsha=1,
 * hincrby=3} (verified against redis-server 7.0 by {@code RedisServerIT}). So {@code
 * calls("hincrby")} is the server-side work whichever way it was sent, and {@code calls("evalsha")}
 * is the number of client round trips of a Lua writer.
 *
 * <p>Names are lower case as Redis reports them; sub-commands appear as {@code "client|kill"},
 * {@code "script|load"}, {@code "config|resetstat"}. The fixture's own admin commands are counted
 * too: a snapshot taken with {@link RedisServer#commandStats()} shows the previous snapshot's
 * {@code info} call. Measure a delta with {@code after.minus(before)} and read the commands you
 * care about, or drop the fixture's with {@link #without(String...)}.
 */
public final class CommandStats {
  private static final CommandStats EMPTY = new CommandStats(new TreeMap<>());

  private final Map<String, Long> calls;

  private CommandStats(TreeMap<String, Long> calls) {
    this.calls = Collections.unmodifiableMap(calls);
  }

  /** No command executed. */
  public static CommandStats empty() {
    return EMPTY;
  }

  /** From a map of command name to call count; names are lower-cased, counts must be >= 0. */
  public static CommandStats of(Map<String, Long> calls) {
    TreeMap<String, Long> copy = new TreeMap<>();
    calls.forEach(
        (name, count) -> {
          Objects.requireNonNull(name, "command name");
          Objects.requireNonNull(count, "count");
          if (count < 0) {
            throw new IllegalArgumentException("count of " + name + " must be >= 0, was " + count);
          }
          copy.merge(name.toLowerCase(Locale.ROOT), count, Long::sum);
        });
    return new CommandStats(copy);
  }

  /** Parses the text of {@code INFO commandstats} (other sections and lines are ignored). */
  public static CommandStats parse(String info) {
    TreeMap<String, Long> parsed = new TreeMap<>();
    for (String raw : info.split("\r?\n")) {
      String line = raw.trim();
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), colon).toLowerCase(Locale.ROOT);
      for (String field : line.substring(colon + 1).split(",")) {
        if (field.startsWith("calls=")) {
          parsed.merge(name, Long.parseLong(field.substring("calls=".length())), Long::sum);
        }
      }
    }
    return new CommandStats(parsed);
  }

  /**
   * How many times {@code command} ran (case-insensitive; {@code "script|load"} for sub-commands);
   * 0 if never.
   */
  public long calls(String command) {
    return calls.getOrDefault(command.toLowerCase(Locale.ROOT), 0L);
  }

  /** All calls of all commands. */
  public long total() {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * What ran between {@code earlier} and this snapshot; commands whose difference is zero are left
   * out. Throws {@link IllegalArgumentException} when a count went down (the stats were reset in
   * between).
   */
  public CommandStats minus(CommandStats earlier) {
    TreeMap<String, Long> delta = new TreeMap<>();
    for (Map.Entry<String, Long> e : calls.entrySet()) {
      long diff = e.getValue() - earlier.calls(e.getKey());
      if (diff < 0) {
        throw new IllegalArgumentException(
            "calls of "
                + e.getKey()
                + " went down from "
                + earlier.calls(e.getKey())
                + " to "
                + e.getValue()
                + "; were the stats reset in between?");
      }
      if (diff > 0) {
        delta.put(e.getKey(), diff);
      }
    }
    for (String name : earlier.calls.keySet()) {
      if (!calls.containsKey(name) && earlier.calls(name) > 0) {
        throw new IllegalArgumentException(
            "calls of "
                + name
                + " went down from "
                + earlier.calls(name)
                + " to 0; were the stats reset in between?");
      }
    }
    return new CommandStats(delta);
  }

  /** The sum of both (e.g. over the nodes of a cluster). */
  public CommandStats plus(CommandStats other) {
    TreeMap<String, Long> sum = new TreeMap<>(calls);
    other.calls.forEach((name, count) -> sum.merge(name, count, Long::sum));
    return new CommandStats(sum);
  }

  /**
   * This snapshot without the named commands (case-insensitive), e.g. {@code without("info",
   * "ping")}.
   */
  public CommandStats without(String... commands) {
    TreeMap<String, Long> kept = new TreeMap<>(calls);
    Arrays.stream(commands).map(c -> c.toLowerCase(Locale.ROOT)).forEach(kept::remove);
    return new CommandStats(kept);
  }

  /** Command name to calls, sorted by name, unmodifiable. */
  public Map<String, Long> asMap() {
    return calls;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CommandStats && ((CommandStats) o).calls.equals(calls);
  }

  @Override
  public int hashCode() {
    return calls.hashCode();
  }

  @Override
  public String toString() {
    return "CommandStats" + calls;
  }
}
