package dev.ferry.trainer.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Standard classification metrics for one labeled set: accuracy, macro-F1, per-class precision,
 * recall and F1, the confusion matrix, and the expected calibration error of the confidences.
 *
 * <p>Classes are indexed by their position in {@link #labels()}. A class with no predictions has
 * precision 0, a class with no examples has recall 0 (and does not count in macro-F1 when it has
 * neither examples nor predictions, so an absent class cannot pull the average down).
 *
 * @param labels class names, index = class id
 * @param examples number of examples scored
 * @param accuracy fraction predicted correctly ({@code NaN} for no examples: there is no score)
 * @param macroF1 unweighted mean of the per-class F1 over classes that occur in truth or
 *     predictions ({@code NaN} for no examples)
 * @param perClass one entry per label, in label order
 * @param confusion {@code confusion[truth][predicted]} counts
 * @param expectedCalibrationError ECE over {@link #CALIBRATION_BINS} equal-width confidence bins
 *     ({@code NaN} for no examples)
 */
public record ClassificationMetrics(
    List<String> labels,
    int examples,
    double accuracy,
    double macroF1,
    List<ClassMetrics> perClass,
    int[][] confusion,
    double expectedCalibrationError) {

  /** Number of equal-width confidence bins for the expected calibration error. */
  public static final int CALIBRATION_BINS = 10;

  /**
   * Metrics of one class.
   *
   * @param label the class name
   * @param precision correct predictions of this class / predictions of this class
   * @param recall correct predictions of this class / examples of this class
   * @param f1 harmonic mean of precision and recall (0 when both are 0)
   * @param support examples of this class in the truth
   */
  public record ClassMetrics(
      String label, double precision, double recall, double f1, int support) {}

  /**
   * Computes every metric.
   *
   * @param labels class names
   * @param truth true class id per example
   * @param probabilities per-example class probabilities ({@code labels.size()} each); the
   *     prediction is the arg-max and the confidence its probability
   */
  public static ClassificationMetrics compute(
      List<String> labels, int[] truth, float[][] probabilities) {
    Objects.requireNonNull(labels, "labels");
    if (truth.length != probabilities.length) {
      throw new IllegalArgumentException(
          "truth has " + truth.length + " examples but probabilities has " + probabilities.length);
    }
    int classes = labels.size();
    int[] predicted = new int[truth.length];
    double[] confidence = new double[truth.length];
    for (int i = 0; i < truth.length; i++) {
      float[] p = probabilities[i];
      if (p.length != classes) {
        throw new IllegalArgumentException(
            "example " + i + " has " + p.length + " probabilities; expected " + classes);
      }
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      predicted[i] = best;
      confidence[i] = p[best];
    }
    return compute(labels, truth, predicted, confidence);
  }

  /**
   * Computes every metric from hard predictions and their confidences.
   *
   * @param confidence the probability the model gave its prediction, or {@code null} when it has
   *     none (the calibration error is then {@code NaN})
   */
  public static ClassificationMetrics compute(
      List<String> labels, int[] truth, int[] predicted, double[] confidence) {
    int classes = labels.size();
    int n = truth.length;
    if (predicted.length != n || (confidence != null && confidence.length != n)) {
      throw new IllegalArgumentException("truth, predictions and confidences differ in length");
    }
    int[][] confusion = new int[classes][classes];
    int correct = 0;
    for (int i = 0; i < n; i++) {
      if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
        throw new IllegalArgumentException(
            "example " + i + ": class id out of range 0.." + (classes - 1));
      }
      confusion[truth[i]][predicted[i]]++;
      if (truth[i] == predicted[i]) {
        correct++;
      }
    }
    List<ClassMetrics> perClass = new ArrayList<>(classes);
    double f1Sum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      int tp = confusion[c][c];
      int support = 0;
      int predictedAs = 0;
      for (int k = 0; k < classes; k++) {
        support += confusion[c][k];
        predictedAs += confusion[k][c];
      }
      double precision = predictedAs == 0 ? 0 : (double) tp / predictedAs;
      double recall = support == 0 ? 0 : (double) tp / support;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      perClass.add(new ClassMetrics(labels.get(c), precision, recall, f1, support));
      if (support > 0 || predictedAs > 0) {
        f1Sum += f1;
        present++;
      }
    }
    double ece = confidence == null ? Double.NaN : calibrationError(truth, predicted, confidence);
    return new ClassificationMetrics(
        List.copyOf(labels),
        n,
        n == 0 ? Double.NaN : (double) correct / n,
        present == 0 ? Double.NaN : f1Sum / present,
        List.copyOf(perClass),
        confusion,
        ece);
  }

  /** ECE: sum over bins of (bin size / n) × |accuracy in bin − mean confidence in bin|. */
  private static double calibrationError(int[] truth, int[] predicted, double[] confidence) {
    int n = truth.length;
    if (n == 0) {
      return Double.NaN;
    }
    double[] confidenceSum = new double[CALIBRATION_BINS];
    int[] correct = new int[CALIBRATION_BINS];
    int[] count = new int[CALIBRATION_BINS];
    for (int i = 0; i < n; i++) {
      int bin = Math.min(CALIBRATION_BINS - 1, (int) (confidence[i] * CALIBRATION_BINS));
      bin = Math.max(0, bin);
      confidenceSum[bin] += confidence[i];
      count[bin]++;
      if (truth[i] == predicted[i]) {
        correct[bin]++;
      }
    }
    double ece = 0;
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      if (count[b] > 0) {
        ece +=
            Math.abs((double) correct[b] / count[b] - confidenceSum[b] / count[b]) * count[b] / n;
      }
    }
    return ece;
  }

  /** Index of a label, or -1. */
  public int labelIndex(String label) {
    return labels.indexOf(label);
  }

  /**
   * The labels that neither occur in the scored examples nor were predicted: {@link #macroF1()}
   * leaves them out, so a macro-F1 of 1.0 may cover fewer classes than the classifier has. Say so
   * wherever the macro-F1 is shown.
   */
  public List<String> unscoredClasses() {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < labels.size(); c++) {
      int seen = 0;
      for (int k = 0; k < labels.size(); k++) {
        seen += confusion[c][k] + confusion[k][c];
      }
      if (seen == 0) {
        out.add(labels.get(c));
      }
    }
    return out;
  }

  /** The labels with no example among those scored (some may still have been predicted). */
  public List<String> classesWithoutExamples() {
    List<String> out = new ArrayList<>();
    for (ClassMetrics c : perClass) {
      if (c.support() == 0) {
        out.add(c.label());
      }
    }
    return out;
  }

  /**
   * What the macro-F1 covers when some class has no example here: {@code " (over 2 of 3 classes; no
   * examples of corn)"} (a class without examples that was predicted counts, with F1 0), else the
   * empty string.
   */
  public String macroF1Coverage() {
    List<String> without = classesWithoutExamples();
    if (without.isEmpty() || examples == 0) {
      return "";
    }
    return " (over "
        + (labels.size() - unscoredClasses().size())
        + " of "
        + labels.size()
        + " classes; no examples of "
        + String.join(", ", without)
        + ")";
  }
}
