package dev.ferry.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.ferry.autodiff.GraphBuilder;
import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.loop.CrossEntropy;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fine-tuning MiniLM: the whole encoder's gradient against finite differences, and training that
 * learns.
 */
class FineTuneTest extends MiniLmTest {
  private static final long SEED = Long.getLong("ferry.test.seed", 20261122L);
  static final List<String> TEXTS =
      List.of(
          "Sunny skies and a warm breeze all afternoon.",
          "Heavy rain and thunderstorms are expected tonight.",
          "Snow is falling over the mountains this morning.",
          "A cold wind and fog along the coast today.",
          "The central bank raised interest rates by half a point.",
          "Shares fell sharply after the quarterly earnings report.",
          "The company issued new bonds to refinance its debt.",
          "Investors sold stocks as inflation data surprised markets.");
  static final int[] LABELS = {0, 0, 0, 0, 1, 1, 1, 1};

  @Test
  void wholeEncoderGradientMatchesFiniteDifferences() {
    // Every parameter trains (embeddings included); the graph runs in float64 (Erf in float32).
    long start = System.nanoTime();
    FineTuneGraphs.Spec spec =
        new FineTuneGraphs.Spec(
            model,
            model.layerCount(),
            2,
            encoder.descriptor().pooling(),
            encoder.descriptor().normalize());
    Random random = new Random(SEED);
    long[][] ids = {encoder.tokenIds(TEXTS.get(0)), encoder.tokenIds(TEXTS.get(4))};
    Map<String, HostTensor> feed = new HashMap<>(Batches.tokens(ids, new int[] {0, 1}));
    feed.put(FineTuneGraphs.TARGET, HostTensor.of(new double[] {0.5, 0, 0, 0.5}, 2, 2));
    FineTuneState.initialValues(spec, model, random)
        .forEach(
            (name, t) -> {
              if (FineTuneGraphs.parameters(spec).contains(name)) {
                feed.put(name, HostTensor.of(t.toDoubles(), t.shape()));
              }
            });
    String wordEmbeddings = "embeddings.word_embeddings.weight";
    // A weight of the lowest and of the highest layer, a LayerNorm bias, the embeddings, the head.
    List<String> checked =
        List.of(
            wordEmbeddings,
            matrixOf(0),
            matrixOf(model.layerCount() - 1),
            "encoder.layer.2.output.LayerNorm.bias",
            "embeddings.LayerNorm.weight",
            FineTuneGraphs.HEAD_WEIGHT);
    List<String> failures = new ArrayList<>();
    double worst = 0;
    try (GraphSession session =
        new GraphSession(
            FineTuneGraphs.lossAndGradients(spec, ElementType.DOUBLE).toBytes(), 1, false)) {
      Map<String, HostTensor> analytic = session.run(feed);
      for (String p : checked) {
        HostTensor grad = analytic.get(InPlaceAdamW.gradient(p));
        // The coordinates with the largest gradient (for the embeddings: of the first text's first
        // word).
        int from = 0;
        int to = grad.size();
        if (p.equals(wordEmbeddings)) {
          int dim = (int) grad.shape()[1];
          from = (int) ids[0][1] * dim;
          to = from + dim;
        }
        for (int i : largest(grad, from, to, 1)) {
          worst = Math.max(worst, checkCoordinate(session, feed, p, i, grad, failures));
        }
      }
    }
    System.out.printf(
        "MiniLM whole-encoder gradient vs finite differences: worst relative error %.2e (%.1f s)%n",
        worst, (System.nanoTime() - start) / 1e9);
    assertThat(failures).as("seed " + SEED).isEmpty();
  }

  @Test
  void topTwoLayersLearnATinyTwoClassSet() throws Exception {
    // Each text its own example, all in one step, from a random head: the loss has all to learn.
    FineTuneSettings settings =
        FineTuneSettings.finetune()
            .withUnfreeze(2)
            .withEpochs(6)
            .onChunks()
            .withHeadStart(HeadStart.RANDOM)
            .withMaxTokens(128);
    FineTuneResult result = FineTuner.train(encoder, TEXTS, LABELS, 2, settings);
    List<Double> losses = result.stepLosses();
    System.out.println(
        "fine-tuning losses " + losses + ", " + result.examplesPerSecond() + " examples/s");
    assertThat(losses).hasSize(6);
    assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) * 0.8);

    // The exported encoder is the original inference graph with the top two layers changed.
    Map<String, HostTensor> tokens =
        Batches.tokens(new long[][] {encoder.tokenIds(TEXTS.get(0))}, new int[] {0});
    try (GraphSession original = new GraphSession(Files.readAllBytes(encoder.modelFile()), 1);
        GraphSession tuned = new GraphSession(result.encoderOnnx(), 1)) {
      HostTensor before = original.run(tokens).get("last_hidden_state");
      HostTensor after = tuned.run(tokens).get("last_hidden_state");
      assertThat(after.shape()).isEqualTo(before.shape());
      assertThat(after.toDoubles()).isNotEqualTo(before.toDoubles());
    }
    OnnxImport reread =
        OnnxImport.of(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(result.encoderOnnx()));
    assertThat(reread.parameter(matrixOf(0)).floats())
        .isEqualTo(model.parameter(matrixOf(0)).floats());
    assertThat(reread.parameter(matrixOf(5)).floats())
        .isNotEqualTo(model.parameter(matrixOf(5)).floats());
  }

  /**
   * The document objective's graph (first chunk, token-weighted mean, maximum over slots, a
   * document padding its slots with its first chunk) has the gradient finite differences give.
   */
  @Test
  void documentObjectiveGradientMatchesFiniteDifferences() {
    FineTuneGraphs.Spec spec =
        new FineTuneGraphs.Spec(
                model,
                model.layerCount(),
                2,
                encoder.descriptor().pooling(),
                encoder.descriptor().normalize())
            .onDocuments(ChunkPooling.FIRST_MEAN_MAX);
    long[][] ids = {
      encoder.tokenIds(TEXTS.get(0)), encoder.tokenIds(TEXTS.get(1)), encoder.tokenIds(TEXTS.get(5))
    };
    Batches.Units units = new Batches.Units(new int[][] {{0, 1}, {2}}, new int[] {0, 1}, true);
    Map<String, HostTensor> feed = new HashMap<>(Batches.tokens(ids, new int[] {0, 1, 2}));
    Batches.documentInputs(ChunkPooling.FIRST_MEAN_MAX, units, new int[] {0, 1}, ids)
        .forEach((name, t) -> feed.put(name, HostTensor.of(t.toDoubles(), t.shape())));
    feed.put(FineTuneGraphs.TARGET, HostTensor.of(new double[] {0.5, 0, 0, 0.5}, 2, 2));
    FineTuneState.initialValues(spec, model, new Random(SEED))
        .forEach(
            (name, t) -> {
              if (FineTuneGraphs.parameters(spec).contains(name)) {
                feed.put(name, HostTensor.of(t.toDoubles(), t.shape()));
              }
            });
    assertThat(feed.get(FineTuneGraphs.HEAD_WEIGHT).shape()).isEqualTo(new long[] {3 * 384, 2});
    List<String> failures = new ArrayList<>();
    try (GraphSession session =
        new GraphSession(
            FineTuneGraphs.lossAndGradients(spec, ElementType.DOUBLE).toBytes(), 1, false)) {
      Map<String, HostTensor> analytic = session.run(feed);
      for (String p : List.of(matrixOf(model.layerCount() - 1), FineTuneGraphs.HEAD_WEIGHT)) {
        HostTensor grad = analytic.get(InPlaceAdamW.gradient(p));
        // The largest coordinates, and for the head one in each block (first, mean, max).
        List<Integer> coordinates = new ArrayList<>();
        for (int i : largest(grad, 0, grad.size(), 2)) {
          coordinates.add(i);
        }
        if (p.equals(FineTuneGraphs.HEAD_WEIGHT)) {
          for (int block = 0; block < 3; block++) {
            coordinates.add(largest(grad, block * 384 * 2, (block + 1) * 384 * 2, 1)[0]);
          }
        }
        for (int i : coordinates) {
          checkCoordinate(session, feed, p, i, grad, failures);
        }
      }
    }
    assertThat(failures).as("seed " + SEED).isEmpty();
  }

  /**
   * Trained on whole documents, the head reads each as the bundle will ({@code first_mean_max} of
   * its chunks): the held-out loss the training graphs report equals the loss of the result's head
   * on {@link Encoder#embedDocuments} pooled by {@link ChunkPooling#features}. (A learning rate of
   * 1e-9 leaves the encoder as it was, so the base encoder reads the documents.)
   */
  @Test
  void documentObjectiveScoresDocumentsAsTheBundleReadsThem() {
    Chunking chunking =
        FineTuneSettings.finetune().withMaxTokens(16).chunking(Chunking.DEFAULT, 16);
    // Words of one token each, so that the chunks' pieces tokenize again to the same tokens.
    List<String> documents =
        List.of(
            "the rain fell all day and the wind was cold and the sky was dark over the hills and"
                + " the snow came down at night",
            "the sun was out and the air was warm",
            "the bank sold the stock and the market fell on the news and the price of the bonds"
                + " went up as the rates rose",
            "the firm paid its debt and the shares rose");
    int[] labels = {0, 0, 1, 1};
    FineTuneExamples examples = FineTuneExamples.chunks(encoder, chunking, documents, labels);
    assertThat(examples.size()).isGreaterThan(documents.size());
    assertThat(examples.documents()[examples.size() - 1]).isEqualTo(3);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new FineTuneExamples(List.of("a", "b"), new int[] {0, 1}, new int[] {0, 0}))
        .hasMessageContaining(
            "text 1: documents must number 0, 1, 2, … in order, each with one label");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new FineTuneExamples(List.of("a", "b"), new int[] {0, 1}, new int[] {0, 2}))
        .hasMessageContaining("got document 2 after 0");
    FineTuneSettings settings =
        FineTuneSettings.finetune()
            .withUnfreeze(1)
            .withEpochs(1)
            .withBatchSize(2)
            .withMaxTokens(16)
            .withDropout(0)
            .withLearningRate(1e-9)
            .withHeadStart(HeadStart.PROBE)
            .onDocuments(ChunkPooling.FIRST_MEAN_MAX);
    FineTuneResult r =
        FineTuner.train(
            encoder, examples, examples, 2, settings, Checkpoints.NONE, FineTuneListener.NONE);
    assertThat(r.stepLosses()).hasSize(2); // 2 documents per step
    assertThat(r.headWeight().shape()).isEqualTo(new long[] {3 * 384, 2});
    float[][] features =
        encoder.embedDocuments(documents, chunking).stream()
            .map(ChunkPooling.FIRST_MEAN_MAX::features)
            .toArray(float[][]::new);
    byte[] head = r.head().onnx(3 * 384, 2);
    float[][] p =
        new TrainedHead(
                HeadSettings.defaults(HeadKind.LINEAR),
                3 * 384,
                2,
                head,
                List.of(),
                0,
                Double.NaN,
                0)
            .probabilities(features);
    double bundleLoss = CrossEntropy.mean(p, labels);
    System.out.println(
        "document objective: held-out loss "
            + r.history().get(0).validLoss()
            + " in training, "
            + bundleLoss
            + " as the bundle reads the documents");
    assertThat(r.history().get(0).validLoss())
        .isCloseTo(bundleLoss, org.assertj.core.data.Percentage.withPercentage(0.1));
    assertThat(r.history().get(0).validAccuracy()).isEqualTo(1.0);
  }

  /**
   * By default every layer above the embedding tables trains, a step takes 4 whole texts, the head
   * reads first_mean_max of their chunks of the model's whole window and starts from a probe, and
   * the epochs come to about 60 steps; the result says what was resolved.
   */
  @Test
  void defaultsTrainOnWholeTextsOfTheModelWindowFromAProbeForAboutSixtySteps() {
    FineTuneSettings defaults = FineTuneSettings.finetune();
    // Every layer above the frozen embedding tables (the suite's choice at 64 per class).
    assertThat(defaults.unfreeze()).isEqualTo(FineTuneSettings.ALL);
    assertThat(defaults.trainEmbeddings()).isFalse();
    assertThat(defaults.trainOn() == TrainOn.DOCUMENTS ? defaults.chunkPooling() : null)
        .isEqualTo(ChunkPooling.FIRST_MEAN_MAX);
    assertThat(defaults.headStart() == HeadStart.PROBE).isTrue();
    assertThat(defaults.batchSize()).isEqualTo(4);
    assertThat(defaults.maxTokensFor(256)).isEqualTo(256);
    assertThat(defaults.withMaxTokens(128).maxTokensFor(256)).isEqualTo(128);
    assertThat(defaults.withMaxTokens(512).maxTokensFor(256)).isEqualTo(256);
    assertThat(defaults.epochsFor(8)).isEqualTo(20); // 2 steps an epoch: capped at 20 epochs
    assertThat(defaults.epochsFor(48)).isEqualTo(5); // 12 steps an epoch
    assertThat(defaults.epochsFor(1000)).isEqualTo(3); // 250 steps an epoch: at least 3 epochs
    assertThat(defaults.withEpochs(7).epochsFor(1000)).isEqualTo(7);
    assertThatThrownBy(() -> defaults.withEpochs(-1))
        .hasMessageContaining("epochs must be at least 1");
    assertThatThrownBy(() -> defaults.withMaxTokens(4))
        .hasMessageContaining("max tokens must be at least 8");

    FineTuneResult r =
        FineTuner.train(encoder, TEXTS, LABELS, 2, defaults.withUnfreeze(1).withEpochs(1));
    assertThat(r.settings().maxTokens()).isEqualTo(encoder.descriptor().maxLength());
    assertThat(r.settings().epochs()).isEqualTo(1);
    assertThat(r.stepLosses()).hasSize((TEXTS.size() + 3) / 4);
    assertThat(r.headWeight().shape()).containsExactly(3L * encoder.descriptor().dimension(), 2L);
  }

  /**
   * LP-FT: a head started from a linear probe on the untrained encoder already separates the
   * training examples, so the first step's loss (computed before any update) is far below a random
   * head's, and training goes on from there.
   */
  @Test
  void probeHeadStartsFromAHeadThatAlreadyFits() {
    FineTuneSettings settings =
        FineTuneSettings.finetune()
            .withUnfreeze(1)
            .withEpochs(2)
            .withBatchSize(8)
            .withMaxTokens(32)
            .withDropout(0);
    FineTuneResult random =
        FineTuner.train(encoder, TEXTS, LABELS, 2, settings.withHeadStart(HeadStart.RANDOM));
    FineTuneResult probed =
        FineTuner.train(encoder, TEXTS, LABELS, 2, settings.withHeadStart(HeadStart.PROBE));
    System.out.println(
        "first-step loss: random head "
            + random.stepLosses().get(0)
            + ", probe head "
            + probed.stepLosses().get(0));
    assertThat(random.stepLosses().get(0))
        .isGreaterThan(0.6); // about ln 2: a random head knows nothing
    assertThat(probed.stepLosses().get(0)).isLessThan(random.stepLosses().get(0) / 2);
    assertThat(probed.stepLosses()).hasSize(2);
    assertThat(probed.headWeight().floats()).isNotEqualTo(random.headWeight().floats());
  }

  /**
   * {@code --device cuda} on a machine or build without CUDA: the training graphs fall back to the
   * CPU (one warning), the result says so, and training is the very same as on the CPU.
   */
  @Test
  void cudaAskedForWithoutCudaTrainsOnTheCpuExactlyAsTheCpuDoes() throws Exception {
    FineTuneSettings settings =
        FineTuneSettings.finetune().withUnfreeze(1).withEpochs(2).withMaxTokens(32);
    FineTuneResult cpu = FineTuner.train(encoder, TEXTS, LABELS, 2, settings);
    assertThat(cpu.device()).isEqualTo(ExecutionProvider.CPU);
    try (Encoder onCuda =
        Encoder.open(
            BuiltinEncoder.ALL_MINILM_L6_V2,
            EncoderOptions.defaults().withExecutionProvider(ExecutionProvider.CUDA))) {
      assumeThat(onCuda.executionProvider())
          .as("this build or machine has CUDA")
          .isEqualTo(ExecutionProvider.CPU);
      FineTuneResult asked = FineTuner.train(onCuda, TEXTS, LABELS, 2, settings);
      assertThat(asked.device()).isEqualTo(ExecutionProvider.CPU);
      assertThat(asked.stepLosses()).isEqualTo(cpu.stepLosses());
      assertThat(asked.headWeight().floats()).isEqualTo(cpu.headWeight().floats());
    }
  }

  @Test
  void loraStartsAsTheBaseModelAndItsMergedExportMatchesTheAdapterGraph() throws Exception {
    FineTuneGraphs.Spec spec =
        new FineTuneGraphs.Spec(
            model,
            2,
            2,
            2,
            encoder.descriptor().pooling(),
            encoder.descriptor().normalize(),
            4,
            8,
            true);
    Map<String, HostTensor> tokens =
        Batches.tokens(
            new long[][] {encoder.tokenIds(TEXTS.get(0)), encoder.tokenIds(TEXTS.get(5))},
            new int[] {0, 1});
    HostTensor base;
    try (GraphSession original = new GraphSession(Files.readAllBytes(encoder.modelFile()), 1)) {
      base = original.run(tokens).get("last_hidden_state");
    }
    // B = 0: W + scale * A * 0 is W to the bit, so the adapter graph is the base model. Its hidden
    // states differ from the export's only in float32 summation order (ONNX Runtime prepacks a
    // constant weight for its matrix kernel, not a computed one): about 1e-6.
    Map<String, HostTensor> initial = FineTuneState.initialValues(spec, model, new Random(SEED));
    assertThat(spec.adaptedWeights(2)).hasSize(8); // query, key, value and output of two layers
    for (String w : spec.adaptedWeights(2)) {
      HostTensor unchanged =
          AdapterMerge.merge(
              model.parameter(w),
              initial.get(FineTuneGraphs.adapterA(w)),
              initial.get(FineTuneGraphs.adapterB(w)),
              spec.scale());
      assertThat(unchanged.floats()).isEqualTo(model.parameter(w).floats());
    }
    HostTensor start = viaAdapters(spec, initial, tokens);
    System.out.printf(
        "LoRA with B = 0: max abs difference %.2e from the base export%n",
        maxAbsDifference(start, base));
    assertThat(maxAbsDifference(start, base)).isLessThan(5e-6);

    // A few steps, then the merged export (original operators, W + scale * A * B written in) gives
    // the adapter graph's hidden states.
    FineTuneSettings settings =
        FineTuneSettings.finetune()
            .withUnfreeze(2)
            .withRank(4)
            .withAlpha(8)
            .withAdaptOutput(true)
            .withEpochs(2)
            .withBatchSize(4)
            .withLearningRate(2e-3);
    FineTuneResult result = FineTuner.train(encoder, TEXTS, LABELS, 2, settings);
    assertThat(result.adapters()).hasSize(16);
    HostTensor merged;
    try (GraphSession tuned = new GraphSession(result.encoderOnnx(), 1)) {
      merged = tuned.run(tokens).get("last_hidden_state");
    }
    double difference = maxAbsDifference(merged, viaAdapters(spec, result.adapters(), tokens));
    double moved = maxAbsDifference(merged, base);
    System.out.printf(
        "LoRA: merged export vs adapter graph max abs difference %.2e; moved %.2e from the base%n",
        difference, moved);
    assertThat(difference).isLessThan(2e-5);
    assertThat(moved).isGreaterThan(1e-3);
    // Only the adapted projections of the top two layers changed; every other parameter is the
    // base's.
    OnnxImport reread =
        OnnxImport.of(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(result.encoderOnnx()));
    Set<String> adapted = Set.copyOf(spec.adaptedWeights(2));
    for (String p : model.parameters()) {
      boolean same =
          java.util.Arrays.equals(reread.parameter(p).floats(), model.parameter(p).floats());
      assertThat(same).as(p).isEqualTo(!adapted.contains(p));
    }
  }

  /** The hidden states of the encoder with adapters as graph inputs. */
  private static HostTensor viaAdapters(
      FineTuneGraphs.Spec spec, Map<String, HostTensor> adapters, Map<String, HostTensor> tokens) {
    GraphBuilder g = new GraphBuilder("lora-check", ElementType.FLOAT);
    String output = model.outputNames().get(0);
    List<String> adapted = spec.adaptedWeights(spec.open());
    g.output(
        model
            .addTo(g, Set.of(), null, List.of(output), FineTuneGraphs.adapters(g, spec, adapted))
            .get(output),
        "hidden");
    Map<String, HostTensor> feed = new HashMap<>(tokens);
    for (String w : adapted) {
      feed.put(FineTuneGraphs.adapterA(w), adapters.get(FineTuneGraphs.adapterA(w)));
      feed.put(FineTuneGraphs.adapterB(w), adapters.get(FineTuneGraphs.adapterB(w)));
    }
    try (GraphSession session = new GraphSession(g.toBytes(), 1)) {
      return session.run(feed).get("hidden");
    }
  }

  private static double maxAbsDifference(HostTensor a, HostTensor b) {
    assertThat(a.shape()).isEqualTo(b.shape());
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      worst = Math.max(worst, Math.abs(a.get(i) - b.get(i)));
    }
    return worst;
  }

  @Test
  void dropoutMasksTheTrainingStepOnly() {
    // Every layer runs (only the head trains, to keep the graph small), each with three dropout
    // points.
    FineTuneGraphs.Spec spec =
        new FineTuneGraphs.Spec(
            model,
            model.layerCount(),
            0,
            2,
            encoder.descriptor().pooling(),
            encoder.descriptor().normalize(),
            0,
            0,
            false);
    List<String> dropped = FineTuneGraphs.dropoutValues(spec);
    assertThat(dropped).hasSize(3 * model.layerCount());
    long[][] ids = {encoder.tokenIds(TEXTS.get(0)), encoder.tokenIds(TEXTS.get(4))};
    Map<String, HostTensor> feed = new HashMap<>(Batches.tokens(ids, new int[] {0, 1}));
    Map<String, HostTensor> state = FineTuneState.initialValues(spec, model, new Random(SEED));
    for (String p : FineTuneGraphs.parameters(spec)) {
      feed.put(p, state.get(p));
    }
    feed.put(FineTuneGraphs.TARGET, HostTensor.of(new float[] {0.5f, 0, 0, 0.5f}, 2, 2));
    int width = (int) feed.get(FineTuneGraphs.ATTENTION_MASK).shape()[1];
    double plain = stepLoss(FineTuneGraphs.trainingStep(spec, false), feed);
    byte[] withDropout = FineTuneGraphs.trainingStep(spec, true);
    // Masks of ones (p = 0) change nothing; masks with p = 0.5 change the loss.
    assertThat(stepLoss(withDropout, masked(feed, dropped, width, 0))).isEqualTo(plain);
    assertThat(stepLoss(withDropout, masked(feed, dropped, width, 0.5))).isNotEqualTo(plain);
    HostTensor mask =
        Batches.dropoutMask(model.shape(dropped.get(0)), 2, width, 0.1, new SplittableRandom(SEED));
    assertThat(mask.shape()).isEqualTo(new long[] {2, 12, width, width});
    long zeros =
        java.util.stream.IntStream.range(0, mask.size()).filter(i -> mask.get(i) == 0).count();
    assertThat((double) zeros / mask.size())
        .isCloseTo(0.1, org.assertj.core.api.Assertions.within(0.03));
    assertThat(mask.type()).isEqualTo(ElementType.BOOL);
    assertThat(mask.bools()).containsOnly((byte) 0, (byte) 1);
  }

  private static Map<String, HostTensor> masked(
      Map<String, HostTensor> feed, List<String> dropped, int width, double p) {
    Map<String, HostTensor> out = new HashMap<>(feed);
    SplittableRandom random = new SplittableRandom(SEED);
    out.put(FineTuneGraphs.DROPOUT_SCALE, Batches.dropoutScale(p));
    for (String v : dropped) {
      out.put(
          FineTuneGraphs.dropoutMask(v), Batches.dropoutMask(model.shape(v), 2, width, p, random));
    }
    return out;
  }

  private static double stepLoss(byte[] graph, Map<String, HostTensor> feed) {
    try (GraphSession session = new GraphSession(graph, 1)) {
      return loss(session, feed);
    }
  }

  @Test
  void aLearningRateFarTooHighStopsTrainingSayingWhereAndWhatToTry() {
    FineTuneSettings settings =
        FineTuneSettings.finetune()
            .withUnfreeze(1)
            .withEpochs(10)
            .withPatience(0)
            .onChunks()
            .withBatchSize(4)
            .withMaxTokens(16)
            .withDropout(0)
            .withHeadStart(HeadStart.RANDOM)
            .withLearningRate(1e7);
    List<EpochMetrics> seen = new ArrayList<>();
    assertThatThrownBy(
            () ->
                FineTuner.train(
                    encoder,
                    new FineTuneExamples(TEXTS, LABELS),
                    null,
                    2,
                    settings,
                    Checkpoints.NONE,
                    new FineTuneListener() {
                      @Override
                      public void epoch(EpochMetrics metrics) {
                        seen.add(metrics);
                      }
                    }))
        .isInstanceOfSatisfying(
            TrainingDivergedException.class,
            e -> {
              assertThat(e.training()).isEqualTo("fine-tuning");
              assertThat(e.epoch()).isEqualTo(seen.size() + 1);
              assertThat(e.step())
                  .isBetween(2 * seen.size() + 1, 2 * e.epoch()); // two steps an epoch
              assertThat(e.getMessage())
                  .contains(
                      "fine-tuning diverged at epoch " + e.epoch() + ", step " + e.step(),
                      "learning rate (1E+7)",
                      "try a lower one, such as 1E+6");
            });
    assertThat(seen).allSatisfy(m -> assertThat(m.trainLoss()).isFinite());
  }

  @Test
  void learningRateWarmsUpThenDecaysToZero() {
    assertThat(LearningRateSchedule.learningRate(1.0, 1, 4, 20)).isEqualTo(0.25);
    assertThat(LearningRateSchedule.learningRate(1.0, 4, 4, 20)).isEqualTo(1.0);
    assertThat(LearningRateSchedule.learningRate(1.0, 12, 4, 20)).isEqualTo(0.5);
    assertThat(LearningRateSchedule.learningRate(1.0, 20, 4, 20)).isEqualTo(0.0);
  }

  /** The first weight matrix (query projection) of a layer. */
  private static String matrixOf(int layer) {
    return matrixOf(model, layer);
  }

  /** The first weight matrix (query projection) of a layer of {@code model}. */
  static String matrixOf(OnnxImport model, int layer) {
    return model.layerParameters(layer).stream()
        .filter(p -> model.shape(p).length == 2)
        .findFirst()
        .orElseThrow();
  }

  /**
   * The central difference of the loss along coordinate {@code i} of parameter {@code p} against
   * the analytic gradient; a relative error above 2e-3 is added to {@code failures}. Returns the
   * error. (Erf runs in float32 even in a float64 graph, as ONNX Runtime has no float64 kernel,
   * which puts noise of about 1e-7 / h on the differences.)
   */
  static double checkCoordinate(
      GraphSession session,
      Map<String, HostTensor> feed,
      String p,
      int i,
      HostTensor grad,
      List<String> failures) {
    double h = 1e-3;
    HostTensor x = feed.get(p);
    Map<String, HostTensor> plus = new HashMap<>(feed);
    plus.put(p, x.with(i, x.get(i) + h));
    Map<String, HostTensor> minus = new HashMap<>(feed);
    minus.put(p, x.with(i, x.get(i) - h));
    double numeric = (loss(session, plus) - loss(session, minus)) / (2 * h);
    double error = Math.abs(numeric - grad.get(i)) / Math.max(Math.abs(numeric), 1e-6);
    if (error > 2e-3) {
      failures.add(p + "[" + i + "]: analytic " + grad.get(i) + " vs numeric " + numeric);
    }
    return error;
  }

  private static double loss(GraphSession session, Map<String, HostTensor> feed) {
    return session.run(feed, Set.of(FineTuneGraphs.LOSS)).get(FineTuneGraphs.LOSS).get(0);
  }

  static int[] largest(HostTensor t, int from, int to, int count) {
    return java.util.stream.IntStream.range(from, to)
        .boxed()
        .sorted((a, b) -> Double.compare(Math.abs(t.get(b)), Math.abs(t.get(a))))
        .limit(count)
        .mapToInt(Integer::intValue)
        .toArray();
  }
}
