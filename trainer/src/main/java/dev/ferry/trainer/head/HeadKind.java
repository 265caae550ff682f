package dev.ferry.trainer.head;

import dev.ferry.trainer.NamedChoice;

/** The classifier heads Ferry trains on frozen embeddings. */
public enum HeadKind implements NamedChoice {
  /**
   * Softmax regression: one linear layer, fitted exactly at a regularization chosen on held-out
   * examples. The default: strong, fast, hard to overfit.
   */
  LINEAR,
  /**
   * One hidden ReLU layer with dropout, then a linear layer: for larger sets with curved
   * boundaries.
   */
  MLP,
  /**
   * Nearest centroid: cosine similarity to each class's mean embedding, with a fitted temperature.
   * No gradient training at all, so it suits a handful of examples per class.
   */
  CENTROID;

  /** Parses an id, listing the valid ones when it is unknown. */
  public static HeadKind fromId(String id) {
    return NamedChoice.fromId(HeadKind.class, "head", id);
  }

  @Override
  public String toString() {
    return id();
  }
}
