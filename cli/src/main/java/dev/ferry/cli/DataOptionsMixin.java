package dev.ferry.cli;

import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.data.LabeledDataReader;
import picocli.CommandLine.Option;

/** How labeled data is read: which fields hold the text and the label, and what bad rows do. */
final class DataOptionsMixin {
  @Option(
      names = "--text-field",
      paramLabel = "NAME",
      description = "Field/column with the text. Default: ${DEFAULT-VALUE}.")
  String textField = LabeledDataReader.Options.defaults().textField();

  @Option(
      names = "--label-field",
      paramLabel = "NAME",
      description = "Field/column with the label. Default: ${DEFAULT-VALUE}.")
  String labelField = LabeledDataReader.Options.defaults().labelField();

  @Option(names = "--skip-bad", description = "Skip bad rows with a warning instead of stopping.")
  boolean skipBad;

  /** Puts the field names and the bad-row choice into a training configuration. */
  void applyTo(TrainingConfig.Builder builder) {
    builder.fields(textField, labelField, readOptions().idField()).skipBad(skipBad);
  }

  LabeledDataReader.Options readOptions() {
    return LabeledDataReader.Options.defaults()
        .withTextField(textField)
        .withLabelField(labelField)
        .withSkipBad(skipBad);
  }
}
