package io.usagesink.launcher;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run's server-side commands split into those the client sent and those Redis ran inside scripts,
 * from the run's {@link CommandStats} delta. Immutable.
 *
 * <p>Redis 7 counts a command a script runs with {@code redis.call} under that command's own name,
 * exactly like one a client sends ({@code evalsha=1, hincrby=80}); {@code commandstats} cannot tell
 * them apart. So:
 *
 * <ul>
 *   <li><b>Not counted at all</b>: connection set-up ({@code HELLO}, {@code AUTH}, {@code SELECT},
 *       {@code CLIENT *}, {@code COMMAND *}, {@code PING}, {@code READONLY}, {@code CLUSTER *},
 *       {@code QUIT}) and the measurement's own {@code INFO}: they are per connection or the
 *       fixture's, not per event.
 *   <li><b>Client commands, always</b>: script calls ({@code EVAL}, {@code EVALSHA}, their {@code
 *       _RO} forms, {@code FCALL}) and script management ({@code SCRIPT *}, {@code FUNCTION *}).
 *   <li><b>Every other command</b> (HINCRBY, EXPIRE, SADD, ...) is a client command when no script
 *       ran. When scripts ran it ran inside a script, except as many as the sink itself reports
 *       having sent beyond its script calls and script management ({@code SinkStats.commands()}
 *       minus those, at least 0).
 * </ul>
 *
 * @param client commands clients sent
 * @param insideScripts commands Redis ran inside scripts
 * @param scriptCalls how many of {@code client} were script calls (EVALSHA, ...)
 */
public record CommandCounts(long client, long insideScripts, long scriptCalls) {

  private static final Set<String> IGNORED =
      Set.of(
          "hello",
          "auth",
          "select",
          "ping",
          "readonly",
          "readwrite",
          "quit",
          "reset",
          "command",
          "cluster",
          "client",
          "info",
          "echo");
  private static final Set<String> IGNORED_PREFIXES = Set.of("client|", "command|", "cluster|");
  private static final Set<String> SCRIPT_CALLS =
      Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");

  /**
   * Splits {@code delta} (what the server ran during the run); {@code sinkReportedCommands} is the
   * sink's own count of commands it sent ({@code SinkStats.commands()}).
   */
  public static CommandCounts of(CommandStats delta, long sinkReportedCommands) {
    long scriptCalls = 0;
    long management = 0;
    long other = 0;
    for (Map.Entry<String, Long> e : delta.asMap().entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      long n = e.getValue();
      if (isOverhead(name)) {
        continue;
      }
      if (SCRIPT_CALLS.contains(name)) {
        scriptCalls += n;
      } else if (name.equals("script")
          || name.startsWith("script|")
          || name.equals("function")
          || name.startsWith("function|")) {
        management += n;
      } else {
        other += n;
      }
    }
    if (scriptCalls == 0) {
      return new CommandCounts(management + other, 0, 0);
    }
    long direct = Math.max(0, Math.min(other, sinkReportedCommands - scriptCalls - management));
    return new CommandCounts(scriptCalls + management + direct, other - direct, scriptCalls);
  }

  /**
   * Whether {@code command} (lower case) is connection overhead or the measurement's own, never
   * attributed.
   */
  public static boolean isOverhead(String command) {
    if (IGNORED.contains(command)) {
      return true;
    }
    return IGNORED_PREFIXES.stream().anyMatch(command::startsWith);
  }

  /** What a per-command-billed Redis service counts: client plus inside-script commands. */
  public long billed() {
    return client + insideScripts;
  }
}
