package dev.ferry.cli;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.trainer.Provenance;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.selection.SelectionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;

/**
 * The libraries' defaults, for help texts to print rather than restate: option descriptions say
 * {@code ${bundle:default.finetune.learning_rate}} and commands name this bundle. Keys are {@code
 * default.PRESET.SETTING} for the settings of each preset ({@code linear}, {@code mlp}, {@code
 * finetune}, {@code lora}, {@code contrastive}; setting names as the manifest writes them), and
 * {@code default.config.*}, {@code default.auto.*} ({@code --encoder auto}), {@code
 * default.chunking.*}, {@code default.auto_epochs.*} and {@code default.regularization_grid} for
 * the rest.
 */
public final class LibraryDefaults extends ListResourceBundle {
  @Override
  protected Object[][] getContents() {
    List<Object[]> entries = new ArrayList<>();
    put(entries, "linear", Provenance.of(HeadSettings.defaults(HeadKind.LINEAR)));
    put(entries, "mlp", Provenance.of(HeadSettings.defaults(HeadKind.MLP)));
    put(entries, "finetune", Provenance.of(FineTuneSettings.finetune()));
    put(entries, "lora", Provenance.of(FineTuneSettings.lora()));
    put(entries, "contrastive", Provenance.of(FineTuneSettings.contrastive()));
    TrainingConfig config = TrainingConfig.builder(Path.of("data"), Path.of("out")).build();
    put(
        entries,
        "config",
        Map.of(
            "valid_split",
            config.validSplit(),
            "id_field",
            config.idField(),
            "head",
            config.head().kind().id(),
            "mode",
            config.mode().id()));
    SelectionSettings selection = config.selection();
    put(
        entries,
        "auto",
        Map.of(
            "candidates",
            String.join(",", selection.candidates().stream().map(BuiltinEncoder::id).toList()),
            "folds",
            selection.folds()));
    put(
        entries,
        "chunking",
        Map.of(
            "overlap_tokens",
            Chunking.DEFAULT.overlapTokens(),
            "max_chunks",
            Chunking.DEFAULT.maxChunks(),
            "pooling",
            Chunking.DEFAULT.pooling().id()));
    put(
        entries,
        "auto_epochs",
        Map.of(
            "steps",
            FineTuneSettings.AUTO_STEPS,
            "min",
            FineTuneSettings.AUTO_MIN_EPOCHS,
            "max",
            FineTuneSettings.AUTO_MAX_EPOCHS,
            "chunks_per_step",
            FineTuneSettings.Builder.CHUNKS_PER_STEP));
    entries.add(
        new Object[] {
          "default.regularization_grid",
          java.util.Arrays.stream(HeadSettings.REGULARIZATION_GRID)
              .mapToObj(Provenance::text)
              .collect(java.util.stream.Collectors.joining(", "))
        });
    return entries.toArray(Object[][]::new);
  }

  private static void put(List<Object[]> entries, String preset, Map<String, ?> values) {
    values.forEach(
        (key, value) ->
            entries.add(new Object[] {"default." + preset + "." + key, Provenance.text(value)}));
  }
}
