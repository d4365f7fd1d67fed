package io.usagesink.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * Runs the command line in-process with captured output, an explicit environment and no terminal.
 */
final class Cli {
  private Cli() {}

  /** What a run printed and returned. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    return run(Map.of(), "", args);
  }

  static Result run(Map<String, String> env, String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext ctx =
        new CliContext(
            env,
            new Properties(),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            false);
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), ctx);
    return new Result(code, out.toString(), err.toString());
  }
}
