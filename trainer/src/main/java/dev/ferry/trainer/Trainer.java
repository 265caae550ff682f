package dev.ferry.trainer;

import java.io.IOException;

/**
 * Trains a classifier and writes a model bundle: reads the labeled data, holds out a validation set
 * ({@link TrainingData}), then trains as {@link TrainingConfig#mode} says: a head on the frozen
 * encoder's embeddings ({@link FeatureExtractionJob}), or the encoder's top layers too ({@link
 * FineTuneJob}); scores it on the held-out set, and writes the bundle with its report.
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
   */
  public static TrainingResult train(TrainingConfig config, TrainingListener listener)
      throws IOException {
    config.checkOutput();
    long start = System.nanoTime();
    TrainingData data = TrainingData.prepare(config, listener);
    return config.mode() == TrainingMode.FEATURES
        ? FeatureExtractionJob.train(config, data, listener, start)
        : FineTuneJob.train(config, data, listener, start);
  }
}
