package dev.ferry.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The contrastive objectives (in-batch cosine pairs, supervised contrastive) and every layer
 * trained above frozen embedding tables: gradients against finite differences, batches balanced
 * over the labels, and training that pulls texts of one label together.
 */
class ContrastiveTest extends MiniLmTest {
  private static final long SEED = Long.getLong("ferry.test.seed", 20261205L);
  private static final List<String> TEXTS = FineTuneTest.TEXTS;
  private static final int[] LABELS = FineTuneTest.LABELS;

  /**
   * Both losses, over documents of one and two chunks (their chunks' token-weighted mean), have the
   * gradient finite differences give, in the top layer and in the lowest one above the frozen
   * embedding tables.
   */
  @Test
  void contrastiveGradientsMatchFiniteDifferences() {
    long[][] ids = {
      encoder.tokenIds(TEXTS.get(0)),
      encoder.tokenIds(TEXTS.get(1)),
      encoder.tokenIds(TEXTS.get(2)),
      encoder.tokenIds(TEXTS.get(5))
    };
    Batches.Units units =
        new Batches.Units(new int[][] {{0, 1}, {2}, {3}}, new int[] {0, 0, 1}, true);
    int[] batch = {0, 1, 2};
    List<String> failures = new ArrayList<>();
    for (Objective objective : List.of(Objective.COSINE_PAIRS, Objective.SUPCON)) {
      FineTuneGraphs.Spec spec =
          new FineTuneGraphs.Spec(
                  model,
                  model.layerCount(),
                  2,
                  encoder.descriptor().pooling(),
                  encoder.descriptor().normalize())
              .onDocuments(ChunkPooling.TOKEN_WEIGHTED_MEAN)
              .withObjective(objective, 0.5)
              .withTrainEmbeddings(false);
      assertThat(spec.cut()).isEqualTo(model.embeddingsOutput());
      assertThat(FineTuneGraphs.parameters(spec))
          .doesNotContain("embeddings.word_embeddings.weight", FineTuneGraphs.HEAD_WEIGHT)
          .hasSize(model.topLayerParameters(model.layerCount()).size());
      Map<String, HostTensor> feed = new HashMap<>();
      float[][] cached =
          FrozenLayers.run(spec, ids, dev.ferry.models.encoder.ExecutionProvider.CPU, 1);
      Batches.inputs(spec, ids, cached, units, batch)
          .forEach((name, t) -> feed.put(name, doubles(t)));
      Batches.pairInputs(spec, batch, units.labels(batch))
          .forEach((name, t) -> feed.put(name, doubles(t)));
      for (String p : FineTuneGraphs.parameters(spec)) {
        feed.put(p, doubles(model.parameter(p)));
      }
      try (GraphSession session =
          new GraphSession(
              FineTuneGraphs.lossAndGradients(spec, ElementType.DOUBLE).toBytes(), 1, false)) {
        Map<String, HostTensor> analytic = session.run(feed);
        assertThat(analytic.get(FineTuneGraphs.LOSS).get(0)).as(objective.id()).isPositive();
        for (String p :
            List.of(
                matrixOf(model.layerCount() - 1),
                matrixOf(0),
                "encoder.layer.0.attention.output.LayerNorm.bias")) {
          HostTensor grad = analytic.get(InPlaceAdamW.gradient(p));
          for (int i : FineTuneTest.largest(grad, 0, grad.size(), 2)) {
            FineTuneTest.checkCoordinate(session, feed, p, i, grad, failures);
          }
        }
      }
    }
    assertThat(failures).as("seed " + SEED).isEmpty();
  }

  @Test
  void pairInputsWeighPositiveAndNegativePairsHalfEachAndNeverATextWithItself() {
    FineTuneGraphs.Spec spec =
        new FineTuneGraphs.Spec(model, 1, 2, encoder.descriptor().pooling(), true)
            .withObjective(Objective.COSINE_PAIRS, 1);
    // Unit 7 twice (a small label repeated to fill its share of the batch).
    int[] units = {3, 7, 7, 9};
    int[] labels = {0, 1, 1, 0};
    Map<String, HostTensor> in = Batches.pairInputs(spec, units, labels);
    float[] w = in.get(FineTuneGraphs.PAIR_WEIGHT).floats();
    float[] t = in.get(FineTuneGraphs.PAIR_TARGET).floats();
    double positive = 0;
    double negative = 0;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        if (units[i] == units[j]) {
          assertThat(w[i * 4 + j]).isZero();
        } else if (labels[i] == labels[j]) {
          positive += w[i * 4 + j];
          assertThat(t[i * 4 + j]).isEqualTo(1);
        } else {
          negative += w[i * 4 + j];
          assertThat(t[i * 4 + j]).isZero();
        }
      }
    }
    assertThat(positive).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(negative).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));

    Map<String, HostTensor> supcon =
        Batches.pairInputs(spec.withObjective(Objective.SUPCON, 0.1), units, labels);
    float[] target = supcon.get(FineTuneGraphs.PAIR_TARGET).floats();
    double total = 0;
    for (float v : target) {
      total += v;
    }
    // Two anchors (units 3 and 9) have a positive; the repeated unit 7 is not its own.
    assertThat(total).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(supcon.get(FineTuneGraphs.PAIR_WEIGHT).floats()[1 * 4 + 2]).isNegative();
  }

  @Test
  void balancedBatchesTakeTheLabelsInTurn() {
    // 9 of label 0, 3 of label 1, 2 of label 2; batches of 6: two of each.
    int[] labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
    int[] order = Batches.balancedOrder(labels, 3, 6, new Random(SEED));
    assertThat(order).hasSize(labels.length);
    for (int from = 0; from + 6 <= order.length; from += 6) {
      int[] count = new int[3];
      for (int k = from; k < from + 6; k++) {
        count[labels[order[k]]]++;
      }
      assertThat(count).as("batch at " + from).containsExactly(2, 2, 2);
    }
    assertThat(Batches.balancedOrder(labels, 3, 6, new Random(SEED))).isEqualTo(order);
  }

  /**
   * A few epochs of the contrastive preset on the top two layers bring texts of the same label
   * closer than texts of different labels, more than before; the result has no head, and every
   * layer with frozen tables leaves the tables exactly as they were.
   */
  @Test
  void contrastiveTrainingPullsTextsOfOneLabelTogether() throws Exception {
    double before = separation(encoder);
    FineTuneSettings settings =
        FineTuneSettings.contrastive()
            .withUnfreeze(2)
            .withEpochs(6)
            .withBatchSize(8)
            .withLearningRate(1e-4)
            .withSeed(SEED);
    FineTuneResult r = FineTuner.train(encoder, TEXTS, LABELS, 2, settings);
    assertThat(r.headWeight()).isNull();
    assertThat(r.history()).hasSize(6);
    assertThat(r.history().getLast().trainLoss()).isLessThan(r.history().getFirst().trainLoss());
    Path dir = Files.createTempDirectory("ferry-contrastive-test");
    TunedEncoderWriter.TunedEncoder tuned =
        TunedEncoderWriter.write(encoder, r, "contrastive", dir);
    double after;
    try (Encoder e = tuned.open(EncoderOptions.defaults())) {
      after = separation(e);
    }
    System.out.printf(
        "contrastive, top 2 layers, 6 epochs: same-label minus other-label cosine %.3f -> %.3f%n",
        before, after);
    assertThat(after).isGreaterThan(before + 0.1);
    assertThat(tuned.descriptor().id()).isEqualTo("all-minilm-l6-v2+contrastive");

    // Every layer, the tables frozen: one epoch changes layer 0 and leaves the tables alone.
    FineTuneResult all =
        FineTuner.train(
            encoder,
            TEXTS,
            LABELS,
            2,
            settings.withUnfreeze(FineTuneSettings.ALL).withTrainEmbeddings(false).withEpochs(1));
    OnnxImport reread = OnnxImport.of(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(all.encoderOnnx()));
    assertThat(reread.parameter("embeddings.word_embeddings.weight").floats())
        .isEqualTo(model.parameter("embeddings.word_embeddings.weight").floats());
    assertThat(reread.parameter(matrixOf(0)).floats())
        .isNotEqualTo(model.parameter(matrixOf(0)).floats());
  }

  /** Mean cosine of same-label pairs minus that of other-label pairs. */
  private static double separation(Encoder e) {
    float[][] v = e.embed(TEXTS);
    double same = 0;
    double other = 0;
    int sameCount = 0;
    int otherCount = 0;
    for (int i = 0; i < v.length; i++) {
      for (int j = i + 1; j < v.length; j++) {
        double c = 0;
        for (int d = 0; d < v[i].length; d++) {
          c += v[i][d] * v[j][d];
        }
        if (LABELS[i] == LABELS[j]) {
          same += c;
          sameCount++;
        } else {
          other += c;
          otherCount++;
        }
      }
    }
    return same / sameCount - other / otherCount;
  }

  private static HostTensor doubles(HostTensor t) {
    return t.type() == ElementType.FLOAT ? HostTensor.of(t.toDoubles(), t.shape()) : t;
  }

  private static String matrixOf(int layer) {
    return FineTuneTest.matrixOf(model, layer);
  }
}
