package dev.ferry.trainer.finetune;

import dev.ferry.trainer.NamedChoice;

/** Where fine-tuning's linear head starts. */
public enum HeadStart implements NamedChoice {
  /**
   * From a linear probe: a linear head fitted, as feature extraction fits one, on the untrained
   * encoder's reading of the training examples (LP-FT), so the first steps refine features that a
   * fitting head already reads.
   */
  PROBE,
  /** From random (Xavier-uniform) weights. */
  RANDOM;

  /** The start named {@code id}; the error lists the names. */
  public static HeadStart fromId(String id) {
    return NamedChoice.fromId(HeadStart.class, "head start", id);
  }
}
