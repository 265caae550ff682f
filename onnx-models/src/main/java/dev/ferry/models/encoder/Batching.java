package dev.ferry.models.encoder;

/** How texts are grouped into model batches. */
public enum Batching {
  /**
   * The default: texts are sorted by token count and cut into batches of similar length, each
   * padded only to its own longest text, under a budget of padded tokens per batch. Results are
   * returned in input order.
   */
  LENGTH_BUCKETED,
  /**
   * Texts in input order, every batch padded to the model's maximum length. Slow on mixed lengths;
   * kept as the baseline that benchmarks compare against.
   */
  PAD_TO_MAX_LENGTH
}
