package dev.ferry.trainer.head;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.trainer.loop.CrossEntropy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The exact linear head and how it chooses its regularization, on generated clusters. */
class LinearHeadFitTest {

  /** The gradient of the objective the fit minimizes, written out by hand in double precision. */
  private static double[] gradient(
      LabeledVectors data, int classes, double regularization, double[] theta) {
    int d = data.vectors()[0].length;
    double[] weight = CrossEntropy.classWeights(data.labels(), classes, true);
    double total = 0;
    for (int y : data.labels()) {
      total += weight[y];
    }
    float[][] p = RegularizationSearch.probabilities(theta, data.vectors(), classes);
    double[] g = new double[theta.length];
    for (int i = 0; i < data.size(); i++) {
      double w = weight[data.labels()[i]] / total;
      for (int c = 0; c < classes; c++) {
        double r = w * (p[i][c] - (c == data.labels()[i] ? 1 : 0));
        for (int k = 0; k < d; k++) {
          g[k * classes + c] += r * data.vectors()[i][k];
        }
        g[d * classes + c] += r;
      }
    }
    double l2 = regularization / data.size();
    for (int k = 0; k < d * classes; k++) {
      g[k] += l2 * theta[k];
    }
    return g;
  }

  private static double maxAbs(double[] values) {
    return Arrays.stream(values).map(Math::abs).max().orElseThrow();
  }

  private static double weightNorm(double[] theta, int weights) {
    double sum = 0;
    for (int i = 0; i < weights; i++) {
      sum += theta[i] * theta[i];
    }
    return Math.sqrt(sum);
  }

  @Test
  void fitsTheMinimumOfTheRegularizedCrossEntropy() {
    LabeledVectors train = HeadTrainerTest.clusters(3, 12, 8, 0.8, 31);
    try (LinearHeadFit fit = new LinearHeadFit(train, 3, true)) {
      double[] start = new double[fit.parameters()];
      for (double regularization : new double[] {1, 0.01}) {
        double[] theta = fit.fit(regularization, start);
        // At the minimum the gradient vanishes (to float precision); at the start it did not.
        assertThat(maxAbs(gradient(train, 3, regularization, theta))).isLessThan(1e-4);
        assertThat(maxAbs(gradient(train, 3, regularization, start))).isGreaterThan(1e-2);
      }
      assertThat(start).containsOnly(0);
    }
  }

  @Test
  void strongerRegularizationGivesSmallerWeightsWhateverTheStart() {
    LabeledVectors train = HeadTrainerTest.clusters(2, 10, 8, 0.8, 32);
    try (LinearHeadFit fit = new LinearHeadFit(train, 2, true)) {
      double[] weak = fit.fit(0.001, new double[fit.parameters()]);
      double[] strong = fit.fit(1, new double[fit.parameters()]);
      double[] strongFromWeak = fit.fit(1, weak);
      assertThat(weightNorm(strong, 16)).isLessThan(weightNorm(weak, 16) / 3);
      // A convex objective: the same minimum from another start.
      for (int i = 0; i < strong.length; i++) {
        assertThat(strongFromWeak[i])
            .isCloseTo(strong[i], org.assertj.core.data.Offset.offset(1e-3));
      }
    }
  }

  @Test
  void choosesTheGridValueThatScoresBestOnTheHeldOutExamples() {
    // Few, noisy, high-dimensional examples: the regularization matters.
    LabeledVectors train = HeadTrainerTest.clusters(2, 8, 64, 3.0, 33);
    LabeledVectors valid = HeadTrainerTest.clusters(2, 40, 64, 3.0, 34);
    RegularizationSearch.Choice choice = RegularizationSearch.choose(train, valid, 2, true, 42);
    double[] grid = HeadSettings.REGULARIZATION_GRID;
    assertThat(choice.heldOutF1()).hasSize(grid.length);
    int at = Arrays.stream(grid).boxed().toList().indexOf(choice.regularization());
    assertThat(at).isNotNegative();
    for (int g = 0; g < grid.length; g++) {
      assertThat(choice.heldOutF1()[g]).isLessThanOrEqualTo(choice.heldOutF1()[at]);
      if (choice.heldOutF1()[g] == choice.heldOutF1()[at] && g != at) {
        assertThat(choice.heldOutLoss()[g]).isGreaterThanOrEqualTo(choice.heldOutLoss()[at]);
      }
    }
    // The parameters fitted along the way are those of a fresh fit at the chosen value.
    try (LinearHeadFit fit = new LinearHeadFit(train, 2, true)) {
      double[] fresh = fit.fit(choice.regularization(), new double[fit.parameters()]);
      assertThat(maxAbs(gradient(train, 2, choice.regularization(), choice.fitted())))
          .isLessThan(1e-4);
      assertThat(maxAbs(gradient(train, 2, choice.regularization(), fresh))).isLessThan(1e-4);
    }
  }

  @Test
  void withNoHeldOutExamplesCrossValidatesAndWithAClassOfOneFallsBack() {
    LabeledVectors train = HeadTrainerTest.clusters(3, 10, 16, 0.8, 35);
    RegularizationSearch.Choice choice = RegularizationSearch.choose(train, null, 3, true, 42);
    assertThat(choice.heldOutF1()).hasSize(HeadSettings.REGULARIZATION_GRID.length);
    assertThat(choice.fitted()).isNull();
    assertThat(HeadSettings.REGULARIZATION_GRID).contains(choice.regularization());
    // The same folds, so the same choice, for the same seed.
    assertThat(RegularizationSearch.choose(train, null, 3, true, 42).heldOutF1())
        .isEqualTo(choice.heldOutF1());

    LabeledVectors lonely =
        new LabeledVectors(
            new float[][] {train.vectors()[0], train.vectors()[1], train.vectors()[3]},
            new int[] {0, 1, 0});
    assertThat(RegularizationSearch.choose(lonely, null, 2, true, 42).regularization())
        .isEqualTo(HeadSettings.FALLBACK_REGULARIZATION);
  }

  @Test
  void foldsAreStratifiedAndAsManyAsTheSmallestClassAllows() {
    int[] labels = new int[23];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i < 20 ? i % 2 : 2; // 10, 10 and 3 examples
    }
    int[] fold = RegularizationSearch.folds(labels, 3, 7);
    assertThat(Arrays.stream(fold).max().orElseThrow()).isEqualTo(2);
    for (int f = 0; f < 3; f++) {
      for (int c = 0; c < 3; c++) {
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
          count += fold[i] == f && labels[i] == c ? 1 : 0;
        }
        assertThat(count).as("class %d in fold %d", c, f).isGreaterThanOrEqualTo(1);
      }
    }
  }
}
