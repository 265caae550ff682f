package dev.ferry.models.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTest {
  @Test
  void printsTheLabelThenEveryProbabilityMostFirst() {
    Prediction p =
        Prediction.of(List.of("corn", "grain", "other"), new float[] {0.071f, 0.912f, 0.017f});
    assertThat(p).hasToString("grain 0.912 (grain 0.912, corn 0.071, other 0.017)");
  }
}
