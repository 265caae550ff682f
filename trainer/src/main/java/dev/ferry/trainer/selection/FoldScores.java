package dev.ferry.trainer.selection;

import java.util.Arrays;

/**
 * The macro-F1 of one encoder and head on each fold of the cross-validation.
 *
 * @param folds one score per fold
 */
public record FoldScores(double[] folds) {
  /** Copies the scores. */
  public FoldScores {
    if (folds.length == 0) {
      throw new IllegalArgumentException("no fold scores");
    }
    folds = folds.clone();
  }

  /** The mean over the folds: what the choice compares. */
  public double mean() {
    return Arrays.stream(folds).average().orElseThrow();
  }

  /** The sample standard deviation over the folds (0 for one fold). */
  public double std() {
    if (folds.length < 2) {
      return 0;
    }
    double m = mean();
    double sum = Arrays.stream(folds).map(f -> (f - m) * (f - m)).sum();
    return Math.sqrt(sum / (folds.length - 1));
  }

  @Override
  public double[] folds() {
    return folds.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FoldScores f && Arrays.equals(folds, f.folds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(folds);
  }

  @Override
  public String toString() {
    return Arrays.toString(folds);
  }
}
