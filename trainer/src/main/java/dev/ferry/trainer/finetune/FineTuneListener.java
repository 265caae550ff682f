package dev.ferry.trainer.finetune;

import dev.ferry.trainer.EpochMetrics;

/** Hears how fine-tuning goes, for progress displays; calls come from the training thread. */
public interface FineTuneListener {
  /** A listener that ignores everything. */
  FineTuneListener NONE = new FineTuneListener() {};

  /**
   * {@code done} of the run's {@code total} training steps are done (a resumed run starts past 0).
   */
  default void steps(int done, int total) {}

  /** An epoch ended and its checkpoint, if any, was saved. */
  default void epoch(EpochMetrics metrics) {}
}
