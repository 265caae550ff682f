package dev.ferry.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleManifest;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.HeadStart;
import dev.ferry.trainer.finetune.Quantization;
import dev.ferry.trainer.finetune.TrainOn;
import dev.ferry.trainer.finetune.UnfreezeSchedule;
import dev.ferry.trainer.head.HeadKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry train --mode finetune} end to end with the real fp32 MiniLM on a small two-topic
 * set: the bundle carries its own tuned encoder, classifies exactly as training scored it, and a
 * run stopped after an epoch resumes to the very result of an uninterrupted one.
 */
class FineTuneTrainingTest {
  private static final EncoderOptions ONE_THREAD = EncoderOptions.defaults().withIntraOpThreads(1);

  /**
   * Short chunks, so the long validation text below is read in several, as classification reads it.
   */
  private static final int MAX_TOKENS = 24;

  /**
   * A sport opening, then far more cooking: its label is sport, but read whole it is about cooking.
   */
  private static final String LONG =
      "The striker scored in the final minute. " + "Stir the sauce and season it. ".repeat(12);

  @TempDir static Path dir;
  static Path trainFile;
  static Path validFile;

  @BeforeAll
  static void writeData() throws IOException {
    List<String> train = new ArrayList<>();
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < TrainerTest.SPORT.size(); i++) {
      List<String> to = i < 10 ? train : valid;
      to.add(TrainerTest.line("s" + i, TrainerTest.SPORT.get(i), "sport"));
      to.add(TrainerTest.line("c" + i, TrainerTest.COOKING.get(i), "cooking"));
    }
    // Longer than MAX_TOKENS: training scores it and classification reads it in the same chunks.
    valid.add(TrainerTest.line("long", LONG, "sport"));
    trainFile = Files.write(dir.resolve("train.jsonl"), train);
    validFile = Files.write(dir.resolve("valid.jsonl"), valid);
  }

  /** A run that keeps the scored model (no refit), so the bundle is the model scored. */
  private static TrainingConfig.Builder config(Path out, FineTuneSettings settings) {
    // MiniLM (6 layers): the mechanics, not the default encoder, are under test, and it is the
    // cheapest to fine-tune.
    return TrainingConfig.builder(trainFile, out)
        .encoder(BuiltinEncoder.ALL_MINILM_L6_V2.id())
        .valid(validFile)
        .encoderOptions(ONE_THREAD)
        .mode(TrainingMode.FINETUNE)
        .fineTune(settings)
        .refit(false);
  }

  /** A listener that adds every epoch's metrics to {@code epochs}. */
  private static TrainingListener epochsInto(List<EpochMetrics> epochs) {
    return new TrainingListener() {
      @Override
      public void epoch(EpochMetrics metrics) {
        epochs.add(metrics);
      }
    };
  }

  private static FineTuneSettings settings() {
    // Every chunk its own example, from a random head (--train-on chunks --head-start random).
    return FineTuneSettings.finetune()
        .withUnfreeze(1)
        .withEpochs(2)
        .withBatchSize(10)
        .withMaxTokens(MAX_TOKENS)
        .withLearningRate(3e-4)
        .withPatience(0)
        .toBuilder()
        .trainOn(TrainOn.CHUNKS)
        .build()
        .withHeadStart(HeadStart.RANDOM);
  }

  @Test
  void writesABundleWithItsOwnTunedEncoderThatClassifiesAsTrainingScored() throws IOException {
    List<EpochMetrics> epochs = new ArrayList<>();
    List<Integer> steps = new ArrayList<>();
    List<Integer> totals = new ArrayList<>();
    TrainingResult result =
        Trainer.train(
            config(dir.resolve("tuned"), settings()).build(),
            new TrainingListener() {
              @Override
              public void trained(int done, int total) {
                totals.add(total);
                steps.add(done);
              }

              @Override
              public void epoch(EpochMetrics metrics) {
                epochs.add(metrics);
              }
            });
    ModelBundle bundle = ModelBundle.open(dir.resolve("tuned"));
    // Every chunk of every training text is an example: 2 epochs of batches of 10 over them.
    int trainChunks = bundle.manifest().training().at("/training_chunks").asInt();
    int trainChunksCounted = 0;
    try (Encoder base = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, ONE_THREAD)) {
      for (String line : Files.readAllLines(trainFile)) {
        String text =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("text").asText();
        trainChunksCounted += base.chunkTexts(text, bundle.chunking()).size();
      }
      assertThat(base.chunkTexts(LONG, bundle.chunking())).hasSizeGreaterThan(3);
    }
    assertThat(trainChunks).isEqualTo(trainChunksCounted).isGreaterThanOrEqualTo(20);
    int perEpoch = (trainChunks + 9) / 10;
    assertThat(totals).containsOnly(2 * perEpoch);
    assertThat(steps)
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 2 * perEpoch).boxed().toList());
    assertThat(result.mode()).isEqualTo(TrainingMode.FINETUNE);
    assertThat(epochs).hasSize(2);
    assertThat(bundle.manifest().training().at("/epochs_run").asInt()).isEqualTo(2);
    // The bundle's head is the linear head fitted exactly on the tuned encoder's vectors.
    assertThat(result.head().settings().kind()).isEqualTo(HeadKind.LINEAR);
    assertThat(result.head().bestEpoch()).isZero();
    assertThat(bundle.manifest().training().at("/hyperparameters/head").asText())
        .isEqualTo("linear");
    assertThat(bundle.manifest().training().at("/head_hyperparameters/regularization").asDouble())
        .isEqualTo(result.head().settings().regularization())
        .isPositive();
    assertThat(result.validation().orElseThrow().examples()).isEqualTo(9);
    assertThat(result.validation().orElseThrow().accuracy()).isGreaterThanOrEqualTo(0.75);

    BundleManifest.EncoderEntry encoder = bundle.manifest().encoder();
    assertThat(encoder.id()).isEqualTo("all-minilm-l6-v2+finetune");
    assertThat(encoder.source()).isEqualTo("fine-tuned");
    assertThat(encoder.file()).isEqualTo(ModelBundle.ENCODER_FILE);
    Path tunedFile = bundle.directory().resolve(ModelBundle.ENCODER_FILE);
    assertThat(encoder.sha256()).isEqualTo(FileHashes.sha256(tunedFile));
    // Chunks of MAX_TOKENS with the default limit of 16, the overlap cut to a quarter of a chunk.
    assertThat(bundle.chunking())
        .isEqualTo(new Chunking(MAX_TOKENS, MAX_TOKENS / 4, 16, ChunkPooling.TOKEN_WEIGHTED_MEAN));
    assertThat(bundle.manifest().training().at("/hyperparameters/mode").asText())
        .isEqualTo("finetune");
    assertThat(bundle.manifest().training().at("/hyperparameters/unfreeze").asText())
        .isEqualTo("1");
    assertThat(bundle.reportIndex()).isRegularFile();
    assertThat(dir.resolve(".tuned.checkpoints")).doesNotExist();

    // An inference graph with the base model's operators, inputs and output: nothing of training.
    try (Encoder base = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, ONE_THREAD)) {
      OnnxMl.GraphProto original =
          OnnxMl.ModelProto.parseFrom(Files.readAllBytes(base.modelFile())).getGraph();
      OnnxMl.GraphProto tuned =
          OnnxMl.ModelProto.parseFrom(Files.readAllBytes(tunedFile)).getGraph();
      assertThat(opTypes(tuned)).isEqualTo(opTypes(original));
      assertThat(tuned.getNodeCount()).isEqualTo(original.getNodeCount());
      assertThat(tuned.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList())
          .isEqualTo(original.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
      assertThat(tuned.getOutput(0).getName()).isEqualTo("last_hidden_state");
      // Relabelling an index made with the base encoder must refuse this bundle.
      assertThat(bundle.sameEncoderAs(base.descriptor())).isFalse();
      assertThat(bundle.sameEncoderAs(bundle.encoderDescriptor())).isTrue();
    }

    // The bundle, opened as any bundle, scores the held-out file exactly as training did.
    Evaluation.Result eval =
        Evaluation.evaluate(
            bundle, validFile, LabeledDataReader.Options.defaults(), ONE_THREAD, null);
    assertThat(eval.metrics().accuracy()).isEqualTo(result.validation().orElseThrow().accuracy());
    assertThat(eval.metrics().macroF1()).isEqualTo(result.validation().orElseThrow().macroF1());
    assertThat(eval.metrics().expectedCalibrationError())
        .isCloseTo(result.validation().orElseThrow().expectedCalibrationError(), within(1e-5));
    try (Classifier classifier = bundle.openClassifier(ONE_THREAD)) {
      assertThat(classifier.classify("The goalkeeper was sent off in the derby.").label())
          .isEqualTo("sport");
      // Read whole, the long text is what most of it is about; its first chunk alone is not.
      assertThat(classifier.classifyDocuments(List.of(LONG)).get(0).embedding().chunks())
          .hasSizeGreaterThan(3);
      assertThat(classifier.classify(LONG).label()).isEqualTo("cooking");
    }
  }

  /**
   * {@code --train-on documents --head-start probe}: whole texts per step, the head reading
   * first_mean_max of their chunks; the bundle reads documents the same way, so it scores the
   * held-out file exactly as training did.
   */
  @Test
  void onWholeDocumentsTheBundleReadsThemAsTrainingDid() throws IOException {
    FineTuneSettings settings =
        settings()
            .onDocuments(ChunkPooling.FIRST_MEAN_MAX)
            .withBatchSize(4)
            .withHeadStart(HeadStart.PROBE);
    List<Integer> totals = new ArrayList<>();
    TrainingResult result =
        Trainer.train(
            config(dir.resolve("tuned-documents"), settings).build(),
            new TrainingListener() {
              @Override
              public void trained(int done, int total) {
                totals.add(total);
              }
            });
    ModelBundle bundle = ModelBundle.open(dir.resolve("tuned-documents"));
    // 20 training texts, 4 per step, 2 epochs: steps count texts, not chunks.
    assertThat(totals).containsOnly(2 * 5);
    assertThat(bundle.chunking())
        .isEqualTo(new Chunking(MAX_TOKENS, MAX_TOKENS / 4, 16, ChunkPooling.FIRST_MEAN_MAX));
    assertThat(result.head().dimension()).isEqualTo(3 * 384);
    assertThat(bundle.manifest().training().at("/hyperparameters/train_on").asText())
        .isEqualTo("documents");
    assertThat(bundle.manifest().training().at("/hyperparameters/head_start").asText())
        .isEqualTo("probe");
    assertThat(result.validation().orElseThrow().accuracy()).isGreaterThanOrEqualTo(0.75);
    Evaluation.Result eval =
        Evaluation.evaluate(
            bundle, validFile, LabeledDataReader.Options.defaults(), ONE_THREAD, null);
    assertThat(eval.metrics().accuracy()).isEqualTo(result.validation().orElseThrow().accuracy());
    assertThat(eval.metrics().macroF1()).isEqualTo(result.validation().orElseThrow().macroF1());
  }

  @Test
  void loraWritesTheMergedEncoderAndRefusesARankWithoutItsMode() throws IOException {
    FineTuneSettings lora = settings().withEpochs(1).withRank(2).withLearningRate(1e-3);
    TrainingResult result =
        Trainer.train(
            config(dir.resolve("lora"), lora).mode(TrainingMode.LORA).build(),
            TrainingListener.NONE);
    ModelBundle bundle = result.bundle();
    assertThat(bundle.manifest().encoder().id()).isEqualTo("all-minilm-l6-v2+lora");
    assertThat(bundle.manifest().encoder().source()).isEqualTo("fine-tuned");
    assertThat(bundle.manifest().training().at("/hyperparameters/rank").asInt()).isEqualTo(2);
    Evaluation.Result eval =
        Evaluation.evaluate(
            bundle, validFile, LabeledDataReader.Options.defaults(), ONE_THREAD, null);
    assertThat(eval.metrics().macroF1()).isEqualTo(result.validation().orElseThrow().macroF1());
    assertThat(eval.metrics().expectedCalibrationError())
        .isCloseTo(result.validation().orElseThrow().expectedCalibrationError(), within(1e-5));

    assertThatThrownBy(() -> config(dir.resolve("x"), lora).build())
        .hasMessage("rank 2 (adapters) needs mode lora, not finetune");
    assertThatThrownBy(() -> config(dir.resolve("x"), settings()).mode(TrainingMode.LORA).build())
        .hasMessage("rank must be at least 1 in mode lora, was 0");
  }

  @Test
  void gradualUnfreezingResumesFromACheckpointToTheSameResult() throws IOException {
    FineTuneSettings gradual =
        settings().withUnfreeze(2).withEpochs(3).withUnfreezeSchedule(UnfreezeSchedule.GRADUAL);
    Path checkpoints = dir.resolve("checkpoints");
    TrainingListener stopAfterFirstEpoch =
        new TrainingListener() {
          @Override
          public void epoch(EpochMetrics metrics) {
            throw new IllegalStateException("stopped after epoch " + metrics.epoch());
          }
        };
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(dir.resolve("resumed"), gradual)
                        .checkpointDirectory(checkpoints)
                        .build(),
                    stopAfterFirstEpoch))
        .hasMessage("stopped after epoch 1");
    assertThat(checkpoints.resolve("epoch-1/checkpoint.bin")).isRegularFile();

    List<EpochMetrics> resumedEpochs = new ArrayList<>();
    TrainingResult resumed =
        Trainer.train(
            config(dir.resolve("resumed"), gradual)
                .checkpointDirectory(checkpoints)
                .resume(true)
                .build(),
            epochsInto(resumedEpochs));
    assertThat(resumedEpochs).extracting(EpochMetrics::epoch).containsExactly(2, 3);
    assertThat(resumed.bundle().manifest().training().at("/resumed_from_epoch").asInt())
        .isEqualTo(1);
    assertThat(checkpoints.resolve("epoch-3/checkpoint.bin")).isRegularFile();
    assertThat(checkpoints.resolve("epoch-1")).doesNotExist();

    List<EpochMetrics> straightEpochs = new ArrayList<>();
    TrainingResult straight =
        Trainer.train(config(dir.resolve("straight"), gradual).build(), epochsInto(straightEpochs));
    assertThat(resumedEpochs).isEqualTo(straightEpochs.subList(1, 3));
    for (String file : List.of(ModelBundle.ENCODER_FILE, ModelBundle.HEAD_FILE)) {
      assertThat(resumed.bundle().directory().resolve(file))
          .as(file)
          .hasSameBinaryContentAs(straight.bundle().directory().resolve(file));
    }
    // Gradual: epoch 1 trained the head alone, so the encoder changed only from epoch 2 on.
    assertThat(
            resumed
                .bundle()
                .manifest()
                .training()
                .at("/hyperparameters/unfreeze_schedule")
                .asText())
        .isEqualTo("gradual");

    // Another run's checkpoint is refused, saying what to do.
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(dir.resolve("other"), gradual.withSeed(7))
                        .checkpointDirectory(checkpoints)
                        .resume(true)
                        .build(),
                    TrainingListener.NONE))
        .hasMessageContaining("another encoder, other settings or other data")
        .hasMessageContaining("without resuming");
  }

  /**
   * Contrastive mode tunes the encoder alone, fits the head on its vectors, scores that model on
   * the held-out texts, then tunes and fits again on all texts; with int8 the bundle's encoder is
   * quantized and the report gives the scores before and after.
   */
  @Test
  void contrastiveModeFitsAHeadOnTheTunedEncoderRefitsOnAllAndWritesInt8() throws Exception {
    FineTuneSettings contrastive =
        FineTuneSettings.contrastive()
            .withUnfreeze(1)
            .withEpochs(2)
            .withBatchSize(8)
            .withMaxTokens(MAX_TOKENS)
            .withQuantization(Quantization.INT8);
    List<Integer> totals = new ArrayList<>();
    TrainingResult result =
        Trainer.train(
            config(dir.resolve("contrastive"), contrastive)
                .encoder(BuiltinEncoder.ALL_MINILM_L6_V2_Q.id())
                .mode(TrainingMode.CONTRASTIVE)
                .refit(true)
                .build(),
            new TrainingListener() {
              @Override
              public void trained(int done, int total) {
                if (done == 1) {
                  totals.add(total);
                }
              }
            });
    ModelBundle bundle = result.bundle();
    assertThat(result.mode()).isEqualTo(TrainingMode.CONTRASTIVE);
    assertThat(bundle.manifest().encoder().id()).isEqualTo("all-minilm-l6-v2+contrastive-q");
    assertThat(bundle.manifest().training().at("/hyperparameters/objective").asText())
        .isEqualTo("cosine-pairs");
    assertThat(bundle.manifest().training().at("/refit_on_all_examples").asBoolean()).isTrue();
    // The encoder trained twice: on the 20 training texts, then on those and the 9 held out.
    assertThat(totals).hasSize(2);
    assertThat(totals.get(1)).isGreaterThan(totals.get(0));
    assertThat(result.head().settings().kind()).isEqualTo(HeadKind.LINEAR);
    assertThat(result.validation().orElseThrow().accuracy()).isGreaterThanOrEqualTo(0.75);
    assertThat(
            opTypes(
                OnnxMl.ModelProto.parseFrom(
                        Files.readAllBytes(bundle.directory().resolve(ModelBundle.ENCODER_FILE)))
                    .getGraph()))
        .contains("MatMulInteger", "DynamicQuantizeLinear");
    assertThat(Files.readString(bundle.reportIndex())).contains("before quantization");

    assertThatThrownBy(() -> config(dir.resolve("x"), contrastive).build())
        .hasMessage("objective cosine-pairs needs mode contrastive, not finetune");
    assertThatThrownBy(
            () -> config(dir.resolve("x"), settings()).mode(TrainingMode.CONTRASTIVE).build())
        .hasMessageContaining("is not contrastive");
  }

  private static Set<String> opTypes(OnnxMl.GraphProto graph) {
    return new TreeSet<>(graph.getNodeList().stream().map(OnnxMl.NodeProto::getOpType).toList());
  }
}
