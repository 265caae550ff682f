package dev.ferry.trainer.selection;

import static dev.ferry.models.encoder.BuiltinEncoder.ALL_MINILM_L6_V2_Q;
import static dev.ferry.models.encoder.BuiltinEncoder.BGE_SMALL_EN_V15_Q;
import static dev.ferry.models.encoder.BuiltinEncoder.E5_SMALL_V2_Q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The choice rule and the budget, on fabricated fold scores and speeds. */
class EncoderChoiceTest {
  private static final Map<BuiltinEncoder, Double> SPEED =
      Map.of(ALL_MINILM_L6_V2_Q, 300.0, BGE_SMALL_EN_V15_Q, 120.0, E5_SMALL_V2_Q, 110.0);

  private static EncoderSelection.Pick pick(BuiltinEncoder e, HeadKind kind, double... folds) {
    return new EncoderSelection.Pick(e, HeadSettings.defaults(kind), new FoldScores(folds));
  }

  @Test
  void choosesTheHighestMeanMacroF1() {
    List<EncoderSelection.Pick> pairs =
        List.of(
            pick(ALL_MINILM_L6_V2_Q, HeadKind.LINEAR, 0.70, 0.74, 0.72),
            pick(ALL_MINILM_L6_V2_Q, HeadKind.MLP, 0.71, 0.73, 0.69),
            pick(BGE_SMALL_EN_V15_Q, HeadKind.LINEAR, 0.83, 0.85, 0.84),
            pick(BGE_SMALL_EN_V15_Q, HeadKind.MLP, 0.80, 0.82, 0.81),
            pick(E5_SMALL_V2_Q, HeadKind.LINEAR, 0.82, 0.83, 0.81));
    List<EncoderSelection.Pick> ranked = Chooser.choose(pairs, SPEED);
    assertThat(ranked.get(0)).isSameAs(pairs.get(2));
    assertThat(ranked.get(1)).isSameAs(pairs.get(4));
    // A better fold score for e5 moves the choice with it.
    List<EncoderSelection.Pick> changed =
        List.of(pairs.get(2), pick(E5_SMALL_V2_Q, HeadKind.LINEAR, 0.86, 0.87, 0.85));
    assertThat(Chooser.choose(changed, SPEED).get(0).encoder()).isEqualTo(E5_SMALL_V2_Q);
  }

  @Test
  void aTieWithinTheMarginGoesToTheFasterEncoder() {
    EncoderSelection.Pick bge = pick(BGE_SMALL_EN_V15_Q, HeadKind.LINEAR, 0.844, 0.844);
    EncoderSelection.Pick minilm = pick(ALL_MINILM_L6_V2_Q, HeadKind.LINEAR, 0.840, 0.840);
    List<EncoderSelection.Pick> ranked = Chooser.choose(List.of(bge, minilm), SPEED);
    assertThat(ranked.get(0)).isSameAs(minilm);
    assertThat(ranked.get(1)).isSameAs(bge);
    // Beyond the margin the score wins, however slow.
    EncoderSelection.Pick clearlyBetter = pick(BGE_SMALL_EN_V15_Q, HeadKind.LINEAR, 0.846, 0.846);
    assertThat(Chooser.choose(List.of(clearlyBetter, minilm), SPEED).get(0))
        .isSameAs(clearlyBetter);
    // Equal speed (one encoder, two heads): the higher score.
    EncoderSelection.Pick mlp = pick(ALL_MINILM_L6_V2_Q, HeadKind.MLP, 0.842, 0.842);
    assertThat(Chooser.choose(List.of(minilm, mlp), SPEED).get(0)).isSameAs(mlp);
  }

  @Test
  void aSummaryNamesTheChoiceTheFoldsAndTheNextBest() {
    EncoderSelection.Pick bge = pick(BGE_SMALL_EN_V15_Q, HeadKind.LINEAR, 0.84, 0.86);
    EncoderSelection.Pick e5 = pick(E5_SMALL_V2_Q, HeadKind.LINEAR, 0.80, 0.82);
    EncoderSelection selection =
        new EncoderSelection(
            SelectionSettings.builder()
                .candidates(List.of(BGE_SMALL_EN_V15_Q, E5_SMALL_V2_Q))
                .heads(List.of(HeadKind.LINEAR))
                .build(),
            2,
            42,
            List.of(
                new EncoderSelection.Candidate(
                    BGE_SMALL_EN_V15_Q, 120, 10, 1, Map.of(HeadKind.LINEAR, bge.scores()), null),
                new EncoderSelection.Candidate(
                    E5_SMALL_V2_Q, 110, 10, 1, Map.of(HeadKind.LINEAR, e5.scores()), null)),
            bge,
            e5);
    assertThat(selection.summary())
        .isEqualTo(
            "Chose bge-small-en-v1.5-q + linear: cross-validated macro-F1 0.850 ± 0.014 (2 folds),"
                + " best of 2 encoders x 1 head; next best e5-small-v2-q + linear 0.810");
    assertThat(selection.toJson().get("chosen").get("encoder").asText())
        .isEqualTo("bge-small-en-v1.5-q");
  }

  @Test
  void theBudgetLeavesOutTheSlowestFirst() {
    List<Budget.Estimate> estimates =
        List.of(
            new Budget.Estimate(ALL_MINILM_L6_V2_Q, 100, 1000), // 10 s
            new Budget.Estimate(BGE_SMALL_EN_V15_Q, 40, 1000), // 25 s
            new Budget.Estimate(E5_SMALL_V2_Q, 50, 1000)); // 20 s
    Duration budget = Duration.ofSeconds(60);
    assertThat(Budget.leaveOut(estimates, 60, budget)).isEmpty();
    assertThat(Budget.leaveOut(estimates, 40, budget)).containsExactly(BGE_SMALL_EN_V15_Q);
    assertThat(Budget.leaveOut(estimates, 15, budget))
        .containsExactly(BGE_SMALL_EN_V15_Q, E5_SMALL_V2_Q);
  }

  @Test
  void aCachedCandidateCostsNothingAndStays() {
    List<Budget.Estimate> estimates =
        List.of(
            new Budget.Estimate(ALL_MINILM_L6_V2_Q, 100, 1000), // 10 s
            new Budget.Estimate(BGE_SMALL_EN_V15_Q, 40, 0)); // cached: 0 s
    assertThat(Budget.leaveOut(estimates, 12, Duration.ofSeconds(12))).isEmpty();
    assertThat(Budget.leaveOut(estimates, 5, Duration.ofSeconds(5)))
        .containsExactly(ALL_MINILM_L6_V2_Q);
  }

  @Test
  void aBudgetTooSmallForTheFastestSaysWhatItNeeds() {
    List<Budget.Estimate> estimates =
        List.of(
            new Budget.Estimate(ALL_MINILM_L6_V2_Q, 100, 4200), // 42 s
            new Budget.Estimate(BGE_SMALL_EN_V15_Q, 40, 4200));
    assertThatThrownBy(() -> Budget.leaveOut(estimates, 10, Duration.ofSeconds(10)))
        .isInstanceOf(BudgetTooSmallException.class)
        .hasMessageStartingWith("budget 10s is too small for even the fastest candidate")
        .hasMessageContaining("all-minilm-l6-v2-q needs about 42 s to embed 4,200 texts")
        .hasMessageContaining("at least 42s");
  }

  @Test
  void settingsRefuseUnknownCandidatesListingTheBuiltIns() {
    assertThatThrownBy(
            () -> SelectionSettings.builder().candidateIds(List.of("all-minilm-l6-v2-q", "bert")))
        .hasMessageStartingWith("candidates must be built-in encoders; 'bert' is not one of")
        .hasMessageContaining(BuiltinEncoder.ids());
    assertThat(SelectionSettings.defaults().candidates())
        .containsExactly(ALL_MINILM_L6_V2_Q, BGE_SMALL_EN_V15_Q, E5_SMALL_V2_Q);
    assertThatThrownBy(() -> SelectionSettings.builder().budget(Duration.ZERO).build())
        .hasMessageStartingWith("budget must be longer than 0");
  }
}
