package dev.ferry.cli;

import dev.ferry.indexer.InvalidSettingException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The indexer's refused settings said in terms of this command line's flags, as bad usage (exit
 * 2): the library's problem (which names the file, input, label or query) with the flag to change.
 */
final class SettingErrors {
  private SettingErrors() {}

  /** {@code e} as a usage error of {@code spec}'s command. */
  static ParameterException usage(CommandSpec spec, InvalidSettingException e) {
    String message = switch (e.setting()) {
      case REJECTS -> "--rejects: " + e.problem() + "; pass --rejects with another file (by default it is"
          + " INDEX/rejects.jsonl)";
      case RESUME -> "--resume: " + e.problem() + "; run without --resume to read the input again from its start"
          + " (records with the ids of indexed documents replace them), or index into a new --index folder";
      case LABEL_CHANGE -> e.problem() + "; index with a bundle of those labels, relabel the index with this bundle"
          + " first ('ferry relabel'), or pass --allow-label-change to keep both label sets ('ferry stats' shows them)";
      case LABELS -> "--label: " + e.problem() + "; filter by those";
      case QUERY -> e.problem() + "; shorten the query, or search by meaning alone with --mode knn";
    };
    return new ParameterException(spec.commandLine(), message, e);
  }
}
