package dev.ferry.trainer.loop;

import dev.ferry.models.graph.HostTensor;
import java.util.Arrays;

/**
 * The class-weighted cross-entropy that both training loops minimize: the class weights, a batch's
 * target, and the loss of predicted probabilities.
 */
public final class CrossEntropy {
  private CrossEntropy() {}

  /** n / (classes × count of the class), or all 1; a class absent from training gets 0 weight. */
  public static double[] classWeights(int[] labels, int classes, boolean balance) {
    double[] w = new double[classes];
    if (!balance) {
      Arrays.fill(w, 1);
      return w;
    }
    int[] counts = new int[classes];
    for (int y : labels) {
      counts[y]++;
    }
    int present = 0;
    for (int c : counts) {
      present += c > 0 ? 1 : 0;
    }
    for (int c = 0; c < classes; c++) {
      w[c] = counts[c] == 0 ? 0 : (double) labels.length / (present * counts[c]);
    }
    return w;
  }

  /**
   * The target of a batch: per example and class, its share of the batch loss (one-hot × class
   * weight / the batch's total weight), float [rows, classes].
   */
  public static HostTensor target(int[] batchLabels, int classes, double[] classWeight) {
    float[] target = new float[batchLabels.length * classes];
    double total = 0;
    for (int y : batchLabels) {
      total += classWeight[y];
    }
    for (int r = 0; r < batchLabels.length; r++) {
      int y = batchLabels[r];
      target[r * classes + y] = (float) (classWeight[y] / total);
    }
    return HostTensor.of(target, batchLabels.length, classes);
  }

  /** Mean of −log p(true class), with p floored at 1e-12; NaN for no examples. */
  public static double mean(float[][] probabilities, int[] labels) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      sum -= Math.log(Math.max(1e-12, probabilities[i][labels[i]]));
    }
    return labels.length == 0 ? Double.NaN : sum / labels.length;
  }
}
