package dev.ferry.trainer.report;

import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Realistic report contents for the tests, and a main that writes them for a look in a browser. */
final class ReportFixtures {
  private ReportFixtures() {}

  /** Writes the example reports under {@code args[0]}, one folder each. */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "target/report-examples");
    TrainingReport.write(root.resolve("grain-3"), threeClass());
    TrainingReport.write(root.resolve("spam-2"), twoClass());
    TrainingReport.write(root.resolve("topics-25"), manyClasses(25));
    TrainingReport.write(root.resolve("centroid"), noHistoryNoValidation());
    TrainingReport.write(root.resolve("no-validation"), historyWithoutValidation());
    double[] sizes = {25, 50, 100, 200, 400, 800, 1600};
    Charts.writeLineChart(
        root,
        "learning-curve",
        "Learning curve",
        "training examples per class",
        "macro-F1",
        List.of(
            new Charts.Series(
                "linear head",
                sizes,
                new double[] {0.52, 0.63, 0.72, 0.79, 0.84, 0.87, 0.885},
                new double[] {0.06, 0.05, 0.035, 0.025, 0.02, 0.012, 0.01}),
            new Charts.Series(
                "nearest centroid",
                sizes,
                new double[] {0.55, 0.62, 0.67, 0.70, 0.72, 0.73, 0.735},
                new double[] {0.05, 0.04, 0.03, 0.02, 0.015, 0.01, 0.01})),
        Charts.Options.DEFAULT.withUnitInterval().withLogX());
  }

  /** grain / corn / other, 20 epochs, best epoch 12, two notes about the data. */
  static TrainingReport.ReportContent threeClass() {
    List<String> labels = List.of("grain", "corn", "other");
    int[][] confusion = {
      {104, 9, 7},
      {8, 34, 3},
      {5, 2, 293},
    };
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("encoder", "all-minilm-l6-v2 (384 dimensions, mean pooling)");
    facts.put("head", "linear (softmax), class-weighted cross-entropy");
    facts.put("examples", "1,860 train · 465 validation (stratified 80/20, seed 42)");
    facts.put("labels", "grain, corn, other");
    facts.put(
        "hyperparameters",
        "learning rate 0.001 · batch 32 · weight decay 0.0001 · max 20 epochs · patience 8");
    facts.put("training time", "14.2 s on CPU (embedding 11.8 s, cached)");
    return new TrainingReport.ReportContent(
        "reuters-grain",
        facts,
        curves(20, 12, 0.93),
        12,
        metrics(labels, confusion, 7),
        List.of(
            "14 texts appear twice with the same label; each was kept once.",
            "3 texts appear with two different labels (grain and corn); they were left out."));
  }

  /** spam / ham, 15 epochs, best epoch 9, no notes. */
  static TrainingReport.ReportContent twoClass() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("encoder", "bge-small-en-v1.5-q");
    facts.put("head", "linear (softmax)");
    facts.put("examples", "800 train · 200 validation");
    facts.put("labels", "spam, ham");
    facts.put("hyperparameters", "learning rate 0.002 · batch 16 · max 15 epochs");
    int[][] confusion = {
      {88, 6},
      {4, 102},
    };
    return new TrainingReport.ReportContent(
        "sms-spam",
        facts,
        curves(15, 9, 0.955),
        9,
        metrics(List.of("spam", "ham"), confusion, 11),
        List.of());
  }

  /** {@code k} topic classes with a mostly diagonal confusion matrix, 25 epochs. */
  static TrainingReport.ReportContent manyClasses(int k) {
    Random random = new Random(3);
    List<String> labels = new ArrayList<>();
    String[] words = {
      "acquisitions",
      "earnings",
      "money-fx",
      "crude",
      "trade",
      "interest",
      "ship",
      "sugar",
      "coffee",
      "gold",
      "money-supply",
      "gnp",
      "cpi",
      "cocoa",
      "jobs",
      "copper",
      "reserves",
      "rubber",
      "iron-steel",
      "alum",
      "nat-gas",
      "veg-oil",
      "livestock",
      "orange",
      "housing",
      "tin",
      "zinc",
      "lead",
      "wpi",
      "retail"
    };
    for (int i = 0; i < k; i++) {
      labels.add(i < words.length ? words[i] : "topic-" + i);
    }
    labels.set(k - 1, "<b>&\"x\"");
    int[][] confusion = new int[k][k];
    for (int t = 0; t < k; t++) {
      int support = 20 + random.nextInt(180);
      for (int n = 0; n < support; n++) {
        int p = random.nextDouble() < 0.86 ? t : random.nextInt(k);
        confusion[t][p]++;
      }
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("encoder", "bge-small-en-v1.5");
    facts.put("head", "mlp (1 hidden layer of 256)");
    facts.put("labels", k + " topics");
    return new TrainingReport.ReportContent(
        "reuters-topics",
        facts,
        curves(25, 18, 0.86),
        18,
        metrics(labels, confusion, 5),
        List.of());
  }

  /** A linear head trained on every example: epochs, but no validation numbers. */
  static TrainingReport.ReportContent historyWithoutValidation() {
    List<EpochMetrics> history = new ArrayList<>();
    for (EpochMetrics m : curves(10, 10, 0.9)) {
      history.add(
          new EpochMetrics(
              m.epoch(), m.trainLoss(), m.trainAccuracy(), Double.NaN, Double.NaN, Double.NaN));
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("encoder", "all-minilm-l6-v2");
    facts.put("head", "linear (softmax)");
    facts.put("examples", "96 (all used for training)");
    return new TrainingReport.ReportContent("small-linear", facts, history, 0, null, List.of());
  }

  /** A nearest-centroid head: no epochs, no held-out set. */
  static TrainingReport.ReportContent noHistoryNoValidation() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("encoder", "all-minilm-l6-v2");
    facts.put("head", "nearest centroid");
    facts.put("examples", "42");
    return new TrainingReport.ReportContent(
        "tiny-centroid",
        facts,
        List.of(),
        0,
        null,
        List.of("Only 42 examples: too few to hold any out for validation."));
  }

  /**
   * Plausible curves: train loss keeps falling, validation loss bottoms out at {@code best} and
   * creeps up after, validation accuracy peaks near {@code peak}.
   */
  static List<EpochMetrics> curves(int epochs, int best, double peak) {
    Random random = new Random(epochs * 31L + best);
    List<EpochMetrics> out = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      double t = (e - 1.0) / (epochs - 1.0);
      double toBest = (e - 1.0) / (best - 1.0);
      int after = Math.max(0, e - best);
      double trainLoss = 0.09 + 0.98 * Math.exp(-4.2 * t) + 0.006 * random.nextGaussian();
      double validLoss =
          0.30
              + 0.72 * Math.exp(-3.2 * Math.min(1, toBest))
              + 0.01 * after
              + 0.0015 * after * after
              + 0.003 * random.nextGaussian();
      double trainAcc =
          Math.min(0.995, 0.99 - 0.45 * Math.exp(-4.0 * t) + 0.004 * random.nextGaussian());
      double validAcc =
          peak
              - 0.33 * Math.exp(-4.0 * Math.min(1, toBest))
              - 0.003 * after
              + 0.003 * random.nextGaussian();
      double validF1 = validAcc - 0.02 - 0.05 * Math.exp(-3.0 * t) + 0.003 * random.nextGaussian();
      out.add(new EpochMetrics(e, trainLoss, trainAcc, validLoss, validAcc, validF1));
    }
    return out;
  }

  /** Metrics whose confusion matrix is {@code confusion}, with confidences a little too high. */
  static ClassificationMetrics metrics(List<String> labels, int[][] confusion, long seed) {
    Random random = new Random(seed);
    List<Integer> truth = new ArrayList<>();
    List<Integer> predicted = new ArrayList<>();
    for (int t = 0; t < confusion.length; t++) {
      for (int p = 0; p < confusion.length; p++) {
        for (int n = 0; n < confusion[t][p]; n++) {
          truth.add(t);
          predicted.add(p);
        }
      }
    }
    double[] confidence = new double[truth.size()];
    for (int i = 0; i < confidence.length; i++) {
      double base = truth.get(i).equals(predicted.get(i)) ? 0.93 : 0.68;
      confidence[i] = Math.max(0.34, Math.min(0.999, base + 0.08 * random.nextGaussian()));
    }
    return ClassificationMetrics.compute(
        labels,
        truth.stream().mapToInt(Integer::intValue).toArray(),
        predicted.stream().mapToInt(Integer::intValue).toArray(),
        confidence);
  }
}
