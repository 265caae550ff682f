/**
 * The training job: {@link dev.ferry.trainer.Trainer} reads and splits the data ({@code
 * TrainingData}), trains in the configured mode ({@code FeatureExtractionJob}, {@code FineTuneJob})
 * and writes the bundle; {@link dev.ferry.trainer.TrainingConfig} says how, {@link
 * dev.ferry.trainer.Provenance} records it.
 */
package dev.ferry.trainer;
