package dev.ferry.trainer.selection;

import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.data.StratifiedSplit;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores one head kind on one encoder's vectors by k-fold cross-validation: for each fold, a head
 * trains on the other folds as training would (early stopping on a stratified {@code innerSplit} of
 * them, no refit) and is scored on the fold by macro-F1. The folds never take part in their own
 * head's early stopping.
 */
final class CrossValidation {
  private CrossValidation() {}

  /**
   * The macro-F1 on each fold.
   *
   * @param examples the training examples
   * @param vectors their vectors, in the same order
   * @param labels the class names; a class id is an index into it
   * @param fold each example's fold ({@link StratifiedSplit#folds})
   * @param folds the number of folds
   * @param settings the head's settings
   * @param innerSplit the share of the other folds held out for early stopping
   */
  static FoldScores score(
      List<LabeledExample> examples,
      float[][] vectors,
      List<String> labels,
      int[] fold,
      int folds,
      HeadSettings settings,
      double innerSplit) {
    Map<LabeledExample, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      index.put(examples.get(i), i);
    }
    List<Double> scores = new ArrayList<>();
    for (int f = 0; f < folds; f++) {
      List<LabeledExample> rest = new ArrayList<>();
      List<LabeledExample> test = new ArrayList<>();
      for (int i = 0; i < examples.size(); i++) {
        (fold[i] == f ? test : rest).add(examples.get(i));
      }
      if (test.isEmpty() || rest.isEmpty()) {
        continue;
      }
      StratifiedSplit.Split inner = StratifiedSplit.split(rest, innerSplit, settings.seed());
      LabeledVectors valid = vectors(inner.valid(), index, vectors, labels);
      TrainedHead head =
          HeadTrainer.train(
              vectors(inner.train(), index, vectors, labels),
              valid.size() > 0 ? valid : null,
              labels.size(),
              settings,
              null);
      LabeledVectors scored = vectors(test, index, vectors, labels);
      scores.add(
          ClassificationMetrics.compute(
                  labels, scored.labels(), head.probabilities(scored.vectors()))
              .macroF1());
    }
    return new FoldScores(scores.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static LabeledVectors vectors(
      List<LabeledExample> examples,
      Map<LabeledExample, Integer> index,
      float[][] all,
      List<String> labels) {
    float[][] v = new float[examples.size()][];
    int[] y = new int[examples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = all[index.get(examples.get(i))];
      y[i] = labels.indexOf(examples.get(i).label());
    }
    return new LabeledVectors(v, y);
  }
}
