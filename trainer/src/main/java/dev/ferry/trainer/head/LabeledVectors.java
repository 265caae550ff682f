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
      throw new IllegalArgumentException(
          vectors.length + " vectors but " + labels.length + " labels");
    }
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }

  /** These examples followed by {@code more}. */
  public LabeledVectors concat(LabeledVectors more) {
    float[][] v = new float[size() + more.size()][];
    int[] y = new int[v.length];
    System.arraycopy(vectors, 0, v, 0, size());
    System.arraycopy(more.vectors, 0, v, size(), more.size());
    System.arraycopy(labels, 0, y, 0, size());
    System.arraycopy(more.labels, 0, y, size(), more.size());
    return new LabeledVectors(v, y);
  }
}
