package dev.ferry.eval.baseline;

import dev.ferry.eval.baseline.BagOfWords.SparseVector;
import java.util.List;
import java.util.Objects;

/**
 * Multinomial naive Bayes over term counts, with Lidstone smoothing (Laplace when alpha is 1).
 *
 * <p>For class c with n_c of the n training texts, N_cf occurrences of term f in them and N_c
 * occurrences of all V vocabulary terms, the model is
 *
 * <pre>
 *   log P(c)   = log(n_c / n)
 *   log P(f|c) = log((N_cf + alpha) / (N_c + alpha V))
 *   log P(c, x) = log P(c) + sum_f x_f log P(f|c)
 * </pre>
 *
 * and the class probabilities are the softmax of the log-joint over the classes. Terms outside the
 * vocabulary are ignored. Probabilities on long texts are usually close to 0 or 1: naive Bayes is
 * known to be over-confident.
 */
public final class NaiveBayesBaseline implements TextClassifierBaseline {

  /**
   * Settings.
   *
   * @param bagOfWords how terms are counted
   * @param alpha additive smoothing, &gt; 0 (1 = Laplace)
   */
  public record Options(BagOfWords.Options bagOfWords, double alpha) {
    public Options {
      Objects.requireNonNull(bagOfWords, "bagOfWords");
      if (!(alpha > 0) || Double.isInfinite(alpha)) {
        throw new IllegalArgumentException("alpha must be positive and finite: " + alpha);
      }
    }

    /** Default bag of words, alpha 1. */
    public static Options defaults() {
      return new Options(BagOfWords.Options.defaults(), 1.0);
    }

    public Options withBagOfWords(BagOfWords.Options bagOfWords) {
      return new Options(bagOfWords, alpha);
    }

    public Options withAlpha(double alpha) {
      return new Options(bagOfWords, alpha);
    }
  }

  private final Options options;
  private BagOfWords vocabulary;
  private List<String> labels;
  private double[] logPrior;

  /** {@code logLikelihood[c][f]} = log P(f|c). */
  private double[][] logLikelihood;

  public NaiveBayesBaseline() {
    this(Options.defaults());
  }

  public NaiveBayesBaseline(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String name() {
    return "naive-bayes"
        + (options.bagOfWords().bigrams() ? " 1-2gram" : "")
        + " alpha="
        + options.alpha();
  }

  public Options options() {
    return options;
  }

  @Override
  public void fit(List<String> texts, List<String> labels) {
    Baselines.checkTrainingSet(texts, labels);
    List<String> classes = Baselines.sortedLabels(labels);
    int[] y = Baselines.classIds(labels, classes);
    BagOfWords bow = BagOfWords.fit(texts, options.bagOfWords());
    int k = classes.size();
    int v = bow.size();
    double[][] termCounts = new double[k][v];
    double[] totals = new double[k];
    int[] documents = new int[k];
    for (int i = 0; i < texts.size(); i++) {
      int c = y[i];
      documents[c]++;
      SparseVector x = bow.counts(texts.get(i));
      for (int j = 0; j < x.size(); j++) {
        termCounts[c][x.indices()[j]] += x.values()[j];
        totals[c] += x.values()[j];
      }
    }
    double alpha = options.alpha();
    double[] prior = new double[k];
    double[][] likelihood = new double[k][v];
    for (int c = 0; c < k; c++) {
      prior[c] = Math.log((double) documents[c] / texts.size());
      double denominator = Math.log(totals[c] + alpha * v);
      for (int f = 0; f < v; f++) {
        likelihood[c][f] = Math.log(termCounts[c][f] + alpha) - denominator;
      }
    }
    this.vocabulary = bow;
    this.labels = classes;
    this.logPrior = prior;
    this.logLikelihood = likelihood;
  }

  /** log P(c, x) per class, in label order, for one text. */
  public double[] logJoint(String text) {
    requireFitted();
    SparseVector x = vocabulary.counts(text);
    double[] joint = logPrior.clone();
    for (int c = 0; c < joint.length; c++) {
      double[] row = logLikelihood[c];
      double sum = 0;
      for (int j = 0; j < x.size(); j++) {
        sum += x.values()[j] * row[x.indices()[j]];
      }
      joint[c] += sum;
    }
    return joint;
  }

  @Override
  public float[][] predictProbabilities(List<String> texts) {
    requireFitted();
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Baselines.softmax(logJoint(texts.get(i)));
    }
    return out;
  }

  @Override
  public List<String> labels() {
    requireFitted();
    return labels;
  }

  /** The vocabulary of the last {@link #fit}. */
  public BagOfWords vocabulary() {
    requireFitted();
    return vocabulary;
  }

  private void requireFitted() {
    if (labels == null) {
      throw new IllegalStateException(name() + " is not trained yet; call fit first");
    }
  }
}
