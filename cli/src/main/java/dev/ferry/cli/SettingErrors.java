package dev.ferry.cli;

import dev.ferry.indexer.InvalidSettingException;
import dev.ferry.trainer.data.BadDataException;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The libraries' refused settings said in terms of this command line's flags. The libraries speak
 * of their settings ("learning rate must be …", an indexer {@link InvalidSettingException} naming
 * which setting); this is the one place that knows which flag sets each.
 */
final class SettingErrors {
  /**
   * The flag of each setting a library message may start with, longest first, so that "unfreeze
   * schedule" is not read as "unfreeze".
   */
  private static final Map<String, String> FLAGS =
      flags(
          "learning rate",
          "--lr",
          "weight decay",
          "--weight-decay",
          "dropout",
          "--dropout",
          "validation split",
          "--valid-split",
          "output folder",
          "--out",
          "batch size",
          "--batch",
          "epochs",
          "--epochs",
          "patience",
          "--patience",
          "hidden size",
          "--hidden",
          "adapter rank",
          "--rank",
          "rank",
          "--rank",
          "adapt output",
          "--adapt-output",
          "unfreeze schedule",
          "--unfreeze-schedule",
          "unfreeze",
          "--unfreeze",
          "max tokens",
          "--chunk-tokens",
          "max examples",
          "--max-examples",
          "encoder",
          "--encoder",
          "candidates",
          "--candidates",
          "budget",
          "--budget");

  private SettingErrors() {}

  /**
   * A library message about a setting, led by the flag that sets it: "--lr: learning rate must be
   * …".
   */
  static String inFlags(String message) {
    for (Map.Entry<String, String> f : FLAGS.entrySet()) {
      if (message.startsWith(f.getKey() + " ")) {
        return f.getValue() + ": " + message;
      }
    }
    return message;
  }

  /** {@code e} as a usage error of {@code spec}'s command, its message led by the flag. */
  static ParameterException usage(CommandSpec spec, IllegalArgumentException e) {
    return new ParameterException(spec.commandLine(), inFlags(e.getMessage()), e);
  }

  /**
   * The indexer's refused setting {@code e} as a usage error of {@code spec}'s command (exit 2).
   */
  static ParameterException usage(CommandSpec spec, InvalidSettingException e) {
    String message =
        switch (e.setting()) {
          case REJECTS ->
              "--rejects: "
                  + e.problem()
                  + "; pass --rejects with another file (by default it is"
                  + " INDEX/rejects.jsonl)";
          case RESUME ->
              "--resume: "
                  + e.problem()
                  + "; run without --resume to read the input again from its start"
                  + " (records with the ids of indexed documents replace them), or index into a new --index folder";
          case LABEL_CHANGE ->
              e.problem()
                  + "; index with a bundle of those labels, relabel the index with this bundle"
                  + " first ('ferry relabel'), or pass --allow-label-change to keep both label sets ('ferry stats' shows them)";
          case LABELS -> "--label: " + e.problem() + "; filter by those";
          case QUERY ->
              e.problem() + "; shorten the query, or search by meaning alone with --mode knn";
          case BUNDLE -> "--bundle: " + e.problem() + "; pass --bundle with a bundle trained on it";
        };
    return new ParameterException(spec.commandLine(), message, e);
  }

  /** Bad rows in a data file, with this command line's way to skip them. */
  static IOException badData(BadDataException e) {
    return new IOException(e.summary() + "use --skip-bad to skip bad rows and go on", e);
  }

  private static Map<String, String> flags(String... settingThenFlag) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < settingThenFlag.length; i += 2) {
      flags.put(settingThenFlag[i], settingThenFlag[i + 1]);
    }
    Map<String, String> longestFirst = new LinkedHashMap<>();
    flags.entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, String> f) -> -f.getKey().length()))
        .forEach(f -> longestFirst.put(f.getKey(), f.getValue()));
    return longestFirst;
  }

  /**
   * The refusal of an option that was renamed: {@code --batch is now --examples-per-step (...);
   * --batch-size is texts per model batch when embedding}.
   */
  static ParameterException renamed(CommandSpec spec, String old, String now) {
    return new ParameterException(
        spec.commandLine(),
        old
            + " is now "
            + now
            + "; --batch-size is texts per model batch when embedding, in every command");
  }
}
