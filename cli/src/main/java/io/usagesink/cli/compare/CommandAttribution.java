package io.usagesink.cli.compare;

import io.usagesink.launcher.CommandStats;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Splits the server's {@code INFO commandstats} delta of one run into commands the client sent and
 * commands Redis executed inside scripts.
 *
 * <p>Redis 7 counts a command a script runs with {@code redis.call} under that command's own name,
 * exactly like one a client sends ({@code evalsha=1, hincrby=80}); neither {@code commandstats}
 * nor {@code total_commands_processed} tell them apart. So:
 * <ul>
 *   <li><b>Not counted at all</b> ({@link #IGNORED}): connection set-up ({@code HELLO}, {@code AUTH},
 *       {@code SELECT}, {@code CLIENT *}, {@code COMMAND *}, {@code PING}, {@code READONLY},
 *       {@code CLUSTER *}, {@code QUIT}) and the measurement's own {@code INFO}. They are per
 *       connection, not per event, and the tool's own calls would otherwise be billed to the backend.
 *   <li><b>Client commands, always</b>: script calls ({@code EVAL}, {@code EVALSHA}, their
 *       {@code _RO} forms, {@code FCALL}) and script management ({@code SCRIPT *},
 *       {@code FUNCTION *}); a script can run none of these.
 *   <li><b>Every other command</b> (HINCRBY, EXPIRE, SADD, SET, ...) is a client command when no
 *       script ran in the run. When scripts ran, it ran inside a script, except as many as the
 *       sink itself reports having sent beyond its script calls ({@link
 *       io.usagesink.SinkStats#commands()} minus the script calls and management above, at least 0):
 *       a backend that mixes scripts with direct commands is attributed by its own count.
 * </ul>
 * Billed commands (how per-command-billed Redis services count) = client + inside scripts.
 */
public final class CommandAttribution {
  private CommandAttribution() {}

  /** Commands that are connection overhead or the measurement's own, never attributed to a backend. */
  static final Set<String> IGNORED_PREFIXES = Set.of("client|", "command|", "cluster|");
  static final Set<String> IGNORED = Set.of(
      "hello", "auth", "select", "ping", "readonly", "readwrite", "quit", "reset", "command", "cluster",
      "client", "info", "echo");

  static final Set<String> SCRIPT_CALLS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");

  /**
   * The split of one run.
   *
   * @param client commands clients sent (attributed to the backend)
   * @param insideScripts commands Redis ran inside scripts
   * @param scriptCalls how many of {@code client} were script calls (EVALSHA, ...)
   */
  record Counts(long client, long insideScripts, long scriptCalls) {
    /** Client plus inside-script commands. */
    long billed() {
      return client + insideScripts;
    }
  }

  /** Splits {@code delta}; {@code sinkReportedCommands} is the sink's own count of commands it sent. */
  static Counts attribute(CommandStats delta, long sinkReportedCommands) {
    long scriptCalls = 0;
    long management = 0;
    long other = 0;
    for (Map.Entry<String, Long> e : delta.asMap().entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      long n = e.getValue();
      if (ignored(name)) {
        continue;
      }
      if (SCRIPT_CALLS.contains(name)) {
        scriptCalls += n;
      } else if (name.equals("script") || name.startsWith("script|") || name.equals("function")
          || name.startsWith("function|")) {
        management += n;
      } else {
        other += n;
      }
    }
    if (scriptCalls == 0) {
      return new Counts(management + other, 0, 0);
    }
    long direct = Math.max(0, Math.min(other, sinkReportedCommands - scriptCalls - management));
    return new Counts(scriptCalls + management + direct, other - direct, scriptCalls);
  }

  static boolean ignored(String name) {
    if (IGNORED.contains(name)) {
      return true;
    }
    for (String p : IGNORED_PREFIXES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
