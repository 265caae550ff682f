package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.trainer.finetune.Checkpoints;
import dev.ferry.trainer.finetune.FineTuneExamples;
import dev.ferry.trainer.finetune.FineTuneListener;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.FineTuner;
import dev.ferry.trainer.finetune.TrainOn;
import dev.ferry.trainer.finetune.TunedEncoderWriter;
import dev.ferry.trainer.finetune.UnfreezeSchedule;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.loop.EarlyStopping;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.MetricsJson;
import dev.ferry.trainer.report.TrainingReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@link Trainer}'s fine-tuning modes ({@link TrainingMode#FINETUNE}, {@link TrainingMode#LORA}):
 * trains the encoder's top layers (or adapters on them) and a linear head with {@link FineTuner},
 * then writes a bundle that carries the tuned encoder as its own {@code encoder.onnx} ({@link
 * TunedEncoderWriter}) and reads documents as training read them ({@link
 * FineTuneSettings#chunking}).
 */
final class FineTuneJob {
  private FineTuneJob() {}

  static TrainingResult train(
      TrainingConfig config, TrainingData d, TrainingListener listener, long start)
      throws IOException {
    Path out = config.out().toAbsolutePath().normalize();
    Path checkpoints =
        config.checkpointDirectory() != null
            ? config.checkpointDirectory()
            : out.resolveSibling("." + out.getFileName() + ".checkpoints");
    try (Encoder base = Encoder.open(config.encoder(), config.encoderOptions())) {
      FineTuneSettings s =
          config
              .fineTune()
              .withMaxTokens(config.fineTune().maxTokensFor(base.descriptor().maxLength()));
      // What training reads of a text, and so what classification must read.
      Chunking window = s.chunking(config.chunking(), base.descriptor().maxLength());
      FineTuneExamples train =
          FineTuneExamples.chunks(
              base, window, TrainingData.texts(d.train()), d.classes(d.train()));
      FineTuneExamples valid =
          d.valid().isEmpty()
              ? null
              : FineTuneExamples.chunks(
                  base, window, TrainingData.texts(d.valid()), d.classes(d.valid()));
      listener.stage(
          "Fine-tuning "
              + describe(s)
              + " of "
              + base.descriptor().id()
              + " with a linear head on "
              + d.train().size()
              + " texts ("
              + train.size()
              + " chunks of up to "
              + s.maxTokens()
              + " tokens, "
              + (s.trainOn() == TrainOn.DOCUMENTS
                  ? "the head reading " + s.chunkPooling().id() + " of each text's"
                  : "each with its text's label")
              + ")");
      FineTuneResult r =
          FineTuner.train(
              base,
              train,
              valid,
              d.labels().size(),
              s,
              new Checkpoints(checkpoints, config.resume()),
              new FineTuneListener() {
                @Override
                public void steps(int done, int total) {
                  listener.trained(done, total);
                }

                @Override
                public void epoch(EpochMetrics metrics) {
                  listener.epoch(metrics);
                }
              });
      if (r.resumedFromEpoch() > 0) {
        listener.note(
            "Resumed from the checkpoint after epoch "
                + r.resumedFromEpoch()
                + " in "
                + checkpoints);
      }
      int dimension = window.pooling().width(base.descriptor().dimension());
      int classes = d.labels().size();
      byte[] headOnnx = r.head().onnx(dimension, classes);
      double seconds = (System.nanoTime() - start) / 1e9;
      // As trained: the epochs resolved, with the unfreeze count as asked ("all" stays all).
      FineTuneSettings ran = s.withEpochs(r.settings().epochs());
      TrainedHead head =
          new TrainedHead(
              headSettings(ran),
              dimension,
              classes,
              headOnnx,
              r.history(),
              r.bestEpoch(),
              Double.NaN,
              seconds);

      listener.stage("Writing " + config.out());
      Path work = BundleWriter.encoderFolder(out);
      try {
        TunedEncoderWriter.TunedEncoder tuned =
            TunedEncoderWriter.write(base, r, config.mode().id(), work);
        EncoderDescriptor b = base.descriptor();
        List<String> notes = new ArrayList<>(d.notes());
        notes.add(
            "The encoder was fine-tuned"
                + (s.rank() > 0 ? " (LoRA adapters merged into its weights)" : "")
                + ": the bundle carries it as encoder.onnx ("
                + tuned.descriptor().id()
                + "), so an"
                + " index made with "
                + b.id()
                + " must be re-embedded, not relabelled.");
        notes.add(
            s.trainOn() == TrainOn.DOCUMENTS
                ? "Each text was read in training as "
                    + window
                    + " ("
                    + train.size()
                    + " training chunks), whole"
                    + " texts per step, the head reading "
                    + s.chunkPooling().id()
                    + " of each text's chunk vectors;"
                    + " the bundle reads documents the same way."
                : "Each text was read in training as "
                    + window
                    + " ("
                    + train.size()
                    + " training chunks),"
                    + " every chunk with its text's label; the bundle reads documents the same way, and the head"
                    + " classifies the token-weighted mean of a document's chunk vectors.");
        ModelBundle bundle;
        ClassificationMetrics validation;
        try (Encoder tunedEncoder = tuned.open(config.encoderOptions())) {
          // Epochs were scored on chunks; the bundle's metrics score whole held-out texts, read as
          // it reads them.
          float[][] validProbabilities =
              d.valid().isEmpty()
                  ? null
                  : head.probabilities(
                      tunedEncoder.embedDocuments(TrainingData.texts(d.valid()), window).stream()
                          .map(window.pooling()::features)
                          .toArray(float[][]::new));
          validation =
              validProbabilities == null
                  ? null
                  : ClassificationMetrics.compute(
                      d.labels(), d.classes(d.valid()), validProbabilities);
          ObjectNode training = provenance(config, d, ran, b, r, seconds);
          training.put("training_chunks", train.size());
          bundle =
              BundleWriter.to(config.out())
                  .encoder(tunedEncoder)
                  .chunking(window)
                  .head(HeadKind.LINEAR.id(), headOnnx)
                  .labels(d.labels())
                  .training(training)
                  .metrics(MetricsJson.bundleMetrics(validation, d.noValidation()))
                  .extra(
                      dir ->
                          TrainingReport.write(
                              dir.resolve(ModelBundle.REPORT_DIR),
                              d.report(
                                  config,
                                  "Ferry training report: " + out.getFileName(),
                                  facts(config, ran, b, r, d),
                                  head,
                                  validation,
                                  notes,
                                  validProbabilities)))
                  .write();
        }
        if (config.checkpointDirectory() == null) {
          deleteRecursively(checkpoints);
        }
        return new TrainingResult(
            bundle,
            head,
            Optional.ofNullable(validation),
            d.noValidation(),
            d.train().size(),
            d.valid().size(),
            0,
            0,
            r.cacheSeconds(),
            0,
            config.mode(),
            r.examplesPerSecond());
      } finally {
        deleteRecursively(work);
      }
    }
  }

  /**
   * What trains, in words: "the top 2 layers", "rank-8 adapters on the attention of every layer
   * (opened one per epoch)".
   */
  private static String describe(FineTuneSettings s) {
    return (s.rank() > 0 ? "rank-" + s.rank() + " adapters on the attention of " : "")
        + (s.unfreeze() == FineTuneSettings.ALL
            ? "every layer"
            : "the top " + s.unfreeze() + (s.unfreeze() == 1 ? " layer" : " layers"))
        + (s.unfreezeSchedule() == UnfreezeSchedule.GRADUAL ? " (opened one per epoch)" : "");
  }

  /** The head's part of the settings, for the result and the report. */
  private static HeadSettings headSettings(FineTuneSettings s) {
    return HeadSettings.defaults(HeadKind.LINEAR)
        .withEpochs(s.epochs())
        .withLearningRate(s.learningRate() * s.headRateFactor())
        .withBatchSize(s.batchSize())
        .withSeed(s.seed())
        .withWeightDecay(s.weightDecay())
        .withPatience(s.patience())
        .withBalanceClasses(s.balanceClasses());
  }

  private static ObjectNode provenance(
      TrainingConfig config,
      TrainingData d,
      FineTuneSettings s,
      EncoderDescriptor base,
      FineTuneResult r,
      double seconds)
      throws IOException {
    ObjectNode t = d.provenance(config);
    ObjectNode h = t.putObject("hyperparameters");
    h.put("mode", config.mode().id());
    h.put("head", HeadKind.LINEAR.id());
    Provenance.put(h, s);
    h.put("max_examples", config.maxExamples());
    ObjectNode b = t.putObject("base_encoder");
    b.put("id", base.id());
    b.put("source", base.source());
    b.put("sha256", base.modelSha256());
    t.put("epochs_run", r.history().size());
    t.put("best_epoch", r.bestEpoch());
    t.put("resumed_from_epoch", r.resumedFromEpoch());
    t.put("frozen_layers_seconds", MetricsJson.round(r.cacheSeconds()));
    t.put("examples_per_second", MetricsJson.round(r.examplesPerSecond()));
    t.put("device", r.device().id());
    t.put("total_seconds", MetricsJson.round(seconds));
    return t;
  }

  private static Map<String, String> facts(
      TrainingConfig config,
      FineTuneSettings s,
      EncoderDescriptor base,
      FineTuneResult r,
      TrainingData d) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("Mode", "fine-tuning " + describe(s) + " and a linear head");
    facts.put(
        "Encoder",
        base.id()
            + " fine-tuned ("
            + base.pooling().id()
            + " pooling, "
            + base.dimension()
            + " dimensions; texts read in chunks of "
            + s.maxTokens()
            + " tokens, "
            + (s.trainOn() == TrainOn.DOCUMENTS
                ? "whole texts per step, the head reading "
                    + s.chunkPooling().id()
                    + " of their chunks"
                : "each trained with its text's label")
            + "; head started from "
            + s.headStart().id()
            + ")");
    facts.putAll(d.facts(config));
    facts.put("Settings", Provenance.describe(s));
    facts.put(
        "Epochs",
        EarlyStopping.describe(r.history().size(), s.epochs(), r.bestEpoch(), s.patience()));
    facts.put(
        "Speed",
        String.format(
            Locale.ROOT,
            "%.1f examples/s on %s; frozen layers %.1f s once",
            r.examplesPerSecond(),
            r.device().id(),
            r.cacheSeconds()));
    return facts;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }
}
