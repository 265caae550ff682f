package dev.ferry.cli;

import dev.ferry.trainer.data.LabeledDataReader;
import picocli.CommandLine.Option;

/** How labeled data is read: which fields hold the text and the label, and what bad rows do. */
final class DataOptionsMixin {
  @Option(names = "--text-field", paramLabel = "NAME", description = "Field/column with the text. Default: text.")
  String textField = "text";

  @Option(names = "--label-field", paramLabel = "NAME", description = "Field/column with the label. Default: label.")
  String labelField = "label";

  @Option(names = "--skip-bad", description = "Skip bad rows with a warning instead of stopping.")
  boolean skipBad;

  LabeledDataReader.Options readOptions() {
    return LabeledDataReader.Options.defaults().withTextField(textField).withLabelField(labelField)
        .withSkipBad(skipBad);
  }
}
