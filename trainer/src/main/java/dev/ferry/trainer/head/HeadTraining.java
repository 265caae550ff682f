package dev.ferry.trainer.head;

import dev.ferry.models.graph.HostTensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * The pieces that every gradient-trained classifier in the trainer shares — heads on embeddings
 * ({@link HeadTrainer}) and fine-tuning ({@code finetune.FineTuner}): class weights, the
 * weighted cross-entropy target, shuffling, the cross-entropy of predicted probabilities, and the
 * linear head's inference graph (what {@code head.onnx} holds).
 */
public final class HeadTraining {
  private HeadTraining() {}

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
   * The cross-entropy target of a batch: per example and class, its share of the batch loss
   * (one-hot × class weight / the batch's total weight), float [rows, classes].
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

  /** Shuffles in place (Fisher-Yates) with the run's random source, so a seed replays the order. */
  public static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Mean of −log p(true class), with p floored at 1e-12; NaN for no examples. */
  public static double crossEntropy(float[][] probabilities, int[] labels) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      sum -= Math.log(Math.max(1e-12, probabilities[i][labels[i]]));
    }
    return labels.length == 0 ? Double.NaN : sum / labels.length;
  }

  /** Share of rows whose most probable class is the label. */
  public static double accuracy(float[][] probabilities, int[] labels) {
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (argMax(probabilities[i]) == labels[i]) {
        correct++;
      }
    }
    return (double) correct / labels.length;
  }

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

  /**
   * A linear head's inference graph with its values baked in: embedding float [batch, dimension]
   * → softmax probabilities float [batch, classes], the contract of a bundle's {@code head.onnx}.
   *
   * @param weight float [dimension × classes], row-major
   * @param bias float [classes]
   */
  public static byte[] linearHead(float[] weight, float[] bias, int dimension, int classes) {
    if (weight.length != dimension * classes || bias.length != classes) {
      throw new IllegalArgumentException("a linear head of " + dimension + " inputs and " + classes
          + " classes needs " + dimension * classes + " weights and " + classes + " biases, got "
          + weight.length + " and " + bias.length);
    }
    return HeadGraphs.inference(new HeadGraphs.Shape(HeadKind.LINEAR, dimension, 1, classes),
        Map.of("output.weight", weight, "output.bias", bias));
  }
}
