package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.data.DatasetSummary;
import dev.ferry.trainer.data.LabeledData;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.data.StratifiedSplit;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.report.TrainingReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Trains a classifier by feature extraction and writes a model bundle: reads the labeled data,
 * holds out a validation set, embeds every text once through the frozen encoder (cached on disk),
 * trains the head, scores it on the held-out set, and writes the bundle with its report.
 *
 * <pre>{@code
 * TrainingResult result = Trainer.train(
 *     TrainingConfig.builder(Path.of("train.jsonl"), Path.of("bundle")).build(),
 *     TrainingListener.NONE);
 * result.validation().ifPresentOrElse(m -> System.out.println(m.macroF1()),
 *     () -> System.out.println(result.noValidationReason()));
 * }</pre>
 */
public final class Trainer {
  private Trainer() {}

  /**
   * Runs the whole job.
   *
   * @throws IllegalArgumentException before anything else, if the output folder holds anything but
   *     a bundle ({@link TrainingConfig#checkOutput})
   * @throws IOException if the data cannot be read (the message names the file and line) or the
   *     bundle cannot be written
   * @throws TrainingDivergedException if a loss stops being a finite number
   */
  public static TrainingResult train(TrainingConfig config, TrainingListener listener) throws IOException {
    config.checkOutput();
    long start = System.nanoTime();
    Prepared d = prepare(config, listener);
    return config.mode() == TrainingMode.FEATURES
        ? features(config, d, listener, start)
        : FineTuning.train(config, d, listener, start);
  }

  /**
   * The examples as both modes train on them: read, split, labelled.
   *
   * @param notes lines for the report about the data
   * @param noValidation why {@code valid} is empty, or null when it is not
   */
  record Prepared(LabeledData trainData, LabeledData validData, List<LabeledExample> train,
      List<LabeledExample> valid, List<String> labels, DatasetSummary summary, List<String> notes,
      String noValidation) {
    /** Class ids of examples, in label order. */
    int[] classes(List<LabeledExample> examples) {
      return examples.stream().mapToInt(e -> labels.indexOf(e.label())).toArray();
    }
  }

  /** The seed of the split and of training. */
  static long seed(TrainingConfig config) {
    return config.mode() == TrainingMode.FEATURES ? config.head().seed() : config.fineTune().seed();
  }

  private static Prepared prepare(TrainingConfig config, TrainingListener listener) throws IOException {
    LabeledDataReader.Options readOptions = readOptions(config);
    long seed = seed(config);

    listener.stage("Reading " + config.data());
    LabeledData trainData = LabeledDataReader.read(config.data(), readOptions);
    List<String> notes = new ArrayList<>();
    reportBadRows(trainData, notes, listener);
    List<LabeledExample> train = trainData.examples();
    List<LabeledExample> valid;
    LabeledData validData = null;
    if (config.valid() != null) {
      validData = LabeledDataReader.read(config.valid(), readOptions);
      reportBadRows(validData, notes, listener);
      valid = validData.examples();
    } else {
      StratifiedSplit.Split split = StratifiedSplit.split(train, config.validSplit(), seed);
      train = split.train();
      valid = split.valid();
    }
    if (config.maxExamples() > 0 && config.maxExamples() < train.size()) {
      double drop = 1 - (double) config.maxExamples() / train.size();
      train = StratifiedSplit.split(train, drop, seed).train();
      listener.note("Kept a stratified sample of " + train.size() + " training examples (--max-examples "
          + config.maxExamples() + ")");
    }
    DatasetSummary summary = DatasetSummary.of(trainData.examples());
    listener.note(summary.describe().strip());
    if (summary.duplicates() > 0) {
      notes.add(summary.duplicates() + " training examples repeat an earlier text with the same label.");
    }
    if (!summary.conflicts().isEmpty()) {
      notes.add(summary.conflicts().size() + " texts occur with different labels; see the data summary.");
    }

    List<String> labels = List.copyOf(new TreeSet<>(train.stream().map(LabeledExample::label).toList()));
    if (labels.size() < 2) {
      throw new IOException(config.data() + ": needs at least 2 labels to train a classifier, found "
          + labels + " (in field '" + config.labelField() + "')");
    }
    List<LabeledExample> unknown = valid.stream().filter(e -> !labels.contains(e.label())).toList();
    if (!unknown.isEmpty()) {
      String message = unknown.size() + " validation examples have labels the training data lacks ("
          + new TreeSet<>(unknown.stream().map(LabeledExample::label).toList()) + "); they are left out of the metrics";
      notes.add(message);
      listener.note(message);
      valid = valid.stream().filter(e -> labels.contains(e.label())).toList();
    }
    String noValidation = null;
    if (valid.isEmpty()) {
      noValidation = config.valid() != null
          ? "no held-out data: none of the examples in " + config.valid() + " has a label the training data has"
          : "no held-out data: " + trainData.examples().size() + " examples, too few per class to hold out (a label"
              + " lends one to the held-out set only when it has at least 2 examples with different texts);"
              + " there are no held-out metrics: add examples, or give held-out examples in a file of their own";
      notes.add(noValidation);
      listener.note(noValidation);
    }
    return new Prepared(trainData, validData, train, valid, labels, summary, notes, noValidation);
  }

  private static TrainingResult features(TrainingConfig config, Prepared d, TrainingListener listener, long start)
      throws IOException {
    HeadSettings settings = config.head();
    List<LabeledExample> train = d.train();
    List<LabeledExample> valid = d.valid();
    List<String> labels = d.labels();
    List<String> notes = d.notes();
    listener.stage("Embedding " + (train.size() + valid.size()) + " texts (" + config.chunking() + ")");
    try (Encoder encoder = Encoder.open(config.encoder(), config.encoderOptions())) {
      long embedStart = System.nanoTime();
      List<String> texts = new ArrayList<>(train.size() + valid.size());
      train.forEach(e -> texts.add(e.text()));
      valid.forEach(e -> texts.add(e.text()));
      float[][] vectors;
      int hits = 0;
      int embedded = texts.size();
      if (config.cacheEmbeddings()) {
        try (EmbeddingCache cache = config.cacheDirectory() == null
            ? EmbeddingCache.openDefault(encoder.descriptor(), config.chunking())
            : EmbeddingCache.open(config.cacheDirectory(), encoder.descriptor(), config.chunking())) {
          vectors = cache.embed(encoder, texts, listener::embedded);
          hits = cache.hits();
          embedded = cache.misses();
          if (cache.corruptRecords() > 0) {
            int n = cache.corruptRecords();
            String message = n == 1
                ? "1 vector in the embedding cache " + cache.file()
                    + " failed its checksum; its text was embedded again"
                : n + " vectors in the embedding cache " + cache.file()
                    + " failed their checksums; their texts were embedded again";
            notes.add(message);
            listener.note(message);
          }
        }
      } else {
        vectors = encoder.embedDocuments(texts, config.chunking()).stream()
            .map(config.chunking().pooling()::features).toArray(float[][]::new);
        listener.embedded(texts.size(), texts.size());
      }
      double embedSeconds = (System.nanoTime() - embedStart) / 1e9;
      LabeledVectors trainVectors = vectors(vectors, 0, train, labels);
      LabeledVectors validVectors = vectors(vectors, train.size(), valid, labels);

      listener.stage("Training a " + settings.kind().id() + " head on " + train.size() + " examples");
      TrainedHead scored = HeadTrainer.train(trainVectors, validVectors.size() > 0 ? validVectors : null,
          labels.size(), settings, listener::epoch);
      ClassificationMetrics validation = validVectors.size() == 0 ? null
          : ClassificationMetrics.compute(labels, validVectors.labels(), scored.probabilities(validVectors.vectors()));
      boolean refit = config.refit() && validVectors.size() > 0 && scored.bestEpoch() > 0;
      TrainedHead head = scored;
      if (refit) {
        listener.stage("Refitting on all " + (trainVectors.size() + validVectors.size()) + " examples for "
            + scored.bestEpoch() + " epochs");
        head = HeadTrainer.refit(scored, trainVectors, validVectors);
        notes.add("The final head was trained again on all " + (trainVectors.size() + validVectors.size())
            + " examples for " + scored.bestEpoch() + " epochs (the best epoch on the held-out set);"
            + " the metrics here are those of the head that did not see the held-out examples.");
      }

      listener.stage("Writing " + config.out());
      ObjectNode training = provenance(config, d, head, embedSeconds, (System.nanoTime() - start) / 1e9);
      training.put("refit_on_all_examples", refit);
      final List<LabeledExample> finalTrain = train;
      final TrainedHead finalHead = head;
      ModelBundle bundle = BundleWriter.to(config.out())
          .encoder(encoder)
          .chunking(config.chunking())
          .head(settings.kind().id(), head.onnx())
          .labels(labels)
          .training(training)
          .metrics(bundleMetrics(validation, d.noValidation()))
          .extra(dir -> TrainingReport.write(dir.resolve(ModelBundle.REPORT_DIR), new TrainingReport.ReportContent(
              "Ferry training report: " + config.out().toAbsolutePath().normalize().getFileName(),
              facts(config, encoder, finalTrain.size(), d, labels, finalHead),
              finalHead.history(), finalHead.bestEpoch(), validation, notes)))
          .write();
      return new TrainingResult(bundle, head, Optional.ofNullable(validation), d.noValidation(), train.size(),
          valid.size(), hits, embedded, embedSeconds, refit ? trainVectors.size() + validVectors.size() : 0,
          TrainingMode.FEATURES, 0);
    }
  }

  static LabeledDataReader.Options readOptions(TrainingConfig config) {
    return LabeledDataReader.Options.defaults()
        .withTextField(config.textField())
        .withLabelField(config.labelField())
        .withIdField(config.idField())
        .withSkipBad(config.skipBad());
  }

  private static void reportBadRows(LabeledData data, List<String> notes, TrainingListener listener) {
    if (!data.badRows().isEmpty()) {
      String message = data.badRows().size() + " bad rows in " + data.source() + " were skipped (--skip-bad)";
      notes.add(message);
      listener.note(message);
    }
  }

  private static LabeledVectors vectors(float[][] all, int offset, List<LabeledExample> examples, List<String> labels) {
    float[][] v = new float[examples.size()][];
    int[] y = new int[examples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = all[offset + i];
      y[i] = labels.indexOf(examples.get(i).label());
    }
    return new LabeledVectors(v, y);
  }

  private static Map<String, String> facts(TrainingConfig config, Encoder encoder, int train, Prepared d,
      List<String> labels, TrainedHead head) {
    HeadSettings s = head.settings();
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("Encoder", encoder.descriptor().id() + " (" + encoder.descriptor().pooling().id() + " pooling, "
        + encoder.descriptor().dimension() + " dimensions, max " + encoder.descriptor().maxLength() + " tokens)");
    facts.put("Head", s.kind().id() + switch (s.kind()) {
      case MLP -> " (hidden " + s.hiddenSize() + ", dropout " + s.dropout() + ")";
      case CENTROID -> " (temperature " + head.temperature() + ")";
      case LINEAR -> "";
    });
    facts.put("Training data", config.data() + " (" + train + " examples used)");
    facts.put("Validation", validationFact(config, d));
    facts.put("Labels", String.join(", ", labels));
    if (s.kind() != dev.ferry.trainer.head.HeadKind.CENTROID) {
      facts.put("Optimizer", "AdamW, learning rate " + s.learningRate() + ", batch " + s.batchSize()
          + ", weight decay " + s.weightDecay() + (s.balanceClasses() ? ", balanced class weights" : ""));
      facts.put("Epochs", head.history().size() + " run of at most " + s.epochs() + ", best " + head.bestEpoch()
          + (s.patience() > 0 ? " (early stopping after " + s.patience() + " without improvement)" : ""));
    }
    facts.put("Seed", Long.toString(s.seed()));
    facts.put("Head training time", String.format("%.2f s", head.trainingSeconds()));
    return facts;
  }

  private static ObjectNode provenance(TrainingConfig config, Prepared d, TrainedHead head, double embedSeconds,
      double seconds) throws IOException {
    ObjectNode t = dataProvenance(config, d);
    HeadSettings s = head.settings();
    ObjectNode h = t.putObject("hyperparameters");
    h.put("mode", TrainingMode.FEATURES.id());
    h.put("head", s.kind().id());
    h.put("epochs", s.epochs());
    h.put("learning_rate", s.learningRate());
    h.put("batch_size", s.batchSize());
    h.put("hidden_size", s.hiddenSize());
    h.put("dropout", s.dropout());
    h.put("weight_decay", s.weightDecay());
    h.put("patience", s.patience());
    h.put("balance_classes", s.balanceClasses());
    h.put("max_examples", config.maxExamples());
    t.put("seed", s.seed());
    t.put("epochs_run", head.history().size());
    t.put("best_epoch", head.bestEpoch());
    if (!Double.isNaN(head.temperature())) {
      t.put("temperature", head.temperature());
    }
    t.put("embed_seconds", round(embedSeconds));
    t.put("head_training_seconds", round(head.trainingSeconds()));
    t.put("total_seconds", round(seconds));
    return t;
  }

  /** The manifest's {@code training} object with its {@code data} part: files, hashes, counts. */
  static ObjectNode dataProvenance(TrainingConfig config, Prepared d) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode t = f.objectNode();
    ObjectNode data = t.putObject("data");
    data.put("train_file", config.data().toString());
    data.put("train_sha256", FileHashes.sha256(config.data()));
    data.put("train_rows", d.trainData().examples().size());
    data.put("bad_rows_skipped", d.trainData().badRows().size()
        + (d.validData() == null ? 0 : d.validData().badRows().size()));
    if (d.validData() != null) {
      data.put("valid_file", config.valid().toString());
      data.put("valid_sha256", FileHashes.sha256(config.valid()));
    } else {
      data.put("valid_split", config.validSplit());
    }
    data.put("train_examples", d.train().size());
    data.put("valid_examples", d.valid().size());
    data.put("duplicates", d.summary().duplicates());
    data.put("conflicting_texts", d.summary().conflicts().size());
    ObjectNode counts = data.putObject("label_counts");
    d.summary().labelCounts().forEach(counts::put);
    return t;
  }

  /** The report's line about the held-out examples: where they came from, or why there are none. */
  static String validationFact(TrainingConfig config, Prepared d) {
    if (d.noValidation() != null) {
      return "none: " + d.noValidation().substring(d.noValidation().indexOf(':') + 1).strip();
    }
    return config.valid() != null ? config.valid() + " (" + d.valid().size() + " examples)"
        : d.valid().size() + " examples held out (" + Math.round(config.validSplit() * 100) + "% stratified split)";
  }

  /**
   * The manifest's {@code metrics}: {@code validation} as {@link #metricsJson} writes it, or, with
   * no held-out examples, {@code validation: null} and {@code no_validation_reason}.
   */
  static ObjectNode bundleMetrics(ClassificationMetrics validation, String noValidation) {
    ObjectNode metrics = JsonNodeFactory.instance.objectNode();
    if (validation != null) {
      metrics.set("validation", metricsJson(validation));
    } else {
      metrics.putNull("validation");
      metrics.put("no_validation_reason", noValidation);
    }
    return metrics;
  }

  /** Metrics as the manifest and {@code ferry eval --json} write them. */
  public static ObjectNode metricsJson(ClassificationMetrics m) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("examples", m.examples());
    o.put("accuracy", round(m.accuracy()));
    o.put("macro_f1", round(m.macroF1()));
    o.put("expected_calibration_error", round(m.expectedCalibrationError()));
    ObjectNode perClass = o.putObject("per_class");
    for (ClassificationMetrics.ClassMetrics c : m.perClass()) {
      ObjectNode n = perClass.putObject(c.label());
      n.put("precision", round(c.precision()));
      n.put("recall", round(c.recall()));
      n.put("f1", round(c.f1()));
      n.put("support", c.support());
    }
    var confusion = o.putObject("confusion");
    for (int i = 0; i < m.labels().size(); i++) {
      ObjectNode row = confusion.putObject(m.labels().get(i));
      for (int j = 0; j < m.labels().size(); j++) {
        row.put(m.labels().get(j), m.confusion()[i][j]);
      }
    }
    return o;
  }

  static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 1e6) / 1e6;
  }
}
