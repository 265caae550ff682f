package dev.ferry.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.eval.baseline.BagOfWords.SparseVector;
import dev.ferry.eval.baseline.TfidfLogisticBaseline.ClassWeight;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TfidfLogisticBaselineTest {

  private static TfidfLogisticBaseline.Options everyTerm() {
    return TfidfLogisticBaseline.Options.defaults()
        .withBagOfWords(BagOfWords.Options.defaults().withMinDocumentFrequency(1));
  }

  @Test
  void tfidfMatchesTheHandCalculation() {
    // n = 3 texts; document frequencies: wheat 1, corn 2, price 2, oil 1.
    TfidfLogisticBaseline model = new TfidfLogisticBaseline(everyTerm());
    model.fit(
        List.of("wheat wheat corn", "corn price", "price price price oil"),
        List.of("grain", "grain", "other"));
    assertThat(model.vocabulary().terms()).containsExactly("corn", "oil", "price", "wheat");

    // "wheat wheat wheat corn zzz": tf wheat 3, corn 1; zzz is not in the vocabulary.
    double idfWheat = Math.log((1 + 3.0) / (1 + 1)) + 1; // 1 + ln 2
    double idfCorn = Math.log((1 + 3.0) / (1 + 2)) + 1; // 1 + ln 4/3
    double wheat = (1 + Math.log(3)) * idfWheat;
    double corn = (1 + Math.log(1)) * idfCorn;
    double norm = Math.sqrt(wheat * wheat + corn * corn);
    SparseVector v = model.transform("Wheat wheat WHEAT corn zzz");
    assertThat(v.indices()).containsExactly(0, 3);
    assertThat((double) v.values()[0]).isCloseTo(corn / norm, within(1e-6));
    assertThat((double) v.values()[1]).isCloseTo(wheat / norm, within(1e-6));
    assertThat(wheat / norm).isCloseTo(0.94017, within(1e-5)); // worked out on paper

    assertThat(model.transform("zzz").size()).isZero();
  }

  @Test
  void separatesLinearlySeparableTexts() {
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    Random random = new Random(5);
    String[][] words = {
      {"wheat", "barley", "harvest", "bushel"},
      {"stocks", "shares", "dividend", "earnings"},
      {"crude", "barrel", "refinery", "opec"}
    };
    String[] names = {"grain", "money", "oil"};
    for (int i = 0; i < 60; i++) {
      int c = i % 3;
      StringBuilder sb = new StringBuilder("the report said ");
      for (int w = 0; w < 3; w++) {
        sb.append(words[c][random.nextInt(4)]).append(" and ");
      }
      texts.add(sb.toString());
      labels.add(names[c]);
    }
    TfidfLogisticBaseline model = new TfidfLogisticBaseline();
    model.fit(texts, labels);
    assertThat(model.converged()).isTrue();
    assertThat(model.labels()).containsExactly("grain", "money", "oil");
    float[][] p = model.predictProbabilities(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(p[i][i % 3]).as("text %d", i).isGreaterThan(0.8f);
      assertThat(p[i][0] + p[i][1] + p[i][2]).isCloseTo(1f, within(1e-5f));
    }
    float[] unseen = model.predictProbabilities(List.of("opec barrel prices"))[0];
    assertThat(unseen[2]).isGreaterThan(unseen[0]).isGreaterThan(0.5f);
  }

  @Test
  void separatesPointsAndDrivesTheLossDown() {
    // Three classes in the plane, separable by lines: x > 1, y > 1, and x + y < -1.
    Random random = new Random(11);
    int n = 90;
    SparseVector[] x = new SparseVector[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      double a = random.nextDouble() * 2;
      double b = random.nextDouble() * 2 - 1;
      double[] point =
          switch (y[i]) {
            case 0 -> new double[] {1.5 + a, b};
            case 1 -> new double[] {b, 1.5 + a};
            default -> new double[] {-1.5 - a, -1.5 - random.nextDouble()};
          };
      x[i] = new SparseVector(new int[] {0, 1}, new float[] {(float) point[0], (float) point[1]});
    }
    double[] weight = new double[n];
    java.util.Arrays.fill(weight, 1);
    SoftmaxRegression.Problem problem = new SoftmaxRegression.Problem(x, y, weight, 3, 2, 1e-3);
    SoftmaxRegression model = SoftmaxRegression.train(problem, 500, 1e-8);
    assertThat(model.converged()).isTrue();
    for (int i = 0; i < n; i++) {
      double[] p = model.probabilities(x[i]);
      int best = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
      assertThat(best).as("point %d", i).isEqualTo(y[i]);
    }
    double[] gradient = new double[problem.parameters()];
    double atZero = problem.evaluate(new double[problem.parameters()], gradient);
    assertThat(atZero).isCloseTo(Math.log(3), within(1e-12));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random random = new Random(7);
    int n = 8;
    int features = 5;
    int classes = 3;
    SparseVector[] x = new SparseVector[n];
    int[] y = new int[n];
    double[] weight = new double[n];
    for (int i = 0; i < n; i++) {
      // Sparse rows of 1 to 3 features.
      int[] idx =
          random.ints(0, features).distinct().limit(1 + random.nextInt(3)).sorted().toArray();
      float[] val = new float[idx.length];
      for (int j = 0; j < val.length; j++) {
        val[j] = (float) random.nextGaussian();
      }
      x[i] = new SparseVector(idx, val);
      y[i] = random.nextInt(classes);
      weight[i] = 0.5 + random.nextDouble() * 2;
    }
    SoftmaxRegression.Problem problem =
        new SoftmaxRegression.Problem(x, y, weight, classes, features, 0.3);
    double[] theta = new double[problem.parameters()];
    for (int p = 0; p < theta.length; p++) {
      theta[p] = random.nextGaussian();
    }
    double[] gradient = new double[theta.length];
    problem.evaluate(theta, gradient);
    double h = 1e-6;
    double[] ignored = new double[theta.length];
    for (int p = 0; p < theta.length; p++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[p] += h;
      minus[p] -= h;
      double numeric =
          (problem.evaluate(plus, ignored) - problem.evaluate(minus, ignored)) / (2 * h);
      assertThat(gradient[p]).as("parameter %d", p).isCloseTo(numeric, within(1e-7));
    }
  }

  @Test
  void balancedWeightsLiftTheRareClass() {
    // 40 common texts, 4 rare ones that share most of their words with the common ones.
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      texts.add("market report trade volume day" + (i % 7));
      labels.add("other");
    }
    for (int i = 0; i < 4; i++) {
      texts.add("market report trade volume corn");
      labels.add("corn");
    }
    String probe = "market report trade corn";
    TfidfLogisticBaseline.Options options = everyTerm().withL2(1e-2);
    TfidfLogisticBaseline plain =
        new TfidfLogisticBaseline(options.withClassWeight(ClassWeight.NONE));
    TfidfLogisticBaseline balanced = new TfidfLogisticBaseline(options);
    plain.fit(texts, labels);
    balanced.fit(texts, labels);
    float pPlain = plain.predictProbabilities(List.of(probe))[0][0];
    float pBalanced = balanced.predictProbabilities(List.of(probe))[0][0];
    assertThat(pBalanced).isGreaterThan(pPlain);
    assertThat(pBalanced).isGreaterThan(0.5f);
    assertThat(balanced.name()).contains("balanced");
    assertThat(plain.name()).doesNotContain("balanced");
  }

  @Test
  void sameDataGiveTheSameModelBitForBit() {
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    Random random = new Random(2);
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 15; w++) {
        sb.append("w").append(random.nextInt(60)).append(' ');
      }
      texts.add(sb.toString());
      labels.add("c" + random.nextInt(3));
    }
    for (TextClassifierBaseline b :
        List.<java.util.function.Supplier<TextClassifierBaseline>>of(
                TfidfLogisticBaseline::new, NaiveBayesBaseline::new)
            .stream()
            .map(s -> s.get())
            .toList()) {
      b.fit(texts, labels);
      float[][] first = b.predictProbabilities(texts);
      b.fit(texts, labels);
      float[][] second = b.predictProbabilities(texts);
      assertThat(second).as(b.name()).isDeepEqualTo(first);
    }
  }

  @Test
  void oneClassIsPredictedWithCertainty() {
    for (TextClassifierBaseline b :
        List.of(new TfidfLogisticBaseline(), new NaiveBayesBaseline())) {
      b.fit(List.of("corn crop", "corn price", "wheat"), List.of("grain", "grain", "grain"));
      assertThat(b.labels()).containsExactly("grain");
      assertThat(b.predictProbabilities(List.of("corn", "unknown")))
          .isDeepEqualTo(new float[][] {{1f}, {1f}});
    }
  }

  @Test
  void rejectsBadOptionsAndPredictionBeforeFit() {
    assertThatThrownBy(() -> TfidfLogisticBaseline.Options.defaults().withL2(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l2");
    assertThatThrownBy(() -> new TfidfLogisticBaseline().labels())
        .isInstanceOf(IllegalStateException.class);
  }
}
