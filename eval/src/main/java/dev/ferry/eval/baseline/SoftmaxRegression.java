package dev.ferry.eval.baseline;

import dev.ferry.autodiff.Lbfgs;
import dev.ferry.eval.baseline.BagOfWords.SparseVector;

/**
 * Multinomial logistic regression on sparse inputs: class scores z = W x + b, probabilities
 * softmax(z). Trained by minimizing
 *
 * <pre>
 *   L(W, b) = (1/n) sum_i w_i (log sum_c exp(z_ic) - z_i,y_i) + (l2/2) ||W||^2
 * </pre>
 *
 * with {@link Lbfgs} from zero, so training is deterministic. The bias is not regularized.
 * Parameters are laid out as W row by row (class by class), then b.
 */
final class SoftmaxRegression {

  /** The training problem: inputs, classes, per-example weights and the L2 strength. */
  static final class Problem implements Lbfgs.Objective {
    final SparseVector[] x;
    final int[] y;
    final double[] weight;
    final int classes;
    final int features;
    final double l2;

    Problem(SparseVector[] x, int[] y, double[] weight, int classes, int features, double l2) {
      if (x.length != y.length || x.length != weight.length) {
        throw new IllegalArgumentException("inputs, classes and weights differ in length");
      }
      if (x.length == 0) {
        throw new IllegalArgumentException("no training examples");
      }
      if (!(l2 >= 0)) {
        throw new IllegalArgumentException("l2 must be non-negative: " + l2);
      }
      for (int i = 0; i < x.length; i++) {
        int size = x[i].size();
        if (size > 0 && (x[i].indices()[0] < 0 || x[i].indices()[size - 1] >= features)) {
          throw new IllegalArgumentException(
              "example " + i + " has a feature outside 0.." + (features - 1));
        }
        if (y[i] < 0 || y[i] >= classes) {
          throw new IllegalArgumentException(
              "example " + i + " has class " + y[i] + " outside 0.." + (classes - 1));
        }
      }
      this.x = x;
      this.y = y;
      this.weight = weight;
      this.classes = classes;
      this.features = features;
      this.l2 = l2;
    }

    int parameters() {
      return classes * (features + 1);
    }

    @Override
    public double evaluate(double[] theta, double[] gradient) {
      int k = classes;
      int d = features;
      int biasAt = k * d;
      double n = x.length;
      java.util.Arrays.fill(gradient, 0);
      double loss = 0;
      double[] z = new double[k];
      for (int i = 0; i < x.length; i++) {
        int[] idx = x[i].indices();
        float[] val = x[i].values();
        scores(theta, k, d, idx, val, z);
        double logNorm = logSumExp(z);
        double w = weight[i] / n;
        loss += w * (logNorm - z[y[i]]);
        for (int c = 0; c < k; c++) {
          double r = w * (Math.exp(z[c] - logNorm) - (c == y[i] ? 1 : 0));
          int row = c * d;
          for (int j = 0; j < idx.length; j++) {
            gradient[row + idx[j]] += r * val[j];
          }
          gradient[biasAt + c] += r;
        }
      }
      double squares = 0;
      for (int p = 0; p < biasAt; p++) {
        squares += theta[p] * theta[p];
        gradient[p] += l2 * theta[p];
      }
      return loss + 0.5 * l2 * squares;
    }
  }

  private final int classes;
  private final int features;
  private final double[] theta;
  private final int iterations;
  private final boolean converged;

  private SoftmaxRegression(int classes, int features, Lbfgs.Result result) {
    this.classes = classes;
    this.features = features;
    this.theta = result.x();
    this.iterations = result.iterations();
    this.converged = result.converged();
  }

  /**
   * Trains on a problem.
   *
   * @param tolerance stop when no gradient component exceeds this in absolute value (or a step
   *     lowers the loss by less than 1e-12 of it)
   */
  static SoftmaxRegression train(Problem problem, int maxIterations, double tolerance) {
    Lbfgs.Result result =
        Lbfgs.minimize(problem, new double[problem.parameters()], maxIterations, tolerance, 1e-12);
    return new SoftmaxRegression(problem.classes, problem.features, result);
  }

  /** Class probabilities of one input. */
  double[] probabilities(SparseVector input) {
    double[] z = new double[classes];
    scores(theta, classes, features, input.indices(), input.values(), z);
    double logNorm = logSumExp(z);
    for (int c = 0; c < classes; c++) {
      z[c] = Math.exp(z[c] - logNorm);
    }
    return z;
  }

  int iterations() {
    return iterations;
  }

  boolean converged() {
    return converged;
  }

  private static void scores(double[] theta, int k, int d, int[] idx, float[] val, double[] z) {
    for (int c = 0; c < k; c++) {
      int row = c * d;
      double sum = theta[k * d + c];
      for (int j = 0; j < idx.length; j++) {
        sum += theta[row + idx[j]] * val[j];
      }
      z[c] = sum;
    }
  }

  static double logSumExp(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (double v : z) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }
}
