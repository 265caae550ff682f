package dev.ferry.trainer;

import dev.ferry.trainer.selection.BudgetTooSmallException;
import dev.ferry.trainer.selection.EncoderSelection;
import dev.ferry.trainer.selection.EncoderSelector;
import java.io.IOException;

/**
 * Trains a classifier and writes a model bundle: reads the labeled data, holds out a validation set
 * ({@link TrainingData}), then trains as {@link TrainingConfig#mode} says: a head on the frozen
 * encoder's embeddings ({@link FeatureExtractionJob}), or the encoder's layers too ({@link
 * FineTuneJob}); scores it on the held-out set, and writes the bundle with its report. With the
 * encoder {@value TrainingConfig#AUTO_ENCODER} it first chooses the encoder and head by
 * cross-validation on the training examples ({@link EncoderSelector}) and then trains exactly as
 * with that encoder and head named; the manifest records the choice.
 *
 * <pre>{@code
 * TrainingResult result = Trainer.train(
 *     TrainingConfig.builder(Path.of("train.jsonl"), Path.of("bundle")).build(),
 *     TrainingListener.NONE);
 * result.validation().ifPresentOrElse(m -> System.out.println(m.macroF1()),
 *     () -> System.out.println(result.noValidationReason()));
 * }</pre>
 */
public final class Trainer {
  private Trainer() {}

  /**
   * Runs the whole job.
   *
   * @throws IllegalArgumentException before anything else, if the output folder holds anything but
   *     a bundle ({@link TrainingConfig#checkOutput})
   * @throws IOException if the data cannot be read (the message names the file and line) or the
   *     bundle cannot be written
   * @throws TrainingDivergedException if a loss stops being a finite number
   * @throws BudgetTooSmallException with the encoder {@value TrainingConfig#AUTO_ENCODER}, if the
   *     selection's budget does not cover even the fastest candidate
   */
  public static TrainingResult train(TrainingConfig config, TrainingListener listener)
      throws IOException {
    config.checkOutput();
    long start = System.nanoTime();
    TrainingData data = TrainingData.prepare(config, listener);
    if (config.autoEncoder()) {
      EncoderSelection selection =
          EncoderSelector.select(
              config.selection(),
              new EncoderSelector.Input(
                  data.train(),
                  TrainingData.texts(data.valid()),
                  data.labels(),
                  config.head(),
                  config.validSplit(),
                  config.encoderOptions(),
                  config.chunking(),
                  config.cacheEmbeddings(),
                  config.cacheDirectory()),
              listener);
      TrainingConfig chosen =
          config.withChoice(selection.chosen().encoder().id(), selection.chosen().head());
      return FeatureExtractionJob.train(chosen, data, listener, start, selection);
    }
    return config.mode() == TrainingMode.FEATURES
        ? FeatureExtractionJob.train(config, data, listener, start, null)
        : FineTuneJob.train(config, data, listener, start);
  }
}
