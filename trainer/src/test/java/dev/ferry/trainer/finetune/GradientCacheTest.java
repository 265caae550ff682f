package dev.ferry.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A step whose batch has more tokens than {@link FineTuneSettings#tokensPerPass} runs in passes
 * ({@link GradientCache}) and trains as the one-graph step does: the same losses step after step,
 * so the same updates, for the contrastive loss and for the head's cross-entropy on documents.
 */
class GradientCacheTest {
  private static final long SEED = Long.getLong("ferry.test.seed", 20261205L);

  /** Four documents of two chunks each (the chunks are the test texts, paired in order). */
  private static final FineTuneExamples DOCUMENTS =
      new FineTuneExamples(
          FineTuneTest.TEXTS, FineTuneTest.LABELS, new int[] {0, 0, 1, 1, 2, 2, 3, 3});

  private static Encoder encoder;

  @BeforeAll
  static void open() throws Exception {
    encoder = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, EncoderOptions.defaults());
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void contrastiveStepsInPassesMatchTheOneGraphStep() {
    FineTuneSettings s =
        FineTuneSettings.contrastive()
            .withUnfreeze(2)
            .withEpochs(3)
            .withBatchSize(4)
            .withLearningRate(1e-4)
            .withDropout(0)
            .withSeed(SEED);
    // 8 chunks a step: one graph, or a pass per chunk (each is longer than one token).
    FineTuneResult whole = train(s.withTokensPerPass(10_000));
    FineTuneResult passes = train(s.withTokensPerPass(1));
    assertSameTraining(whole, passes);
    assertThat(whole.headWeight()).isNull();
  }

  @Test
  void classifierStepsInPassesMatchTheOneGraphStep() {
    FineTuneSettings s =
        FineTuneSettings.finetune()
            .withUnfreeze(1)
            .withEpochs(3)
            .withBatchSize(4)
            .withDropout(0)
            .withSeed(SEED);
    // Passes of two or three chunks of about 12 tokens, documents split between passes.
    FineTuneResult whole = train(s.withTokensPerPass(10_000));
    FineTuneResult passes = train(s.withTokensPerPass(40));
    assertSameTraining(whole, passes);
    float[] a = whole.headWeight().floats();
    float[] b = passes.headWeight().floats();
    for (int i = 0; i < a.length; i++) {
      assertThat(b[i]).as("head weight %d", i).isCloseTo(a[i], within(1e-4f));
    }
  }

  @Test
  void dropoutInPassesTrainsAndRepeats() {
    FineTuneSettings s =
        FineTuneSettings.contrastive()
            .withUnfreeze(1)
            .withEpochs(2)
            .withBatchSize(4)
            .withLearningRate(1e-4)
            .withSeed(SEED)
            .withTokensPerPass(30);
    FineTuneResult first = train(s);
    assertThat(first.stepLosses()).hasSize(2).allSatisfy(l -> assertThat(l).isFinite());
    assertThat(train(s).stepLosses()).isEqualTo(first.stepLosses());
  }

  @Test
  void passesHoldAtMostTheTokensAsPaddedAndKeepTheOrder() {
    long[][] ids = {new long[10], new long[4], new long[6], new long[30], new long[5], new long[5]};
    int[][] passes = Batches.passes(ids, new int[] {0, 1, 2, 3, 4, 5}, 20);
    // 10+4 → 2 × 10 = 20; adding 6 → 30 > 20. 6 alone; 30 alone (longer than the bound); 5, 5.
    assertThat(passes)
        .isDeepEqualTo(
            new int[][] {new int[] {0, 1}, new int[] {2}, new int[] {3}, new int[] {4, 5}});
    assertThat(Batches.passes(ids, new int[] {5, 4, 1}, 1_000))
        .isDeepEqualTo(new int[][] {{5, 4, 1}});
  }

  private static FineTuneResult train(FineTuneSettings s) {
    return FineTuner.train(encoder, DOCUMENTS, null, 2, s, Checkpoints.NONE, FineTuneListener.NONE);
  }

  /** The same loss at every step: the parameters after each update agree too. */
  private static void assertSameTraining(FineTuneResult whole, FineTuneResult passes) {
    List<Double> a = whole.stepLosses();
    List<Double> b = passes.stepLosses();
    assertThat(b).hasSameSizeAs(a).hasSize(3); // one step of four documents per epoch
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i))
          .as("loss at step %d", i + 1)
          .isCloseTo(a.get(i), within(1e-4 * (1 + Math.abs(a.get(i)))));
    }
    // Training moved the loss: the comparison is not between two untouched encoders.
    assertThat(a.getLast()).isNotCloseTo(a.getFirst(), within(1e-3));
  }
}
