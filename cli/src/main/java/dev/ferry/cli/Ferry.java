package dev.ferry.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ferry} command. Each subcommand is a thin shell over a Java API of the other modules.
 * Exit codes: 0 success, 1 failure, 2 bad usage.
 */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    version = "Ferry 0.1.0-SNAPSHOT",
    description = "Teach a BERT encoder your labels, then label and search documents with it.",
    subcommands = {
      QuickstartCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      EmbedCommand.class,
      IndexCommand.class,
      SearchCommand.class,
      StatsCommand.class,
      RelabelCommand.class,
      BundleCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Run `ferry COMMAND --help` for a command's options and examples.",
      "`ferry bench encode|accuracy|index|knn|jmh`: measurements, from the eval module (`ferry bench --help`).",
      "FERRY_CACHE_DIR: where built-in encoders are extracted (~/.cache/ferry)."
    })
public final class Ferry implements Runnable, HelpLayout.Examples {
  /**
   * Lucene announces at INFO, through java.util.logging, which vector implementation it picked; a
   * command line has no use for it (its warnings still show). Held here so the setting is not
   * collected with the logger.
   */
  private static final java.util.logging.Logger LUCENE_VECTORIZATION =
      java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log more, and print stack traces of errors.")
  boolean verbose;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Override
  public java.util.List<String> examples() {
    return java.util.List.of(
        "ferry quickstart",
        "ferry train --data tickets.jsonl --out tickets-bundle",
        "ferry eval --bundle tickets-bundle --data test.jsonl --errors 10 --report eval-report",
        "ferry predict --bundle tickets-bundle \"my invoice is wrong\"",
        "ferry index --bundle tickets-bundle --input docs.jsonl.gz --index tickets-index",
        "ferry search --index tickets-index \"invoice wrong\"");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 bad usage). */
  public static int execute(String... args) {
    return execute(new Ferry(), args);
  }

  /**
   * Runs a picocli {@code command} as {@code ferry} runs its own: {@code --verbose} for debug logs
   * and stack traces, one line per error otherwise; returns the exit code (0 ok, 1 failure, 2 bad
   * usage). The eval module's {@code ferry bench} runs through it.
   */
  public static int execute(Object command, String... args) {
    StderrHandoff.complete();
    boolean verbose =
        java.util.Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
    if (verbose && System.getProperty("org.slf4j.simpleLogger.log.dev.ferry") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.dev.ferry", "debug");
    }
    if (!verbose) {
      LUCENE_VECTORIZATION.setLevel(java.util.logging.Level.WARNING);
    }
    return commandLine(command, verbose).execute(args);
  }

  static CommandLine commandLine(boolean verbose) {
    return commandLine(new Ferry(), verbose);
  }

  static CommandLine commandLine(Object command, boolean verbose) {
    CommandLine cli = new CommandLine(command);
    HelpLayout.apply(cli);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println(commandLine.getCommandSpec().qualifiedName() + ": error: " + messageOf(e));
          if (verbose) {
            e.printStackTrace(err);
          } else {
            err.println("(run with --verbose for details)");
          }
          return CommandLine.ExitCode.SOFTWARE;
        });
    return cli;
  }

  private static String messageOf(Throwable e) {
    if (e instanceof java.nio.file.NoSuchFileException missing) {
      return "no such file: " + missing.getFile();
    }
    if (e instanceof java.nio.file.AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
