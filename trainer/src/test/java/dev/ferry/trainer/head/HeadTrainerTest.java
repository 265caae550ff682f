package dev.ferry.trainer.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.graph.GraphSession;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Heads trained on generated data whose answer is known. */
class HeadTrainerTest {
  private static final List<String> THREE = List.of("a", "b", "c");

  @Test
  void linearHeadSeparatesClustersAtTheRegularizationItChose() {
    LabeledVectors train = clusters(3, 40, 16, 0.35, 1);
    LabeledVectors valid = clusters(3, 30, 16, 0.35, 2);
    TrainedHead head =
        HeadTrainer.train(train, valid, 3, HeadSettings.defaults(HeadKind.LINEAR), null);
    ClassificationMetrics m =
        ClassificationMetrics.compute(THREE, valid.labels(), head.probabilities(valid.vectors()));
    assertThat(m.accuracy()).isGreaterThan(0.95);
    // Fitted exactly: no epochs, and the settings say which regularization the held-out set chose.
    assertThat(head.history()).isEmpty();
    assertThat(head.bestEpoch()).isZero();
    assertThat(HeadSettings.REGULARIZATION_GRID).contains(head.settings().regularization());
    assertThat(HeadTrainer.refits(head)).isTrue();
  }

  @Test
  void mlpHeadSeparatesClustersAndItsLossFalls() {
    LabeledVectors train = clusters(3, 40, 16, 0.35, 1);
    LabeledVectors valid = clusters(3, 30, 16, 0.35, 2);
    TrainedHead head =
        HeadTrainer.train(train, valid, 3, HeadSettings.defaults(HeadKind.MLP), null);
    ClassificationMetrics m =
        ClassificationMetrics.compute(THREE, valid.labels(), head.probabilities(valid.vectors()));
    assertThat(m.accuracy()).isGreaterThan(0.95);
    assertThat(head.bestEpoch()).isBetween(1, head.history().size());
    // The loss went down from the first epoch to the kept one.
    assertThat(head.history().get(head.bestEpoch() - 1).trainLoss())
        .isLessThan(head.history().get(0).trainLoss());
  }

  @Test
  void mlpLearnsWhatNoLinearHeadCan() {
    // XOR of the signs of two coordinates: not linearly separable.
    LabeledVectors train = xor(600, 1);
    LabeledVectors valid = xor(300, 2);
    List<String> two = List.of("same", "different");
    HeadSettings linear = HeadSettings.defaults(HeadKind.LINEAR).withEpochs(60);
    HeadSettings mlp =
        HeadSettings.defaults(HeadKind.MLP)
            .withEpochs(60)
            .withHiddenSize(32)
            .withLearningRate(0.01);
    double linearAccuracy =
        ClassificationMetrics.compute(
                two,
                valid.labels(),
                HeadTrainer.train(train, valid, 2, linear, null).probabilities(valid.vectors()))
            .accuracy();
    double mlpAccuracy =
        ClassificationMetrics.compute(
                two,
                valid.labels(),
                HeadTrainer.train(train, valid, 2, mlp, null).probabilities(valid.vectors()))
            .accuracy();
    assertThat(linearAccuracy).isLessThan(0.7);
    assertThat(mlpAccuracy).isGreaterThan(0.9);
  }

  @Test
  void sameSeedSameHeadOtherSeedOtherHead() {
    LabeledVectors train = clusters(3, 20, 8, 0.5, 3);
    LabeledVectors valid = clusters(3, 10, 8, 0.5, 4);
    HeadSettings s = HeadSettings.defaults(HeadKind.MLP).withEpochs(8).withHiddenSize(16);
    byte[] first = HeadTrainer.train(train, valid, 3, s, null).onnx();
    byte[] again = HeadTrainer.train(train, valid, 3, s, null).onnx();
    byte[] other = HeadTrainer.train(train, valid, 3, s.withSeed(7), null).onnx();
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void earlyStoppingEndsBeforeTheLastEpochAndKeepsTheBest() {
    // Few, noisy, high-dimensional examples: the head overfits and validation stops improving.
    LabeledVectors train = clusters(2, 10, 64, 3.0, 5);
    LabeledVectors valid = clusters(2, 30, 64, 3.0, 6);
    List<EpochMetrics> seen = new ArrayList<>();
    TrainedHead head =
        HeadTrainer.train(
            train,
            valid,
            2,
            HeadSettings.defaults(HeadKind.MLP).withEpochs(200).withPatience(5),
            seen::add);
    assertThat(seen).isEqualTo(head.history());
    assertThat(head.history()).hasSizeLessThan(200);
    double bestF1 =
        head.history().stream().mapToDouble(EpochMetrics::validMacroF1).max().orElseThrow();
    EpochMetrics kept = head.history().get(head.bestEpoch() - 1);
    assertThat(kept.validMacroF1()).isEqualTo(bestF1);
    // Among the epochs with the best macro-F1, the kept one has the lowest validation loss.
    assertThat(
            head.history().stream()
                .filter(e -> e.validMacroF1() == bestF1)
                .mapToDouble(EpochMetrics::validLoss)
                .min()
                .orElseThrow())
        .isEqualTo(kept.validLoss());
    assertThat(head.history().size() - head.bestEpoch()).isEqualTo(5);
  }

  @Test
  void refitTrainsOnTrainAndHeldOutForTheBestEpochCountAndKeepsTheScoredHistory() {
    LabeledVectors train = clusters(2, 10, 16, 1.0, 12);
    LabeledVectors valid = clusters(2, 10, 16, 1.0, 13);
    HeadSettings settings =
        HeadSettings.defaults(HeadKind.MLP).withHiddenSize(16).withEpochs(40).withPatience(5);
    TrainedHead scored = HeadTrainer.train(train, valid, 2, settings, null);
    TrainedHead refit = HeadTrainer.refit(scored, train, valid);
    // The same as training from scratch on both, with no held-out set, for the best epoch count.
    TrainedHead byHand =
        HeadTrainer.train(
            train.concat(valid),
            null,
            2,
            settings.withEpochs(scored.bestEpoch()).withPatience(0),
            null);
    assertThat(refit.onnx()).isEqualTo(byHand.onnx()).isNotEqualTo(scored.onnx());
    assertThat(refit.history()).isEqualTo(scored.history());
    assertThat(refit.bestEpoch()).isEqualTo(scored.bestEpoch());
    assertThat(refit.settings()).isEqualTo(scored.settings());
    assertThat(refit.trainingSeconds()).isGreaterThan(scored.trainingSeconds());
    assertThat(train.concat(valid).size()).isEqualTo(40);
    assertThat(train.concat(valid).vectors()[20]).isSameAs(valid.vectors()[0]);
  }

  @Test
  void refitFitsTheLinearHeadOnAllExamplesAtTheRegularizationAndTemperatureItChose() {
    LabeledVectors train = clusters(2, 10, 16, 1.0, 12);
    LabeledVectors valid = clusters(2, 10, 16, 1.0, 13);
    TrainedHead scored =
        HeadTrainer.train(train, valid, 2, HeadSettings.defaults(HeadKind.LINEAR), null);
    TrainedHead refit = HeadTrainer.refit(scored, train, valid);
    assertThat(refit.settings()).isEqualTo(scored.settings());
    assertThat(refit.temperature()).isEqualTo(scored.temperature()).isNotEqualTo(1);
    // By hand: the exact fit on both at the chosen regularization, its logits scaled alike.
    LabeledVectors both = train.concat(valid);
    double[] theta;
    try (LinearHeadFit fit = new LinearHeadFit(both, 2, true)) {
      theta = fit.fit(scored.settings().regularization(), new double[fit.parameters()]);
    }
    for (int i = 0; i < theta.length; i++) {
      theta[i] *= scored.temperature();
    }
    float[][] expected = RegularizationSearch.probabilities(theta, valid.vectors(), 2);
    float[][] actual = refit.probabilities(valid.vectors());
    for (int i = 0; i < valid.size(); i++) {
      assertThat(actual[i][0])
          .isCloseTo(expected[i][0], org.assertj.core.data.Offset.offset(1e-5f));
    }
    assertThat(refit.onnx()).isNotEqualTo(scored.onnx());
  }

  @Test
  void balancedClassWeightsRaiseRecallOfTheRareClass() {
    // 2 overlapping clusters, 95% vs 5%.
    Random r = new Random(11);
    LabeledVectors train = imbalanced(r, 380, 20);
    LabeledVectors valid = imbalanced(r, 380, 20);
    List<String> two = List.of("common", "rare");
    HeadSettings s = HeadSettings.defaults(HeadKind.LINEAR).withRegularization(0.01);
    double plain =
        ClassificationMetrics.compute(
                two,
                valid.labels(),
                HeadTrainer.train(train, null, 2, s.withBalanceClasses(false), null)
                    .probabilities(valid.vectors()))
            .perClass()
            .get(1)
            .recall();
    double balanced =
        ClassificationMetrics.compute(
                two,
                valid.labels(),
                HeadTrainer.train(train, null, 2, s, null).probabilities(valid.vectors()))
            .perClass()
            .get(1)
            .recall();
    assertThat(balanced).isGreaterThan(plain + 0.2);
  }

  @Test
  void centroidHeadWorksFromTwoExamplesPerClass() {
    LabeledVectors train = clusters(3, 2, 16, 0.3, 8);
    LabeledVectors valid = clusters(3, 30, 16, 0.3, 9);
    TrainedHead head =
        HeadTrainer.train(train, valid, 3, HeadSettings.defaults(HeadKind.CENTROID), null);
    assertThat(head.history()).isEmpty();
    assertThat(head.temperature()).isPositive();
    assertThat(
            ClassificationMetrics.compute(
                    THREE, valid.labels(), head.probabilities(valid.vectors()))
                .accuracy())
        .isGreaterThan(0.9);
  }

  @Test
  void inferenceGraphGivesRowsThatSumToOne() {
    LabeledVectors train = clusters(3, 10, 8, 0.5, 10);
    TrainedHead head =
        HeadTrainer.train(train, null, 3, HeadSettings.defaults(HeadKind.MLP).withEpochs(3), null);
    assertThat(head.bestEpoch()).isEqualTo(3);
    try (GraphSession session = new GraphSession(head.onnx(), 1)) {
      assertThat(session.inputNames()).containsExactly("embedding");
      assertThat(session.outputNames()).containsExactly("probabilities");
    }
    for (float[] row : head.probabilities(train.vectors())) {
      double sum = 0;
      for (float p : row) {
        sum += p;
      }
      assertThat(sum).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void fitLinearGivesWeightsThatClassifyAndTheSameOnesForTheSameSeed() {
    LabeledVectors train = clusters(3, 15, 8, 0.5, 14);
    LabeledVectors probe = clusters(3, 10, 8, 0.5, 15);
    HeadSettings settings = HeadSettings.defaults(HeadKind.LINEAR).withEpochs(30);
    LinearWeights weights = HeadTrainer.fitLinear(train, 3, settings);
    assertThat(weights.weight()).hasSize(8 * 3);
    assertThat(weights.bias()).hasSize(3);
    assertThat(HeadTrainer.fitLinear(train, 3, settings).weight()).isEqualTo(weights.weight());
    int right = 0;
    for (int i = 0; i < probe.size(); i++) {
      double[] logits = new double[3];
      for (int k = 0; k < 3; k++) {
        logits[k] = weights.bias()[k];
        for (int d = 0; d < 8; d++) {
          logits[k] += probe.vectors()[i][d] * weights.weight()[d * 3 + k];
        }
      }
      int predicted = 0;
      for (int k = 1; k < 3; k++) {
        predicted = logits[k] > logits[predicted] ? k : predicted;
      }
      right += predicted == probe.labels()[i] ? 1 : 0;
    }
    assertThat(right).isGreaterThanOrEqualTo(27);
    assertThatThrownBy(() -> HeadTrainer.fitLinear(train, 3, HeadSettings.defaults(HeadKind.MLP)))
        .hasMessageContaining("linear head settings");
  }

  @Test
  void badInputsAreClearErrors() {
    LabeledVectors train = clusters(2, 3, 4, 0.1, 1);
    assertThatThrownBy(
            () -> HeadTrainer.train(train, null, 1, HeadSettings.defaults(HeadKind.LINEAR), null))
        .hasMessageContaining("at least 2 classes");
    assertThatThrownBy(() -> HeadSettings.defaults(HeadKind.MLP).withDropout(1))
        .hasMessageContaining("dropout must be in [0, 1)");
    assertThatThrownBy(() -> HeadKind.fromId("svm")).hasMessageContaining("linear, mlp, centroid");
  }

  @Test
  void aLearningRateFarTooHighStopsTrainingSayingWhereAndWhatToTry() {
    LabeledVectors train = clusters(2, 40, 16, 0.5, 21);
    LabeledVectors valid = clusters(2, 10, 16, 0.5, 22);
    List<EpochMetrics> seen = new ArrayList<>();
    // AdamW moves each weight by about the rate per step and weight decay multiplies it by
    // (1 - rate × decay): at 1e7 the weights overflow float within a few dozen steps.
    HeadSettings settings =
        HeadSettings.defaults(HeadKind.MLP).withLearningRate(1e7).withEpochs(100).withPatience(0);
    assertThatThrownBy(() -> HeadTrainer.train(train, valid, 2, settings, seen::add))
        .isInstanceOfSatisfying(
            TrainingDivergedException.class,
            e -> {
              assertThat(e.epoch()).isBetween(1, 100).isEqualTo(seen.size() + 1);
              assertThat(e.step()).isGreaterThanOrEqualTo(e.epoch());
              assertThat(e.learningRate()).isEqualTo(1e7);
              assertThat(e.training()).isEqualTo("head training");
              assertThat(e.getMessage())
                  .contains(
                      "head training diverged at epoch " + e.epoch() + ", step " + e.step(),
                      "learning rate (1E+7)",
                      "try a lower one, such as 1E+6");
            });
    // Every epoch heard of before the stop had finite losses.
    assertThat(seen).allSatisfy(m -> assertThat(m.trainLoss()).isFinite());
  }

  @Test
  void refusesNonFiniteEmbeddings() {
    LabeledVectors train = clusters(2, 5, 4, 0.5, 23);
    train.vectors()[3][2] = Float.NaN;
    assertThatThrownBy(
            () -> HeadTrainer.train(train, null, 2, HeadSettings.defaults(HeadKind.LINEAR), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("training vector 3 has NaN at position 2");
  }

  /** Unit-length points around random unit centres, like sentence embeddings. */
  // ---- Data ---------------------------------------------------------------------------------

  static LabeledVectors clusters(
      int classes, int perClass, int dimension, double noise, long seed) {
    Random centres = new Random(99);
    float[][] c = new float[classes][];
    for (int k = 0; k < classes; k++) {
      c[k] = unit(gaussian(centres, dimension));
    }
    Random r = new Random(seed);
    float[][] v = new float[classes * perClass][];
    int[] y = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      y[i] = i % classes;
      float[] g = gaussian(r, dimension);
      float[] p = new float[dimension];
      for (int k = 0; k < dimension; k++) {
        p[k] = c[y[i]][k] + (float) (noise * g[k] / Math.sqrt(dimension));
      }
      v[i] = unit(p);
    }
    return new LabeledVectors(v, y);
  }

  private static LabeledVectors xor(int n, long seed) {
    Random r = new Random(seed);
    float[][] v = new float[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      float a = (float) (r.nextDouble() * 2 - 1);
      float b = (float) (r.nextDouble() * 2 - 1);
      v[i] = new float[] {a, b, 0.1f * (float) r.nextGaussian(), 0.1f * (float) r.nextGaussian()};
      y[i] = (a > 0) == (b > 0) ? 0 : 1;
    }
    return new LabeledVectors(v, y);
  }

  private static LabeledVectors imbalanced(Random r, int common, int rare) {
    float[][] v = new float[common + rare][];
    int[] y = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      y[i] = i < common ? 0 : 1;
      double centre = y[i] == 0 ? -0.5 : 0.5;
      v[i] = new float[] {(float) (centre + r.nextGaussian()), (float) r.nextGaussian()};
    }
    return new LabeledVectors(v, y);
  }

  private static float[] gaussian(Random r, int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) r.nextGaussian();
    }
    return g;
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
