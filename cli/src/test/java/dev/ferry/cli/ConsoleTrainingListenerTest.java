package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.finetune.FineTuneSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What {@code ferry train} prints for fine-tuning epochs and for the head fitted after them. */
class ConsoleTrainingListenerTest {
  private static final EpochMetrics EPOCH_1 = new EpochMetrics(1, 0.5, 0.75, 0.6, 0.7, 0.65);

  private static String run(int fineTuneEpochs) {
    StringWriter out = new StringWriter();
    try (var listener =
        new TrainCommand.ConsoleTrainingListener(new PrintWriter(out), 200, fineTuneEpochs)) {
      listener.trained(1, 4);
      listener.epoch(EPOCH_1);
      // The head fitted on the tuned encoder's vectors: its epochs are no fine-tuning epochs.
      listener.stage("Training a mlp head on the tuned encoder's vectors of 8 texts");
      listener.epoch(EPOCH_1);
    }
    return out.toString();
  }

  @Test
  void fineTuningEpochsShowTheirCountOnlyWhenItIsSet() {
    assertThat(run(3))
        .contains("  epoch 1/3: loss 0.5000, train accuracy 0.7500, valid macro-F1 0.6500\n");
    // Automatic epochs (about 60 steps) are resolved by the fine-tuner: no "/0".
    assertThat(run(FineTuneSettings.AUTO_EPOCHS))
        .contains("  epoch 1: loss 0.5000, train accuracy 0.7500, valid macro-F1 0.6500\n")
        .doesNotContain("/0");
  }

  @Test
  void aHeadFittedAfterFineTuningIsNotReportedAsAFineTuningEpoch() {
    String printed = run(3);
    assertThat(printed).containsOnlyOnce("epoch 1/3");
    assertThat(printed)
        .contains("Training a mlp head on the tuned encoder's vectors of 8 texts ...");
  }
}
