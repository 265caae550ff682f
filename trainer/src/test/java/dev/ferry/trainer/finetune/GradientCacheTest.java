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
 * A step whose batch has more chunks than {@link FineTuneSettings#chunksPerPass} runs in passes
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
    // 8 chunks a step: one graph, or passes of 3, 3 and 2 (a document split between two).
    FineTuneResult whole = train(s.withChunksPerPass(8));
    FineTuneResult passes = train(s.withChunksPerPass(3));
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
    FineTuneResult whole = train(s.withChunksPerPass(16));
    FineTuneResult passes = train(s.withChunksPerPass(5));
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
            .withChunksPerPass(2);
    FineTuneResult first = train(s);
    assertThat(first.stepLosses()).hasSize(2).allSatisfy(l -> assertThat(l).isFinite());
    assertThat(train(s).stepLosses()).isEqualTo(first.stepLosses());
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
