package dev.ferry.eval.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.eval.accuracy.AccuracyBenchmark.CurvePoint;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Result;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Score;
import dev.ferry.eval.accuracy.AccuracyBenchmark.TaskInfo;
import dev.ferry.eval.accuracy.AccuracySummary.Check;
import dev.ferry.eval.accuracy.CandidateChoice.Candidate;
import dev.ferry.eval.accuracy.CandidateChoice.Decision;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The summary, the rule that picks the default, the targets and how they print, on a made-up
 * result.
 */
class AccuracySummaryTest {
  private static final String MINILM = "all-minilm-l6-v2";
  private static final String BGE_Q = "bge-small-en-v1.5-q";
  private static final String E5_Q = "e5-small-v2-q";

  /**
   * Movie reviews only, k = 8, 16, 64. TF-IDF 0.60/0.70/0.80; MiniLM linear 0.62/0.68/0.78; bge-q
   * linear 0.70/0.75/0.84 (best, but 0.4x as fast on long documents); e5-q linear 0.69/0.74/0.83
   * and centroid 0.72/0.73/0.74 (0.55x as fast).
   */
  private static Result result() {
    AccuracyConfig config =
        AccuracyConfig.builder(Path.of("data"))
            .encoders(List.of(MINILM, BGE_Q, E5_Q))
            .tasks(List.of(Tasks.MOVIES))
            .shots(List.of(8, 16, 64))
            .seeds(3, 3)
            .build();
    List<CurvePoint> curve = new ArrayList<>();
    curve(curve, null, AccuracyBenchmark.TFIDF_LR, 0.60, 0.70, 0.80);
    curve(curve, MINILM, "linear", 0.62, 0.68, 0.78);
    curve(curve, BGE_Q, "linear", 0.70, 0.75, 0.84);
    curve(curve, E5_Q, "linear", 0.69, 0.74, 0.83);
    curve(curve, E5_Q, "centroid", 0.72, 0.73, 0.74);
    ClassificationMetrics m =
        ClassificationMetrics.compute(
            List.of("negative", "positive"),
            new int[] {0, 0, 1, 1},
            new float[][] {{0.9f, 0.1f}, {0.8f, 0.2f}, {0.3f, 0.7f}, {0.6f, 0.4f}});
    List<Score> scores = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      scores.add(
          new Score(
              Tasks.MOVIES, "250 per class", seed, E5_Q, "linear", m, 400, 100, "40 (20)", 0.5));
    }
    List<EncoderCost.Measurement> costs =
        List.of(
            new EncoderCost.Measurement(MINILM, 300, 3, 30, 210, 3, 600),
            new EncoderCost.Measurement(BGE_Q, 300, 5, 30, 120, 7.5, 500),
            new EncoderCost.Measurement(E5_Q, 300, 300 / 55.0, 30, 120, 5, 520));
    return new Result(
        config,
        LocalDate.of(2026, 12, 5),
        "test machine",
        Map.of(
            Tasks.MOVIES,
            new TaskInfo("Movie-review sentiment", "made up", List.of("250 per class"))),
        scores,
        curve,
        List.of(),
        List.of(),
        costs);
  }

  private static void curve(List<CurvePoint> curve, String encoder, String method, double... f1) {
    int[] ks = {8, 16, 64};
    for (int i = 0; i < ks.length; i++) {
      curve.add(
          new CurvePoint(
              Tasks.MOVIES,
              encoder,
              method,
              ks[i],
              2 * ks[i],
              Map.of(),
              new double[] {f1[i], f1[i], f1[i]}));
    }
  }

  @Test
  void summarizesEachEncoderByItsBestHeadWithItsCost() {
    assertThat(AccuracyReport.summaryTable(result()).markdown())
        .isEqualTo(
            """
            | encoder | best head | mean | movie-reviews | worst gap (task) | short texts/s | × all-minilm-l6-v2 | long docs/s | × all-minilm-l6-v2 | peak RSS MiB |
            |---|---|---:|---:|---:|---:|---:|---:|---:|---:|
            | bge-small-en-v1.5-q | linear | 0.763 | 0.763 | 0 (best on every task) | 60.0 | 0.60 | 4.00 | 0.40 | 500 |
            | e5-small-v2-q | linear | 0.753 | 0.753 | 0.010 (movie-reviews) | 55.0 | 0.55 | 6.00 | 0.60 | 520 |
            | all-minilm-l6-v2 | linear | 0.693 | 0.693 | 0.070 (movie-reviews) | 100.0 | 1.00 | 10.00 | 1.00 | 600 |
            """);
    assertThat(AccuracyReport.rowsTable(result()).markdown())
        .contains(
            "| TF-IDF + LR | — | 0.700 | 0.700 | 0.063 (movie-reviews) |",
            "| centroid | e5-small-v2-q | 0.730 | 0.730 | 0.033 (movie-reviews) |");
    assertThat(AccuracyReport.costTable(result()).markdown())
        .contains("| e5-small-v2-q | 55.0 | 0.55 | 6.00 | 0.60 | 4.0 | 520 |");
  }

  @Test
  void theRulePicksTheBestEncoderThatIsFastEnough() {
    Decision d = AccuracySummary.decide(result());
    assertThat(d.chosen()).map(c -> c.encoder() + " " + c.head()).contains("e5-small-v2-q linear");
    assertThat(d.tooSlow()).extracting(Candidate::encoder).containsExactly(BGE_Q);
    assertThat(d.eligible())
        .extracting(Candidate::head)
        .containsExactly("linear", "centroid", "linear");
    assertThat(AccuracySummary.speedRatio(result(), BGE_Q)).isEqualTo(0.4);
  }

  @Test
  void checksTheTargetsForARow() {
    List<Check> e5 = AccuracySummary.targets(result(), E5_Q, "linear");
    assertThat(e5).extracting(Check::met).containsExactly(false, true, true, true);
    assertThat(e5.get(0).evidence()).isEqualTo("macro-F1 0.733 ± 0.000 over 3 seeds");
    assertThat(e5.get(1).evidence())
        .isEqualTo("0.830 against 0.840 (bge-small-en-v1.5-q, linear): 0.010 behind");
    assertThat(e5.get(2).evidence()).isEqualTo("0.690 ± 0.000 against 0.600 ± 0.000 (+0.090)");
    // No movie-review run for MiniLM: that target is left out.
    assertThat(AccuracySummary.targets(result(), MINILM, "linear"))
        .extracting(Check::met)
        .containsExactly(false, true, false);
    String md = AccuracyReport.markdown(result());
    assertThat(md)
        .contains(
            "**Chosen: e5-small-v2-q with the linear head** (mean macro-F1 0.753, speed 0.55×",
            "Too slow: bge-small-en-v1.5-q (0.40×; best linear 0.763, 0 targets missed).",
            "- **MISSED**: movie reviews, 250 per class (as ferry train trains): macro-F1 >= 0.83",
            "- met: movie-reviews, k=8: above TF-IDF + LR",
            "The same targets for the default the rule was written against (all-minilm-l6-v2 + linear):",
            "### Cost per encoder");
  }

  @Test
  void tiesGoToTheFasterEncoderThenTheLinearHeadAndUnmeasuredSpeedIsNotEnough() {
    Decision d =
        CandidateChoice.choose(
            List.of(
                new Candidate("slow", "linear", 0.8003, 0.6),
                new Candidate("fast", "linear", 0.8000, 0.9),
                new Candidate("unmeasured", "mlp", 0.9, Double.NaN),
                new Candidate("too-slow", "mlp", 0.95, 0.3)),
            0.5);
    assertThat(d.chosen()).map(Candidate::encoder).contains("fast");
    assertThat(d.tooSlow())
        .extracting(Candidate::encoder)
        .containsExactly("unmeasured", "too-slow");
    assertThat(
            CandidateChoice.choose(
                    List.of(
                        new Candidate("a", "linear", 0.80, 0.6),
                        new Candidate("b", "linear", 0.81, 0.9)),
                    0.5)
                .chosen())
        .map(Candidate::encoder)
        .contains("b");
    // Of one encoder's heads within the margin, the linear one.
    assertThat(
            CandidateChoice.choose(
                    List.of(
                        new Candidate("e", "mlp", 0.803, 0.9),
                        new Candidate("e", "linear", 0.800, 0.9),
                        new Candidate("e", "centroid", 0.790, 0.9)),
                    0.5)
                .chosen())
        .map(Candidate::head)
        .contains("linear");
    assertThat(CandidateChoice.choose(List.of(), 0.5).chosen()).isEmpty();
  }

  @Test
  void aTieGoesFirstToThePairThatMissesFewerTargetsThenToTheFasterEncoder() {
    Candidate accurate = new Candidate("accurate", "linear", 0.769, 0.63, 1);
    Candidate fast = new Candidate("fast", "linear", 0.766, 0.72, 3);
    assertThat(CandidateChoice.choose(List.of(fast, accurate), 0.5).chosen()).contains(accurate);
    // Missing as many targets, the faster encoder wins the tie as before.
    Candidate fastToo = new Candidate("fast", "linear", 0.766, 0.72, 1);
    assertThat(CandidateChoice.choose(List.of(accurate, fastToo), 0.5).chosen()).contains(fastToo);
    // Beyond the margin, the score decides whatever the targets say.
    Candidate better = new Candidate("better", "linear", 0.780, 0.6, 4);
    assertThat(CandidateChoice.choose(List.of(accurate, better), 0.5).chosen()).contains(better);
  }
}
