package dev.ferry.trainer.head;

/**
 * Embeddings with their class ids: what a head trains and is scored on.
 *
 * @param vectors one embedding per example, all the same width
 * @param labels the class id of each example
 */
public record LabeledVectors(float[][] vectors, int[] labels) {
  /** Checks that the two line up. */
  public LabeledVectors {
    if (vectors.length != labels.length) {
      throw new IllegalArgumentException(vectors.length + " vectors but " + labels.length + " labels");
    }
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }
}
