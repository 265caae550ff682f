package dev.ferry.trainer;

/**
 * Hears how training goes, for progress displays. Every method has an empty default; calls come
 * from the training thread.
 */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /** A stage begins ("Reading data", "Embedding", "Training", "Writing bundle"). */
  default void stage(String description) {}

  /** A line worth showing the user (label counts, warnings about the data). */
  default void note(String message) {}

  /** Embedding progress: {@code done} of {@code total} texts. */
  default void embedded(int done, int total) {}

  /** Fine-tuning progress: {@code done} of {@code total} training steps. */
  default void trained(int done, int total) {}

  /** An epoch ended. */
  default void epoch(EpochMetrics metrics) {}
}
