package dev.ferry.models.bundle;

import java.util.List;

/**
 * A classifier's answer for one text: the most probable label, its probability, and every label's
 * probability.
 *
 * @param label the arg-max label
 * @param confidence its probability
 * @param labels every label, in the bundle's order
 * @param probabilities one per label, summing to 1
 */
public record Prediction(
    String label, float confidence, List<String> labels, float[] probabilities) {

  /** The prediction from one row of probabilities. */
  public static Prediction of(List<String> labels, float[] probabilities) {
    int best = 0;
    for (int c = 1; c < probabilities.length; c++) {
      if (probabilities[c] > probabilities[best]) {
        best = c;
      }
    }
    return new Prediction(labels.get(best), probabilities[best], labels, probabilities.clone());
  }

  /** The probability of {@code label}. */
  public float probability(String label) {
    int i = labels.indexOf(label);
    if (i < 0) {
      throw new IllegalArgumentException("unknown label '" + label + "'; labels are " + labels);
    }
    return probabilities[i];
  }

  /**
   * Readable: {@code corn 0.912 (corn 0.912, grain 0.071, other 0.017)}, labels by probability,
   * most first.
   */
  @Override
  public String toString() {
    Integer[] order = new Integer[probabilities.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
    StringBuilder s =
        new StringBuilder(label)
            .append(String.format(java.util.Locale.ROOT, " %.3f (", confidence));
    for (int k = 0; k < order.length; k++) {
      s.append(k > 0 ? ", " : "")
          .append(labels.get(order[k]))
          .append(String.format(java.util.Locale.ROOT, " %.3f", probabilities[order[k]]));
    }
    return s.append(')').toString();
  }

  /** The index of the predicted label. */
  public int labelIndex() {
    return labels.indexOf(label);
  }
}
