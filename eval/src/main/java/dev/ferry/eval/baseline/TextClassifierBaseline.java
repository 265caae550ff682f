package dev.ferry.eval.baseline;

import java.util.List;

/**
 * A text classifier trained from scratch on labeled texts, to compare Ferry's classifiers with. Not
 * thread-safe while fitting; predicting after {@link #fit} is read-only.
 */
public interface TextClassifierBaseline {
  /** A short name with the settings that matter, for reports. */
  String name();

  /**
   * Trains on {@code texts} with their {@code labels} (same size, at least one text), replacing any
   * earlier training.
   */
  void fit(List<String> texts, List<String> labels);

  /**
   * Class probabilities per text, in the order of {@link #labels()}; each row sums to 1.
   *
   * @throws IllegalStateException before {@link #fit}
   */
  float[][] predictProbabilities(List<String> texts);

  /**
   * The classes seen in training, sorted ({@link String#compareTo}); index = class id.
   *
   * @throws IllegalStateException before {@link #fit}
   */
  List<String> labels();
}
