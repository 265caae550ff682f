package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.finetune.Checkpoints;
import dev.ferry.trainer.finetune.FineTuneExamples;
import dev.ferry.trainer.finetune.FineTuneListener;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.FineTuner;
import dev.ferry.trainer.finetune.Quantization;
import dev.ferry.trainer.finetune.TrainOn;
import dev.ferry.trainer.finetune.TunedEncoderWriter;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.MetricsJson;
import dev.ferry.trainer.report.TrainingReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@link Trainer}'s modes that change the encoder ({@link TrainingMode#FINETUNE}, {@link
 * TrainingMode#LORA}, {@link TrainingMode#CONTRASTIVE}): trains the encoder with {@link FineTuner}
 * (with a linear head, or by a contrastive loss), fits the bundle's head on the tuned encoder's
 * vectors as feature extraction fits one, scores the model that did not see the held-out examples,
 * trains again on all examples for the kept number of epochs (the refit, as feature extraction
 * refits its head), and writes a bundle that carries the tuned encoder as its own {@code
 * encoder.onnx} ({@link TunedEncoderWriter}, in int8 when {@link FineTuneSettings#quantization}
 * says so) and reads documents as training read them ({@link FineTuneSettings#chunking}).
 */
final class FineTuneJob {
  private FineTuneJob() {}

  /** A tuned encoder and the head that reads it. */
  private record Model(FineTuneResult tuned, TrainedHead head) {}

  static TrainingResult train(
      TrainingConfig config, TrainingData d, TrainingListener listener, long start)
      throws IOException {
    Path out = config.out().toAbsolutePath().normalize();
    Path checkpoints =
        config.checkpointDirectory() != null
            ? config.checkpointDirectory()
            : out.resolveSibling("." + out.getFileName() + ".checkpoints");
    // An int8 built-in cannot be differentiated: its float twin trains, and the result is int8.
    String asked = config.encoder();
    boolean int8Base = BuiltinEncoder.isBuiltin(asked) && BuiltinEncoder.fromId(asked).quantized();
    String baseName = int8Base ? asked.substring(0, asked.length() - 2) : asked;
    List<String> notes = new ArrayList<>(d.notes());
    try (Encoder base = Encoder.open(baseName, config.encoderOptions())) {
      FineTuneSettings s =
          config
              .fineTune()
              .withMaxTokens(config.fineTune().maxTokensFor(base.descriptor().maxLength()));
      if (int8Base) {
        s = s.withQuantization(Quantization.INT8);
        notes.add(
            asked
                + " is int8: "
                + baseName
                + " was fine-tuned and the result quantized to int8 the same way.");
      }
      Chunking window = s.chunking(config.chunking(), base.descriptor().maxLength());
      boolean contrastive = config.mode() == TrainingMode.CONTRASTIVE;
      List<String> trainTexts = TrainingData.texts(d.train());
      List<String> validTexts = TrainingData.texts(d.valid());
      FineTuneExamples train =
          FineTuneExamples.chunks(base, window, trainTexts, d.classes(d.train()));
      FineTuneExamples valid =
          d.valid().isEmpty()
              ? null
              : FineTuneExamples.chunks(base, window, validTexts, d.classes(d.valid()));
      listener.stage(
          (contrastive ? "Contrastive fine-tuning of " : "Fine-tuning ")
              + FineTuneRecord.describe(s)
              + " of "
              + base.descriptor().id()
              + (contrastive ? "" : " with a linear head")
              + " on "
              + d.train().size()
              + " texts ("
              + train.size()
              + " chunks of up to "
              + s.maxTokens()
              + " tokens, "
              + (s.trainOn() == TrainOn.DOCUMENTS
                  ? (contrastive
                      ? "each text's mean of its"
                      : "the head reading " + s.chunkPooling().id() + " of each text's")
                  : "each with its text's label")
              + ")");
      Path work = BundleWriter.encoderFolder(out);
      try {
        Files.createDirectories(work);
        EncoderOptions options = config.encoderOptions();
        // 1. The model scored on the held-out examples: it never saw them.
        FineTuneResult scoredTuning =
            FineTuner.train(
                base,
                train,
                contrastive ? null : valid,
                d.labels().size(),
                s,
                new Checkpoints(checkpoints, config.resume()),
                fineTuneListener(listener));
        if (scoredTuning.resumedFromEpoch() > 0) {
          listener.note(
              "Resumed from the checkpoint after epoch "
                  + scoredTuning.resumedFromEpoch()
                  + " in "
                  + checkpoints);
        }
        Path scoredDir = Files.createDirectories(work.resolve("scored"));
        TunedEncoderWriter.TunedEncoder scoredEncoder =
            TunedEncoderWriter.write(base, scoredTuning, config.mode().id(), scoredDir);
        Model scored;
        ClassificationMetrics validation;
        float[][] validProbabilities;
        try (Encoder tuned = scoredEncoder.open(options)) {
          LabeledVectors validV = vectors(tuned, window, validTexts, d.classes(d.valid()));
          scored =
              new Model(
                  scoredTuning, fitHead(config, d, tuned, window, trainTexts, validV, listener));
          validProbabilities = heldOutProbabilities(scored.head(), validV);
          validation =
              validProbabilities == null
                  ? null
                  : ClassificationMetrics.compute(
                      d.labels(), d.classes(d.valid()), validProbabilities);
        }
        if (s.quantization() == Quantization.INT8 && validation != null) {
          notes.add(
              quantizationNote(config, d, base, scoredTuning, window, validation, listener, work));
        }
        // 2. The refit: everything again on all examples, for the kept number of epochs.
        Model kept = scored;
        int keptEpochs = scoredTuning.bestEpoch();
        boolean refit =
            config.refit()
                && valid != null
                && HeadTrainer.refits(scored.head())
                && (contrastive || keptEpochs > 0);
        if (refit) {
          List<String> allTexts = new ArrayList<>(trainTexts);
          allTexts.addAll(validTexts);
          List<dev.ferry.trainer.data.LabeledExample> all = new ArrayList<>(d.train());
          all.addAll(d.valid());
          FineTuneSettings again = contrastive ? s : s.withEpochs(keptEpochs).withPatience(0);
          listener.stage(
              "Training again on all "
                  + allTexts.size()
                  + " texts"
                  + (contrastive ? "" : " for " + keptEpochs + " epochs"));
          FineTuneResult allTuning =
              FineTuner.train(
                  base,
                  FineTuneExamples.chunks(base, window, allTexts, d.classes(all)),
                  null,
                  d.labels().size(),
                  again,
                  new Checkpoints(checkpoints.resolve("refit"), config.resume()),
                  fineTuneListener(listener));
          Path allDir = Files.createDirectories(work.resolve("all"));
          TunedEncoderWriter.TunedEncoder allEncoder =
              TunedEncoderWriter.write(base, allTuning, config.mode().id(), allDir);
          try (Encoder tuned = allEncoder.open(options)) {
            LabeledVectors trainV = vectors(tuned, window, trainTexts, d.classes(d.train()));
            LabeledVectors validV = vectors(tuned, window, validTexts, d.classes(d.valid()));
            kept = new Model(allTuning, HeadTrainer.refit(scored.head(), trainV, validV));
          }
          notes.add(
              "The bundle's model was trained again on all "
                  + allTexts.size()
                  + " examples (the encoder "
                  + (contrastive
                      ? "as before"
                      : "for " + keptEpochs + " epochs, the best on the held-out set")
                  + ", the head "
                  + refitHead(scored.head())
                  + "); the metrics here are those of the model that did not see the held-out"
                  + " examples.");
        }

        listener.stage("Writing " + config.out());
        Path finalDir = Files.createDirectories(work.resolve("bundle"));
        TunedEncoderWriter.TunedEncoder written =
            TunedEncoderWriter.write(base, kept.tuned(), config.mode().id(), finalDir);
        EncoderDescriptor b = base.descriptor();
        notes.add(
            "The encoder was fine-tuned"
                + (s.rank() > 0 ? " (LoRA adapters merged into its weights)" : "")
                + (contrastive ? " by a contrastive loss (" + s.objective().id() + ")" : "")
                + ": the bundle carries it as encoder.onnx ("
                + written.descriptor().id()
                + "), so an index made with "
                + b.id()
                + " must be re-embedded, not relabelled.");
        notes.add(FineTuneRecord.readingNote(s, window, train.size(), contrastive));
        double seconds = (System.nanoTime() - start) / 1e9;
        FineTuneSettings ran = s.withEpochs(scoredTuning.settings().epochs());
        ModelBundle bundle;
        try (Encoder tunedEncoder = written.open(options)) {
          ObjectNode training =
              FineTuneRecord.provenance(config, d, ran, b, scoredTuning, kept.head(), seconds);
          training.put("training_chunks", train.size());
          training.put("refit_on_all_examples", refit);
          final Model keptModel = kept;
          final ClassificationMetrics scoredMetrics = validation;
          bundle =
              BundleWriter.to(config.out())
                  .encoder(tunedEncoder)
                  .chunking(window)
                  .head(kept.head().settings().kind().id(), kept.head().onnx())
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
                                  FineTuneRecord.facts(
                                      config, ran, b, scoredTuning, keptModel.head(), d),
                                  // The curves: the head's epochs after a contrastive encoder,
                                  // otherwise the encoder's, scored by the head it trained with.
                                  contrastive ? scored.head().history() : scoredTuning.history(),
                                  contrastive
                                      ? scored.head().bestEpoch()
                                      : scoredTuning.bestEpoch(),
                                  scoredMetrics,
                                  notes,
                                  validProbabilities)))
                  .write();
        }
        if (config.checkpointDirectory() == null) {
          deleteRecursively(checkpoints);
        }
        return new TrainingResult(
            bundle,
            kept.head(),
            Optional.ofNullable(validation),
            d.noValidation(),
            d.train().size(),
            d.valid().size(),
            0,
            0,
            scoredTuning.cacheSeconds(),
            refit ? d.train().size() + d.valid().size() : 0,
            config.mode(),
            scoredTuning.examplesPerSecond());
      } finally {
        deleteRecursively(work);
      }
    }
  }

  private static FineTuneListener fineTuneListener(TrainingListener listener) {
    return new FineTuneListener() {
      @Override
      public void steps(int done, int total) {
        listener.trained(done, total);
      }

      @Override
      public void epoch(EpochMetrics metrics) {
        listener.epoch(metrics);
      }
    };
  }

  /**
   * The bundle's head: the head of {@code config} fitted on the tuned encoder's vectors of the
   * training texts, stopping early on the held-out ones, as feature extraction fits it. The linear
   * head that trained with the encoder (finetune, lora) only gave the encoder its gradient: fitted
   * exactly on the tuned vectors, a head scores better on all four tasks of the suite
   * (eval/RESULTS.md, "The bundle's head fitted on the tuned encoder").
   */
  private static TrainedHead fitHead(
      TrainingConfig config,
      TrainingData d,
      Encoder tuned,
      Chunking window,
      List<String> trainTexts,
      LabeledVectors validV,
      TrainingListener listener) {
    listener.stage(
        "Training a "
            + config.head().kind().id()
            + " head on the tuned encoder's vectors of "
            + trainTexts.size()
            + " texts");
    LabeledVectors trainV = vectors(tuned, window, trainTexts, d.classes(d.train()));
    return HeadTrainer.train(
        trainV,
        validV.size() > 0 ? validV : null,
        d.labels().size(),
        config.head(),
        listener::epoch);
  }

  private static LabeledVectors vectors(
      Encoder encoder, Chunking window, List<String> texts, int[] labels) {
    return new LabeledVectors(
        encoder.embedDocuments(texts, window).stream()
            .map(window.pooling()::features)
            .toArray(float[][]::new),
        labels);
  }

  /** The held-out examples' probabilities under {@code head}, or null without any. */
  private static float[][] heldOutProbabilities(TrainedHead head, LabeledVectors validV) {
    return validV.size() == 0 ? null : head.probabilities(validV.vectors());
  }

  /**
   * With {@link Quantization#INT8}: the held-out scores of the float encoder, before quantization
   * (the bundle's metrics are the int8 one's), as a note; also kept in the manifest.
   */
  private static String quantizationNote(
      TrainingConfig config,
      TrainingData d,
      Encoder base,
      FineTuneResult tuning,
      Chunking window,
      ClassificationMetrics int8,
      TrainingListener listener,
      Path work)
      throws IOException {
    Path dir = Files.createDirectories(work.resolve("float"));
    TunedEncoderWriter.TunedEncoder written =
        TunedEncoderWriter.write(base, tuning, config.mode().id(), dir, Quantization.NONE);
    ClassificationMetrics fp32;
    try (Encoder tuned = written.open(config.encoderOptions())) {
      LabeledVectors validV =
          vectors(tuned, window, TrainingData.texts(d.valid()), d.classes(d.valid()));
      TrainedHead head =
          fitHead(
              config,
              d,
              tuned,
              window,
              TrainingData.texts(d.train()),
              validV,
              TrainingListener.NONE);
      fp32 =
          ClassificationMetrics.compute(
              d.labels(), d.classes(d.valid()), heldOutProbabilities(head, validV));
    }
    String note =
        String.format(
            Locale.ROOT,
            "The encoder is written in int8 (dynamic quantization): held-out macro-F1 %.4f in int8,"
                + " %.4f before quantization (accuracy %.4f and %.4f).",
            int8.macroF1(),
            fp32.macroF1(),
            int8.accuracy(),
            fp32.accuracy());
    listener.note(note);
    return note;
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

  /** How a head is trained again on all examples, for the notes. */
  private static String refitHead(TrainedHead head) {
    return head.settings().kind() == HeadKind.LINEAR
        ? "at the regularization it chose, " + head.settings().regularization()
        : "for its best epoch, " + head.bestEpoch();
  }
}
