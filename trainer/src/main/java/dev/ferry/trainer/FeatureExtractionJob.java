package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.loop.EarlyStopping;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.MetricsJson;
import dev.ferry.trainer.report.TrainingReport;
import dev.ferry.trainer.selection.EncoderSelection;
import dev.ferry.trainer.selection.SelectionSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Trainer}'s feature-extraction mode ({@link TrainingMode#FEATURES}): embeds every text once
 * with the frozen encoder (through the embedding cache), trains a head on the vectors, refits it on
 * all examples, and writes the bundle with its report.
 */
final class FeatureExtractionJob {
  private FeatureExtractionJob() {}

  /**
   * @param selection what {@code --encoder auto} found, which chose {@code config}'s encoder and
   *     head; null when the user named them
   */
  static TrainingResult train(
      TrainingConfig config,
      TrainingData d,
      TrainingListener listener,
      long start,
      EncoderSelection selection)
      throws IOException {
    HeadSettings settings = config.head();
    List<LabeledExample> train = d.train();
    List<LabeledExample> valid = d.valid();
    List<String> labels = d.labels();
    List<String> notes = d.notes();
    listener.stage(
        "Embedding " + (train.size() + valid.size()) + " texts (" + config.chunking() + ")");
    try (Encoder encoder = Encoder.open(config.encoder(), config.encoderOptions())) {
      long embedStart = System.nanoTime();
      List<String> texts = new ArrayList<>(train.size() + valid.size());
      train.forEach(e -> texts.add(e.text()));
      valid.forEach(e -> texts.add(e.text()));
      float[][] vectors;
      int hits = 0;
      int embedded = texts.size();
      if (config.cacheEmbeddings()) {
        try (EmbeddingCache cache =
            config.cacheDirectory() == null
                ? EmbeddingCache.openDefault(encoder.descriptor(), config.chunking())
                : EmbeddingCache.open(
                    config.cacheDirectory(), encoder.descriptor(), config.chunking())) {
          vectors = cache.embed(encoder, texts, listener::embedded);
          hits = cache.hits();
          embedded = cache.misses();
          if (cache.corruptRecords() > 0) {
            int n = cache.corruptRecords();
            String message =
                n == 1
                    ? "1 vector in the embedding cache "
                        + cache.file()
                        + " failed its checksum; its text was embedded again"
                    : n
                        + " vectors in the embedding cache "
                        + cache.file()
                        + " failed their checksums; their texts were embedded again";
            notes.add(message);
            listener.note(message);
          }
        }
      } else {
        vectors =
            encoder.embedDocuments(texts, config.chunking()).stream()
                .map(config.chunking().pooling()::features)
                .toArray(float[][]::new);
        listener.embedded(texts.size(), texts.size());
      }
      double embedSeconds = (System.nanoTime() - embedStart) / 1e9;
      LabeledVectors trainVectors = vectors(vectors, 0, train, labels);
      LabeledVectors validVectors = vectors(vectors, train.size(), valid, labels);

      listener.stage(
          "Training a " + settings.kind().id() + " head on " + train.size() + " examples");
      TrainedHead scored =
          HeadTrainer.train(
              trainVectors,
              validVectors.size() > 0 ? validVectors : null,
              labels.size(),
              settings,
              listener::epoch);
      float[][] validProbabilities =
          validVectors.size() == 0 ? null : scored.probabilities(validVectors.vectors());
      ClassificationMetrics validation =
          validProbabilities == null
              ? null
              : ClassificationMetrics.compute(labels, validVectors.labels(), validProbabilities);
      boolean refit = config.refit() && validVectors.size() > 0 && HeadTrainer.refits(scored);
      TrainedHead head = scored;
      if (refit) {
        int all = trainVectors.size() + validVectors.size();
        String what =
            settings.kind() == HeadKind.LINEAR
                ? String.format(
                    Locale.ROOT,
                    "at regularization %s (the one that scored best on the held-out set)",
                    scored.settings().regularization())
                : "for " + scored.bestEpoch() + " epochs (the best epoch on the held-out set)";
        listener.stage("Refitting on all " + all + " examples " + what);
        head = HeadTrainer.refit(scored, trainVectors, validVectors);
        notes.add(
            "The final head was trained again on all "
                + all
                + " examples "
                + what
                + "; the metrics here are those of the head that did not see the held-out examples.");
      }

      listener.stage("Writing " + config.out());
      ObjectNode training =
          provenance(config, d, head, embedSeconds, (System.nanoTime() - start) / 1e9);
      training.put("refit_on_all_examples", refit);
      if (selection != null) {
        training.set("encoder_selection", selection.toJson());
      }
      final TrainedHead finalHead = head;
      ModelBundle bundle =
          BundleWriter.to(config.out())
              .encoder(encoder)
              .chunking(config.chunking())
              .head(settings.kind().id(), head.onnx())
              .labels(labels)
              .training(training)
              .metrics(MetricsJson.bundleMetrics(validation, d.noValidation()))
              .extra(
                  dir ->
                      TrainingReport.write(
                          dir.resolve(ModelBundle.REPORT_DIR),
                          d.report(
                                  config,
                                  "Ferry training report: "
                                      + config.out().toAbsolutePath().normalize().getFileName(),
                                  facts(config, encoder, d, finalHead, selection),
                                  finalHead.history(),
                                  finalHead.bestEpoch(),
                                  validation,
                                  notes,
                                  validProbabilities)
                              .withTables(selectionTable(selection))))
              .write();
      return new TrainingResult(
          bundle,
          head,
          Optional.ofNullable(validation),
          d.noValidation(),
          train.size(),
          valid.size(),
          hits,
          embedded,
          embedSeconds,
          refit ? trainVectors.size() + validVectors.size() : 0,
          TrainingMode.FEATURES,
          0);
    }
  }

  private static LabeledVectors vectors(
      float[][] all, int offset, List<LabeledExample> examples, List<String> labels) {
    float[][] v = new float[examples.size()][];
    int[] y = new int[examples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = all[offset + i];
      y[i] = labels.indexOf(examples.get(i).label());
    }
    return new LabeledVectors(v, y);
  }

  /** The report's table of the candidates' scores and speeds; none without a selection. */
  private static List<TrainingReport.Table> selectionTable(EncoderSelection selection) {
    if (selection == null) {
      return List.of();
    }
    List<List<String>> rows = selection.table();
    return List.of(
        new TrainingReport.Table(
            "encoder-selection",
            "Encoder selection",
            String.format(
                    Locale.ROOT,
                    "--encoder auto scored every candidate encoder with every head by stratified"
                        + " %d-fold cross-validation on the training examples only (mean macro-F1 ±"
                        + " standard deviation over the folds); speed is texts per second measured"
                        + " on your own texts. Scores within %.3f of the best tie, and the faster"
                        + " encoder wins. ",
                    selection.folds(),
                    SelectionSettings.TIE_MARGIN)
                + selection.summary()
                + ".",
            rows.get(0),
            rows.subList(1, rows.size())));
  }

  private static Map<String, String> facts(
      TrainingConfig config,
      Encoder encoder,
      TrainingData d,
      TrainedHead head,
      EncoderSelection selection) {
    HeadSettings s = head.settings();
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(
        "Encoder",
        encoder.descriptor().id()
            + " ("
            + encoder.descriptor().pooling().id()
            + " pooling, "
            + encoder.descriptor().dimension()
            + " dimensions, max "
            + encoder.descriptor().maxLength()
            + " tokens)");
    if (selection != null) {
      facts.put("Encoder choice", selection.summary());
    }
    facts.put(
        "Head",
        s.kind().id()
            + (s.kind() == HeadKind.CENTROID ? " (temperature " + head.temperature() + ")" : "")
            + (s.kind() == HeadKind.LINEAR
                ? String.format(
                    Locale.ROOT,
                    " (fitted exactly at regularization %s%s; calibration temperature %.2f)",
                    Provenance.text(head.settings().regularization()),
                    config.head().choosesRegularization() ? ", chosen on held-out examples" : "",
                    head.temperature())
                : ""));
    facts.putAll(d.facts(config));
    facts.put("Labels", String.join(", ", d.labels()));
    facts.put("Settings", Provenance.describe(s));
    if (s.kind() == HeadKind.MLP) {
      facts.put(
          "Epochs",
          EarlyStopping.describe(
              head.history().size(), s.epochs(), head.bestEpoch(), s.patience()));
    }
    facts.put("Head training time", String.format("%.2f s", head.trainingSeconds()));
    return facts;
  }

  private static ObjectNode provenance(
      TrainingConfig config, TrainingData d, TrainedHead head, double embedSeconds, double seconds)
      throws IOException {
    ObjectNode t = d.provenance(config);
    ObjectNode h = t.putObject("hyperparameters");
    h.put("mode", TrainingMode.FEATURES.id());
    Provenance.put(h, head.settings());
    h.put("max_examples", config.maxExamples());
    t.put("epochs_run", head.history().size());
    t.put("best_epoch", head.bestEpoch());
    if (!Double.isNaN(head.temperature())) {
      t.put("temperature", head.temperature());
    }
    t.put("embed_seconds", MetricsJson.round(embedSeconds));
    t.put("head_training_seconds", MetricsJson.round(head.trainingSeconds()));
    t.put("total_seconds", MetricsJson.round(seconds));
    return t;
  }
}
