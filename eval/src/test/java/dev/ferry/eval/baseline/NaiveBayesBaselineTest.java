package dev.ferry.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Naive Bayes against numbers worked out by hand.
 *
 * <p>Training set (every term kept, min document frequency 1):
 *
 * <pre>
 *   spam: "apple apple banana"   spam: "apple cherry"   ham: "banana banana cherry"
 * </pre>
 *
 * Vocabulary apple, banana, cherry (V = 3). Term counts: spam apple 3, banana 1, cherry 1 (N = 5);
 * ham apple 0, banana 2, cherry 1 (N = 3). Priors: ham 1/3, spam 2/3.
 */
class NaiveBayesBaselineTest {
  private static final List<String> TEXTS =
      List.of("apple apple banana", "apple cherry", "banana banana cherry");
  private static final List<String> LABELS = List.of("spam", "spam", "ham");

  private static NaiveBayesBaseline fitted(double alpha) {
    NaiveBayesBaseline nb =
        new NaiveBayesBaseline(
            NaiveBayesBaseline.Options.defaults()
                .withAlpha(alpha)
                .withBagOfWords(BagOfWords.Options.defaults().withMinDocumentFrequency(1)));
    nb.fit(TEXTS, LABELS);
    return nb;
  }

  /** P(term | class) with Lidstone smoothing over V = 3 terms. */
  private static double p(double count, double classTotal, double alpha) {
    return (count + alpha) / (classTotal + alpha * 3);
  }

  @Test
  void laplaceProbabilitiesMatchTheHandCalculation() {
    NaiveBayesBaseline nb = fitted(1.0);
    assertThat(nb.labels()).containsExactly("ham", "spam");
    // "apple banana durian": durian is unknown and ignored.
    // spam: 2/3 · (3+1)/(5+3) · (1+1)/(5+3) = 2/3 · 1/2 · 1/4 = 1/12
    // ham:  1/3 · (0+1)/(3+3) · (2+1)/(3+3) = 1/3 · 1/6 · 1/2 = 1/36
    double spam = 2.0 / 3 * p(3, 5, 1) * p(1, 5, 1);
    double ham = 1.0 / 3 * p(0, 3, 1) * p(2, 3, 1);
    assertThat(spam).isCloseTo(1.0 / 12, within(1e-15));
    assertThat(ham).isCloseTo(1.0 / 36, within(1e-15));
    float[] probabilities = nb.predictProbabilities(List.of("apple banana durian"))[0];
    assertThat((double) probabilities[1]).isCloseTo(spam / (spam + ham), within(1e-6)); // 3/4
    assertThat((double) probabilities[0]).isCloseTo(ham / (spam + ham), within(1e-6)); // 1/4
    assertThat(nb.logJoint("apple banana durian"))
        .containsExactly(new double[] {Math.log(ham), Math.log(spam)}, within(1e-12));
  }

  @Test
  void repeatedTermsMultiplyAndAlphaSmooths() {
    NaiveBayesBaseline nb = fitted(0.5);
    // "banana banana cherry" with alpha 0.5: each occurrence multiplies its probability in.
    double spam = 2.0 / 3 * Math.pow(p(1, 5, 0.5), 2) * p(1, 5, 0.5);
    double ham = 1.0 / 3 * Math.pow(p(2, 3, 0.5), 2) * p(1, 3, 0.5);
    float[] probabilities = nb.predictProbabilities(List.of("Banana, banana; CHERRY!"))[0];
    assertThat((double) probabilities[0]).isCloseTo(ham / (spam + ham), within(1e-6));
    assertThat((double) probabilities[1]).isCloseTo(spam / (spam + ham), within(1e-6));
  }

  @Test
  void unknownTextGetsThePrior() {
    float[] probabilities = fitted(1.0).predictProbabilities(List.of("durian"))[0];
    assertThat(probabilities).containsExactly(new float[] {1f / 3, 2f / 3}, within(1e-6f));
  }

  @Test
  void longTextsStayFiniteInLogSpace() {
    String longText = "apple ".repeat(100_000);
    float[] probabilities = fitted(1.0).predictProbabilities(List.of(longText))[0];
    assertThat(probabilities[1]).isEqualTo(1f);
    assertThat(probabilities[0]).isBetween(0f, 1e-30f);
  }

  @Test
  void refusesToPredictBeforeFitAndBadAlpha() {
    assertThatThrownBy(() -> new NaiveBayesBaseline().predictProbabilities(List.of("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fit");
    assertThatThrownBy(() -> NaiveBayesBaseline.Options.defaults().withAlpha(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha");
    assertThatThrownBy(() -> new NaiveBayesBaseline().fit(List.of("a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
