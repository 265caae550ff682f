package dev.ferry.trainer.loop;

/**
 * What the training loops count of their predictions: the most probable class, and how often it is
 * right.
 */
public final class Predictions {
  private Predictions() {}

  /** The index of the largest value (the first of equals). */
  public static int argMax(float[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  /** How many rows' most probable class is their label. */
  public static int correct(float[][] probabilities, int[] labels) {
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (argMax(probabilities[i]) == labels[i]) {
        correct++;
      }
    }
    return correct;
  }

  /** Share of rows whose most probable class is the label. */
  public static double accuracy(float[][] probabilities, int[] labels) {
    return (double) correct(probabilities, labels) / labels.length;
  }
}
