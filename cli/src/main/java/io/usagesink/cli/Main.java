package io.usagesink.cli;

import io.usagesink.ConfigurationException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The runnable jar's entry point: {@code java -jar usagesink.jar compare|replay|dump ...}.
 *
 * <p>Exit codes (picocli's {@link ExitCode}): 0 ({@code OK}) success; 1 ({@code SOFTWARE}) the work
 * could not be done (Redis unreachable, data not stored); 2 ({@code USAGE}) bad usage (an unknown
 * or invalid option, bad input lines, invalid configuration); {@code replay} stopped by SIGTERM /
 * SIGINT: 143 / 130. Errors are one clear message on stderr, never a stack trace, and never a
 * password.
 */
@Command(
    name = "usagesink",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Records per-request LLM usage statistics in Redis through interchangeable backends, and"
          + " measures them.",
      "",
      "Start with: java -jar usagesink.jar compare"
    },
    subcommands = {
      CompareCommand.class,
      ReplayCommand.class,
      DumpCommand.class,
      CommandLine.HelpCommand.class
    },
    usageHelpAutoWidth = true)
public final class Main implements Runnable {

  private final CliContext context;

  @Spec private CommandSpec spec;

  Main(CliContext context) {
    this.context = context;
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    // the backends log through java.util.logging: one line, "WARNING: message", unless configured
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
        && System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
    }
    PrintWriter out =
        new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(args, out, err, CliContext.system());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs the command line in-process with the given streams and surroundings; returns the exit
   * code.
   */
  static int run(String[] args, PrintWriter out, PrintWriter err, CliContext context) {
    CommandLine cl = commandLine(context);
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  /** The configured picocli command line (for tests and {@link #run}). */
  static CommandLine commandLine(CliContext context) {
    CommandLine cl = new CommandLine(new Main(context));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(new ParameterErrors());
    cl.setExecutionExceptionHandler(new ExecutionErrors());
    cl.setExitCodeExceptionMapper(
        t -> t instanceof ConfigurationException ? ExitCode.USAGE : ExitCode.SOFTWARE);
    return cl;
  }

  /** The surroundings of this run. */
  CliContext context() {
    return context;
  }

  @Override
  public void run() {
    // no subcommand: show what there is
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Bad options: the message (option, value, what is allowed) and a pointer to --help; exit 2. */
  private static final class ParameterErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      err.println(cl.getColorScheme().errorText(ex.getMessage()));
      if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
        err.println(
            "Try '"
                + cl.getCommandSpec().qualifiedName()
                + " --help' for the options and what they allow.");
      }
      err.flush();
      return ExitCode.USAGE;
    }
  }

  /**
   * Failures while running: one line on stderr, no stack trace; 2 for configuration errors, else 1.
   */
  private static final class ExecutionErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
      PrintWriter err = cl.getErr();
      String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      Object command = cl.getCommand();
      if (command instanceof SecretAware) {
        message = ((SecretAware) command).secrets().scrub(message);
      }
      err.println("usagesink " + cl.getCommandName() + ": " + message);
      err.flush();
      return ex instanceof ConfigurationException || ex instanceof UsageException
          ? ExitCode.USAGE
          : ExitCode.SOFTWARE;
    }
  }

  /** A command that knows the secrets it was given, so failures can be scrubbed of them. */
  interface SecretAware {
    /** The passwords to keep out of any message. */
    Secrets secrets();
  }

  /** A usage problem found while running (e.g. an unreadable input file): exit 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The version from the jar's manifest (or "development" when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "usagesink " + (v == null ? "development" : v) + " (Java " + Runtime.version() + ")"
      };
    }
  }
}
