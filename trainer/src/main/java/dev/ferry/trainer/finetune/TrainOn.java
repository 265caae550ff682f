package dev.ferry.trainer.finetune;

import dev.ferry.trainer.NamedChoice;

/** What one training example of fine-tuning is: a whole text, or each of its chunks alone. */
public enum TrainOn implements NamedChoice {
  /**
   * Whole texts: each step takes every chunk of {@code batchSize} texts, and the head reads each
   * text's chunk vectors pooled by {@link FineTuneSettings#chunkPooling}, as the bundle will read
   * it; the loss counts each text once.
   */
  DOCUMENTS,
  /**
   * Every chunk alone with its text's label; the bundle's head then reads the token-weighted mean
   * of a document's chunk vectors.
   */
  CHUNKS;

  /** The choice named {@code id}; the error lists the names. */
  public static TrainOn fromId(String id) {
    return NamedChoice.fromId(TrainOn.class, "train-on choice", id);
  }
}
