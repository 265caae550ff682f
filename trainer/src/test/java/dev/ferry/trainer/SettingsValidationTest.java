package dev.ferry.trainer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.nio.file.Path;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Settings refuse numbers no training can use, NaN and the infinities included, naming the setting.
 */
class SettingsValidationTest {
  private static final double[] NOT_FINITE = {
    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
  };

  @Test
  void headSettingsRefuseNonFiniteOrNonPositiveNumbers() {
    HeadSettings mlp = HeadSettings.defaults(HeadKind.MLP);
    assertRefused("learning rate", mlp::withLearningRate, 0, -0.01);
    assertRefused("weight decay", mlp::withWeightDecay, -1e-4);
    assertRefused("dropout", mlp::withDropout, -0.1, 1);
    assertThatCode(() -> mlp.withLearningRate(1e7).withWeightDecay(0).withDropout(0))
        .doesNotThrowAnyException();
  }

  @Test
  void fineTuningSettingsRefuseNonFiniteOrNonPositiveNumbers() {
    FineTuneSettings s = FineTuneSettings.finetune();
    assertRefused("learning rate", s::withLearningRate, 0, -1e-4);
    assertRefused("head rate factor", s::withHeadRateFactor, 0);
    assertRefused("weight decay", s::withWeightDecay, -0.01);
    assertRefused("dropout", s::withDropout, -0.1, 1);
    assertRefused("adapter alpha", s::withAlpha, 0);
    assertThatCode(() -> s.withLearningRate(1e7).withWeightDecay(0).withDropout(0))
        .doesNotThrowAnyException();
  }

  @Test
  void trainingConfigRefusesANonFiniteValidationSplit() {
    TrainingConfig.Builder b = TrainingConfig.builder(Path.of("train.jsonl"), Path.of("bundle"));
    assertRefused("validation split", v -> b.validSplit(v).build(), 0, 1, -0.2);
  }

  /**
   * Every non-finite value and each of {@code others} is refused with a message starting with the
   * setting.
   */
  private static void assertRefused(String setting, DoubleFunction<?> apply, double... others) {
    for (double[] values : new double[][] {NOT_FINITE, others}) {
      for (double v : values) {
        assertThatThrownBy(() -> apply.apply(v))
            .as("%s %s", setting, v)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(setting + " must be")
            .hasMessageContaining("was " + v);
      }
    }
  }
}
