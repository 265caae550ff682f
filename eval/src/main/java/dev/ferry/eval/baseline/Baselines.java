package dev.ferry.eval.baseline;

import dev.ferry.models.data.BadLine;
import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs the bag-of-words baselines: evaluation on a train/test split, labeled JSONL reading, and
 * reproducible stratified samples.
 *
 * <p>{@link #main} prints the baselines' numbers on {@code ../shared/data} (or the folder given as
 * the first argument, or property {@code ferry.shared.data}).
 */
public final class Baselines {

  private Baselines() {}

  /**
   * Labeled texts, parallel lists.
   *
   * @param texts the texts
   * @param labels the label of each text
   */
  public record LabeledTexts(List<String> texts, List<String> labels) {
    public LabeledTexts {
      if (texts.size() != labels.size()) {
        throw new IllegalArgumentException(
            texts.size() + " texts but " + labels.size() + " labels");
      }
      texts = List.copyOf(texts);
      labels = List.copyOf(labels);
    }

    public int size() {
      return texts.size();
    }

    /** The texts at these positions, in this order. */
    public LabeledTexts select(int[] positions) {
      List<String> t = new ArrayList<>(positions.length);
      List<String> l = new ArrayList<>(positions.length);
      for (int p : positions) {
        t.add(texts.get(p));
        l.add(labels.get(p));
      }
      return new LabeledTexts(t, l);
    }
  }

  /**
   * A train/test split.
   *
   * @param train the sample
   * @param test everything else, in the original order
   */
  public record Split(LabeledTexts train, LabeledTexts test) {}

  /**
   * Reads a JSONL file (gzip if it ends in {@code .gz}) whose objects have string fields {@code
   * text} and {@code label}.
   *
   * @throws IOException if the file cannot be read or a line is not such an object
   */
  public static LabeledTexts read(Path file) throws IOException {
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    try (JsonlReader in = JsonlReader.open(file)) {
      for (JsonlLine line = in.next(); line != null; line = in.next()) {
        switch (line) {
          case BadLine bad -> throw new IOException(bad.message());
          case TextRecord r -> {
            var label = r.fields().get("label");
            if (label == null || !label.isTextual()) {
              throw new IOException(
                  file + ":" + r.lineNumber() + ": expected a string field \"label\"");
            }
            texts.add(r.text());
            labels.add(label.textValue());
          }
        }
      }
    }
    return new LabeledTexts(texts, labels);
  }

  /**
   * A stratified random sample of {@code trainSize} texts for training, the rest for testing. Each
   * class gets its share of the sample (largest remainders, ties to the class sorted first), drawn
   * by shuffling its texts with one {@link Random} of {@code seed}, classes in sorted order; both
   * parts keep the original order.
   */
  public static Split stratifiedSplit(LabeledTexts data, int trainSize, long seed) {
    int n = data.size();
    if (trainSize < 0 || trainSize > n) {
      throw new IllegalArgumentException("trainSize " + trainSize + " is outside 0.." + n);
    }
    Map<String, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      byClass.computeIfAbsent(data.labels().get(i), k -> new ArrayList<>()).add(i);
    }
    List<String> classes = new ArrayList<>(byClass.keySet());
    int[] quota = new int[classes.size()];
    double[] remainder = new double[classes.size()];
    int given = 0;
    for (int c = 0; c < classes.size(); c++) {
      double exact = (double) trainSize * byClass.get(classes.get(c)).size() / n;
      quota[c] = (int) Math.floor(exact);
      remainder[c] = exact - quota[c];
      given += quota[c];
    }
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      order.add(c);
    }
    order.sort((a, b) -> Double.compare(remainder[b], remainder[a]));
    for (int t = 0; given < trainSize; t++) {
      quota[order.get(t)]++;
      given++;
    }
    Random random = new Random(seed);
    boolean[] inTrain = new boolean[n];
    for (int c = 0; c < classes.size(); c++) {
      List<Integer> members = new ArrayList<>(byClass.get(classes.get(c)));
      Collections.shuffle(members, random);
      for (int m = 0; m < quota[c]; m++) {
        inTrain[members.get(m)] = true;
      }
    }
    int[] train = new int[trainSize];
    int[] test = new int[n - trainSize];
    int a = 0;
    int b = 0;
    for (int i = 0; i < n; i++) {
      if (inTrain[i]) {
        train[a++] = i;
      } else {
        test[b++] = i;
      }
    }
    return new Split(data.select(train), data.select(test));
  }

  /**
   * Fits {@code baseline} on the training texts and scores its probabilities on the test texts. The
   * metrics' labels are the baseline's ({@link TextClassifierBaseline#labels()}).
   *
   * @throws IllegalArgumentException if a test label never occurs in training
   */
  public static ClassificationMetrics evaluate(
      TextClassifierBaseline baseline,
      List<String> trainTexts,
      List<String> trainLabels,
      List<String> testTexts,
      List<String> testLabels) {
    if (testTexts.size() != testLabels.size()) {
      throw new IllegalArgumentException(
          testTexts.size() + " test texts but " + testLabels.size() + " test labels");
    }
    baseline.fit(trainTexts, trainLabels);
    List<String> labels = baseline.labels();
    int[] truth;
    try {
      truth = classIds(testLabels, labels);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "test set: " + e.getMessage() + " (the baseline was trained on " + labels + ")", e);
    }
    return ClassificationMetrics.compute(labels, truth, baseline.predictProbabilities(testTexts));
  }

  /** {@link #evaluate(TextClassifierBaseline, List, List, List, List)} on a split. */
  public static ClassificationMetrics evaluate(TextClassifierBaseline baseline, Split split) {
    return evaluate(
        baseline,
        split.train().texts(),
        split.train().labels(),
        split.test().texts(),
        split.test().labels());
  }

  /** One line: accuracy, macro-F1, ECE and each class's F1. */
  public static String summary(String name, ClassificationMetrics m) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s: accuracy %.4f, macro-F1 %.4f, ECE %.4f",
                name,
                m.accuracy(),
                m.macroF1(),
                m.expectedCalibrationError()));
    for (ClassificationMetrics.ClassMetrics c : m.perClass()) {
      sb.append(
          String.format(
              Locale.ROOT,
              ", F1[%s] %.4f (P %.3f R %.3f n=%d)",
              c.label(),
              c.f1(),
              c.precision(),
              c.recall(),
              c.support()));
    }
    return sb.toString();
  }

  /** The default baselines: naive Bayes and TF-IDF logistic regression, default settings. */
  public static List<TextClassifierBaseline> defaults() {
    return List.of(new NaiveBayesBaseline(), new TfidfLogisticBaseline());
  }

  /**
   * Prints the default baselines' metrics on Reuters grain (train → test) and SpamAssassin
   * (stratified 500 with seed 1 → the rest).
   */
  public static void main(String[] args) throws IOException {
    Path data =
        Path.of(
            args.length > 0 ? args[0] : System.getProperty("ferry.shared.data", "../shared/data"));
    LabeledTexts train = read(data.resolve("reuters-grain-train.jsonl.gz"));
    LabeledTexts test = read(data.resolve("reuters-grain-test.jsonl.gz"));
    Split spam = stratifiedSplit(read(data.resolve("spamassassin.jsonl.gz")), 500, 1);
    for (TextClassifierBaseline b : defaults()) {
      long start = System.nanoTime();
      ClassificationMetrics m = evaluate(b, new Split(train, test));
      System.out.printf(
          Locale.ROOT,
          "reuters-grain %s (%.2f s)%n",
          summary(b.name(), m),
          (System.nanoTime() - start) / 1e9);
    }
    for (TextClassifierBaseline b : defaults()) {
      long start = System.nanoTime();
      ClassificationMetrics m = evaluate(b, spam);
      System.out.printf(
          Locale.ROOT,
          "spamassassin-500 %s (%.2f s)%n",
          summary(b.name(), m),
          (System.nanoTime() - start) / 1e9);
    }
  }

  // ---- shared by the baselines ----

  static void checkTrainingSet(List<String> texts, List<String> labels) {
    if (texts.size() != labels.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but " + labels.size() + " labels");
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("no training texts");
    }
  }

  /** The distinct labels, sorted. */
  static List<String> sortedLabels(List<String> labels) {
    return List.copyOf(new TreeSet<>(labels));
  }

  /** Each label's position in {@code classes}. */
  static int[] classIds(List<String> labels, List<String> classes) {
    Map<String, Integer> id = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      id.put(classes.get(c), c);
    }
    int[] out = new int[labels.size()];
    for (int i = 0; i < out.length; i++) {
      Integer c = id.get(labels.get(i));
      if (c == null) {
        throw new IllegalArgumentException("unknown label \"" + labels.get(i) + "\" at " + i);
      }
      out[i] = c;
    }
    return out;
  }

  /** exp(z - logsumexp(z)), as floats. */
  static float[] softmax(double[] z) {
    double logNorm = SoftmaxRegression.logSumExp(z);
    float[] p = new float[z.length];
    for (int c = 0; c < z.length; c++) {
      p[c] = (float) Math.exp(z[c] - logNorm);
    }
    return p;
  }
}
