package dev.ferry.trainer.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TemperatureFitTest {

  @Test
  void recoversTheScaleTheLabelsWereDrawnAt() {
    // Labels drawn from softmax(3 · z): the calibrated temperature for the logits z is 3.
    Random random = new Random(5);
    int n = 20_000;
    double[][] logits = new double[n][3];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      double[] p = new double[3];
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        logits[i][c] = random.nextGaussian();
        p[c] = Math.exp(3 * logits[i][c]);
        sum += p[c];
      }
      double u = random.nextDouble() * sum;
      truth[i] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
    }
    double t = TemperatureFit.fit(logits, truth);
    assertThat(t).isCloseTo(3, within(0.15));
    assertThat(TemperatureFit.loss(logits, truth, t))
        .isLessThan(TemperatureFit.loss(logits, truth, 1))
        .isLessThan(TemperatureFit.loss(logits, truth, 6));
  }

  @Test
  void aStronglyRegularizedLinearHeadIsScaledUpAndScoresTheHeldOutSetBetter() {
    LabeledVectors train = HeadTrainerTest.clusters(3, 30, 16, 0.6, 41);
    LabeledVectors valid = HeadTrainerTest.clusters(3, 30, 16, 0.6, 42);
    HeadSettings strong = HeadSettings.defaults(HeadKind.LINEAR).withRegularization(1);
    TrainedHead head = HeadTrainer.train(train, valid, 3, strong, null);
    assertThat(head.temperature()).isGreaterThan(1);
    double[][] raw;
    try (LinearHeadFit fit = new LinearHeadFit(train, 3, true)) {
      raw =
          RegularizationSearch.logits(fit.fit(1, new double[fit.parameters()]), valid.vectors(), 3);
    }
    double calibrated = 0;
    float[][] p = head.probabilities(valid.vectors());
    for (int i = 0; i < valid.size(); i++) {
      calibrated -= Math.log(p[i][valid.labels()[i]]) / valid.size();
    }
    assertThat(calibrated)
        .isCloseTo(TemperatureFit.loss(raw, valid.labels(), head.temperature()), within(1e-4))
        .isLessThan(TemperatureFit.loss(raw, valid.labels(), 1));
  }
}
