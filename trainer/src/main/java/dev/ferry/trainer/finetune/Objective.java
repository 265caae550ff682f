package dev.ferry.trainer.finetune;

import dev.ferry.trainer.NamedChoice;

/**
 * What a fine-tuning step minimizes: a linear head's cross-entropy ({@code --mode finetune}, {@code
 * lora}), or a contrastive loss over the similarities of a batch's texts, which moves texts of the
 * same label together and the others apart ({@code --mode contrastive}, after SetFit; the head is
 * then fitted on the tuned encoder's vectors).
 */
public enum Objective implements NamedChoice {
  /** A linear head on what the bundle reads, and its class-weighted cross-entropy. */
  CLASSIFIER,
  /**
   * SetFit's loss, in one pass: over every pair of texts in the batch, the squared difference of
   * their cosine similarity from 1 (same label) or 0 (different labels), positive and negative
   * pairs weighing half each.
   */
  COSINE_PAIRS,
  /**
   * Supervised contrastive loss (Khosla et al. 2020): per text, minus the mean log-probability of
   * the texts with its label among all others, by softmax over cosine similarities divided by
   * {@link FineTuneSettings#temperature}.
   */
  SUPCON;

  /** The objective named {@code id}; the error lists the names. */
  public static Objective fromId(String id) {
    return NamedChoice.fromId(Objective.class, "objective", id);
  }

  @Override
  public String id() {
    return NamedChoice.super.id().replace('_', '-');
  }

  /** Whether this is one of the contrastive losses (no head in the steps). */
  public boolean contrastive() {
    return this != CLASSIFIER;
  }
}
