package dev.ferry.models.encoder;

/**
 * Counters an encoder keeps since it was opened; subtract two snapshots to measure a span.
 *
 * @param texts texts embedded
 * @param batches model batches run
 * @param tokens real tokens (special tokens included, padding excluded)
 * @param paddedTokens tokens the model processed, padding included
 * @param tokenizeNanos time spent tokenizing, summed over calling threads
 * @param inferenceNanos time spent inside ONNX Runtime, summed over calling threads
 * @param poolNanos time spent pooling and normalizing, summed over calling threads
 */
public record EncoderStats(
    long texts,
    long batches,
    long tokens,
    long paddedTokens,
    long tokenizeNanos,
    long inferenceNanos,
    long poolNanos) {

  /** The counts accumulated between {@code earlier} and this snapshot. */
  public EncoderStats since(EncoderStats earlier) {
    return new EncoderStats(
        texts - earlier.texts,
        batches - earlier.batches,
        tokens - earlier.tokens,
        paddedTokens - earlier.paddedTokens,
        tokenizeNanos - earlier.tokenizeNanos,
        inferenceNanos - earlier.inferenceNanos,
        poolNanos - earlier.poolNanos);
  }

  /** Share of processed tokens that were padding, 0 to 1. */
  public double paddingFraction() {
    return paddedTokens == 0 ? 0 : 1.0 - (double) tokens / paddedTokens;
  }
}
