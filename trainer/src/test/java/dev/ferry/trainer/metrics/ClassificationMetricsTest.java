package dev.ferry.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  private static final List<String> LABELS = List.of("a", "b");

  @Test
  void noExamplesHaveNoScoresRatherThanZeros() {
    ClassificationMetrics m = ClassificationMetrics.compute(LABELS, new int[0], new float[0][]);
    assertThat(m.examples()).isZero();
    assertThat(m.accuracy()).isNaN();
    assertThat(m.macroF1()).isNaN();
    assertThat(m.expectedCalibrationError()).isNaN();
    assertThat(m.perClass()).allSatisfy(c -> assertThat(c.support()).isZero());
  }

  @Test
  void scoresOfAFewExamples() {
    // Truth a, a, b; predicted a (0.9), b (0.6), b (0.8).
    ClassificationMetrics m =
        ClassificationMetrics.compute(
            LABELS, new int[] {0, 0, 1}, new float[][] {{0.9f, 0.1f}, {0.4f, 0.6f}, {0.2f, 0.8f}});
    assertThat(m.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
    // a: precision 1, recall 1/2, F1 2/3; b: precision 1/2, recall 1, F1 2/3.
    assertThat(m.macroF1()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.confusion()).isDeepEqualTo(new int[][] {{1, 1}, {0, 1}});
  }
}
