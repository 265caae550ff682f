package dev.ferry.trainer.head;

import dev.ferry.trainer.loop.CrossEntropy;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Chooses the linear head's regularization from {@link HeadSettings#REGULARIZATION_GRID}. Heads are
 * fitted along the grid, strongest first, each fit starting from the one before, and the value
 * whose head scores best on held-out examples wins: by macro-F1, ties to the lower held-out
 * cross-entropy, then to the stronger regularization. With no held-out examples the held-out scores
 * come from stratified k-fold cross-validation on the training examples (each example scored by the
 * head that did not train on it); when a class has a single example there is nothing to hold out,
 * and {@link HeadSettings#FALLBACK_REGULARIZATION} is used. The chosen head's held-out logits also
 * give its calibration temperature ({@link TemperatureFit}).
 *
 * <p>Sentiment on short snippets wants strong regularization (a head close to the class centroids);
 * question types and keyword-heavy documents want weak. Measured in eval/RESULTS.md.
 */
final class RegularizationSearch {
  /** Folds of the cross-validation when there are no held-out examples. */
  static final int FOLDS = 5;

  private RegularizationSearch() {}

  /**
   * What each grid value scored on the held-out examples, and the chosen one.
   *
   * @param temperature the {@link TemperatureFit} of the chosen head's held-out logits
   * @param fitted the parameters fitted on all of {@code train} at the chosen regularization, when
   *     the search fitted them (held-out examples given), else null
   */
  record Choice(
      double regularization,
      double[] heldOutF1,
      double[] heldOutLoss,
      double temperature,
      double[] fitted) {}

  /**
   * Chooses for a head trained on {@code train}.
   *
   * @param valid the held-out examples, or null (or empty) to cross-validate on {@code train}
   * @param balance whether classes are weighted alike, as the head will be
   * @param seed shuffles the folds
   */
  static Choice choose(
      LabeledVectors train, LabeledVectors valid, int classes, boolean balance, long seed) {
    double[] grid = HeadSettings.REGULARIZATION_GRID;
    double[][][] heldOut = new double[grid.length][][];
    double[][] thetas = null;
    int[] truth;
    if (valid != null && valid.size() > 0) {
      truth = valid.labels();
      thetas = path(train, valid.vectors(), classes, balance, heldOut);
    } else {
      int[] fold = folds(train.labels(), classes, seed);
      int folds = Arrays.stream(fold).max().orElse(-1) + 1;
      if (folds < 2) {
        return new Choice(
            HeadSettings.FALLBACK_REGULARIZATION, new double[0], new double[0], 1, null);
      }
      truth = train.labels();
      for (int g = 0; g < grid.length; g++) {
        heldOut[g] = new double[train.size()][];
      }
      for (int f = 0; f < folds; f++) {
        int current = f;
        int[] in = IntStream.range(0, fold.length).filter(i -> fold[i] != current).toArray();
        int[] out = IntStream.range(0, fold.length).filter(i -> fold[i] == current).toArray();
        double[][][] scored = new double[grid.length][][];
        path(select(train, in), select(train, out).vectors(), classes, balance, scored);
        for (int g = 0; g < grid.length; g++) {
          for (int r = 0; r < out.length; r++) {
            heldOut[g][out[r]] = scored[g][r];
          }
        }
      }
    }
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    double[] f1 = new double[grid.length];
    double[] loss = new double[grid.length];
    int best = 0;
    for (int g = 0; g < grid.length; g++) {
      float[][] p = softmax(heldOut[g]);
      f1[g] = ClassificationMetrics.compute(names, truth, p).macroF1();
      loss[g] = CrossEntropy.mean(p, truth);
      if (f1[g] > f1[best] || (f1[g] == f1[best] && loss[g] < loss[best])) {
        best = g;
      }
    }
    return new Choice(
        grid[best],
        f1,
        loss,
        TemperatureFit.fit(heldOut[best], truth),
        thetas == null ? null : thetas[best]);
  }

  /**
   * Fits along the grid on {@code train} and puts each head's logits of {@code heldOut} in {@code
   * scored}; returns each head's parameters.
   */
  private static double[][] path(
      LabeledVectors train, float[][] heldOut, int classes, boolean balance, double[][][] scored) {
    double[][] thetas = new double[HeadSettings.REGULARIZATION_GRID.length][];
    try (LinearHeadFit fit = new LinearHeadFit(train, classes, balance)) {
      double[] theta = new double[fit.parameters()];
      for (int g = 0; g < thetas.length; g++) {
        theta = fit.fit(HeadSettings.REGULARIZATION_GRID[g], theta);
        thetas[g] = theta;
        scored[g] = logits(theta, heldOut, classes);
      }
    }
    return thetas;
  }

  /** x · W + b for each row, with {@code theta} laid out as {@link LinearHeadFit} does. */
  static double[][] logits(double[] theta, float[][] vectors, int classes) {
    double[][] out = new double[vectors.length][classes];
    for (int i = 0; i < vectors.length; i++) {
      float[] x = vectors[i];
      double[] z = out[i];
      System.arraycopy(theta, x.length * classes, z, 0, classes);
      for (int k = 0; k < x.length; k++) {
        int row = k * classes;
        for (int c = 0; c < classes; c++) {
          z[c] += x[k] * theta[row + c];
        }
      }
    }
    return out;
  }

  /** softmax(x · W + b) for each row. */
  static float[][] probabilities(double[] theta, float[][] vectors, int classes) {
    return softmax(logits(theta, vectors, classes));
  }

  private static float[][] softmax(double[][] logits) {
    float[][] out = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      double[] z = logits[i];
      double max = Arrays.stream(z).max().orElse(0);
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - max);
      }
      out[i] = new float[z.length];
      for (int c = 0; c < z.length; c++) {
        out[i][c] = (float) (Math.exp(z[c] - max) / sum);
      }
    }
    return out;
  }

  /**
   * Stratified folds: each class's examples shuffled (seeded) and dealt out in turn, over as many
   * folds as the smallest class has examples, at most {@link #FOLDS}.
   */
  static int[] folds(int[] labels, int classes, long seed) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    int smallest = byClass.stream().mapToInt(List::size).filter(n -> n > 0).min().orElse(0);
    int folds = Math.min(FOLDS, smallest);
    int[] fold = new int[labels.length];
    Random random = new Random(seed);
    for (List<Integer> members : byClass) {
      java.util.Collections.shuffle(members, random);
      for (int r = 0; r < members.size(); r++) {
        fold[members.get(r)] = folds < 2 ? 0 : r % folds;
      }
    }
    return fold;
  }

  private static LabeledVectors select(LabeledVectors data, int[] rows) {
    float[][] v = new float[rows.length][];
    int[] y = new int[rows.length];
    for (int r = 0; r < rows.length; r++) {
      v[r] = data.vectors()[rows[r]];
      y[r] = data.labels()[rows[r]];
    }
    return new LabeledVectors(v, y);
  }
}
