package dev.ferry.trainer.metrics;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One labeled example as a classifier scored it: what error analysis and the report's misclassified
 * examples, reliability diagram and confidence histogram are made of.
 *
 * @param id the example's id, or null when the data has none
 * @param location {@code file:line} of the example
 * @param text the example's text
 * @param truth the true label
 * @param predicted the predicted label
 * @param confidence the probability the classifier gave {@code predicted}
 */
public record ScoredExample(
    String id, String location, String text, String truth, String predicted, double confidence) {
  /** Checks that the labels and the text are present. */
  public ScoredExample {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(predicted, "predicted");
  }

  /**
   * An example scored by a classifier: its prediction is the arg-max of {@code probabilities}, one
   * per label of {@code labels}.
   */
  public static ScoredExample of(
      String id,
      String location,
      String text,
      String truth,
      List<String> labels,
      float[] probabilities) {
    int best = 0;
    for (int c = 1; c < probabilities.length; c++) {
      if (probabilities[c] > probabilities[best]) {
        best = c;
      }
    }
    return new ScoredExample(id, location, text, truth, labels.get(best), probabilities[best]);
  }

  /** Whether the prediction is the true label. */
  public boolean correct() {
    return truth.equals(predicted);
  }

  /** The id, else the {@code file:line}: how a person finds the example again. */
  public String name() {
    return id != null ? id : location;
  }

  /** The id, else the data file's name and the line ({@code test.jsonl:12}): short, for tables. */
  public String shortName() {
    if (id != null || location == null) {
      return name();
    }
    int slash = Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\'));
    return location.substring(slash + 1);
  }

  /** The text's start, whitespace folded, at most {@code chars} characters ("…" when cut). */
  public String textStart(int chars) {
    String s = text.replaceAll("\\s+", " ").strip();
    return s.length() <= chars ? s : s.substring(0, Math.max(0, chars - 1)).stripTrailing() + "…";
  }

  /** The {@code n} mistakes the classifier was surest of, surest first. */
  public static List<ScoredExample> confidentMistakes(List<ScoredExample> scored, int n) {
    return scored.stream()
        .filter(s -> !s.correct())
        .sorted(Comparator.comparingDouble(ScoredExample::confidence).reversed())
        .limit(n)
        .toList();
  }

  /** The {@code n} correct predictions the classifier was least sure of, least sure first. */
  public static List<ScoredExample> leastConfidentCorrect(List<ScoredExample> scored, int n) {
    return scored.stream()
        .filter(ScoredExample::correct)
        .sorted(Comparator.comparingDouble(ScoredExample::confidence))
        .limit(n)
        .toList();
  }
}
