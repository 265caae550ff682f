package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.FileHashes;
import dev.ferry.trainer.data.DatasetSummary;
import dev.ferry.trainer.data.LabeledData;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.data.StratifiedSplit;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.ScoredExample;
import dev.ferry.trainer.report.TrainingReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The examples as every training mode trains on them: read, split into training and held-out
 * examples, labelled; with what the report should say about them.
 *
 * @param trainData the training file as read
 * @param validData the held-out file as read, or null when the examples were split off the training
 *     file
 * @param train the examples to train on
 * @param valid the held-out examples (empty: none; {@code noValidation} says why)
 * @param labels the labels, sorted; a class id is an index into it
 * @param summary counts and repeated texts of the training file
 * @param notes lines for the report about the data
 * @param noValidation why {@code valid} is empty, or null when it is not
 */
record TrainingData(
    LabeledData trainData,
    LabeledData validData,
    List<LabeledExample> train,
    List<LabeledExample> valid,
    List<String> labels,
    DatasetSummary summary,
    List<String> notes,
    String noValidation) {

  /** Class ids of examples, in label order. */
  int[] classes(List<LabeledExample> examples) {
    return examples.stream().mapToInt(e -> labels.indexOf(e.label())).toArray();
  }

  /**
   * The held-out examples as scored: each with the arg-max of its row of {@code probabilities} (one
   * row per held-out example, in order).
   */
  List<ScoredExample> scored(float[][] probabilities) {
    List<ScoredExample> out = new ArrayList<>(valid.size());
    for (int i = 0; i < valid.size(); i++) {
      LabeledExample e = valid.get(i);
      out.add(
          ScoredExample.of(e.id(), e.location(), e.text(), e.label(), labels, probabilities[i]));
    }
    return out;
  }

  /**
   * The report's content: the parts every mode shares (the held-out examples as scored, what they
   * are, the training file's label counts) added to what the mode gives.
   *
   * @param history the epochs the curves show (the head's, or the fine-tuned encoder's)
   * @param bestEpoch the epoch kept among them (0: none)
   * @param probabilities the held-out examples' probabilities, or null without held-out examples
   */
  TrainingReport.ReportContent report(
      TrainingConfig config,
      String title,
      Map<String, String> facts,
      List<EpochMetrics> history,
      int bestEpoch,
      ClassificationMetrics validation,
      List<String> notes,
      float[][] probabilities) {
    return new TrainingReport.ReportContent(title, facts, history, bestEpoch, validation, notes)
        .withScored(
            validation == null ? null : scoredOn(config),
            probabilities == null ? List.of() : scored(probabilities),
            summary.labelCounts());
  }

  /** What the held-out scores were computed on, for the report's headings. */
  private String scoredOn(TrainingConfig config) {
    return config.valid() != null
        ? "the test file " + config.valid()
        : "the held-out " + Math.round(config.validSplit() * 100) + "% of " + config.data();
  }

  /** The texts of examples. */
  static List<String> texts(List<LabeledExample> examples) {
    return examples.stream().map(LabeledExample::text).toList();
  }

  /** Reads and splits the data {@code config} names, telling {@code listener} what it finds. */
  static TrainingData prepare(TrainingConfig config, TrainingListener listener) throws IOException {
    LabeledDataReader.Options readOptions = readOptions(config);
    long seed = config.seed();

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
      listener.note(
          "Kept a stratified sample of "
              + train.size()
              + " training examples (at most "
              + config.maxExamples()
              + " asked)");
    }
    DatasetSummary summary = DatasetSummary.of(trainData.examples());
    listener.note(summary.describe().strip());
    if (summary.duplicates() > 0) {
      notes.add(
          summary.duplicates() + " training examples repeat an earlier text with the same label.");
    }
    if (!summary.conflicts().isEmpty()) {
      notes.add(
          summary.conflicts().size() + " texts occur with different labels; see the data summary.");
    }

    List<String> labels =
        List.copyOf(new TreeSet<>(train.stream().map(LabeledExample::label).toList()));
    if (labels.size() < 2) {
      throw new IOException(
          config.data()
              + ": needs at least 2 labels to train a classifier, found "
              + labels
              + " (in field '"
              + config.labelField()
              + "')");
    }
    List<LabeledExample> unknown = valid.stream().filter(e -> !labels.contains(e.label())).toList();
    if (!unknown.isEmpty()) {
      String message =
          unknown.size()
              + " validation examples have labels the training data lacks ("
              + new TreeSet<>(unknown.stream().map(LabeledExample::label).toList())
              + "); they are left out of the metrics";
      notes.add(message);
      listener.note(message);
      valid = valid.stream().filter(e -> labels.contains(e.label())).toList();
    }
    warnAboutSmallClasses(trainData.examples(), valid, labels, notes, listener);
    String noValidation = null;
    if (valid.isEmpty()) {
      noValidation =
          config.valid() != null
              ? "no held-out data: none of the examples in "
                  + config.valid()
                  + " has a label the training data has"
              : "no held-out data: "
                  + trainData.examples().size()
                  + " examples, too few per class to hold out (a label"
                  + " lends one to the held-out set only when it has at least 2 examples with different texts);"
                  + " there are no held-out metrics: add examples, or give held-out examples in a file of their own";
      notes.add(noValidation);
      listener.note(noValidation);
    }
    return new TrainingData(
        trainData, validData, train, valid, labels, summary, notes, noValidation);
  }

  /**
   * A class with fewer than this many examples gets a warning: too few to learn from, and to score
   * (a held-out share of them is one or none).
   */
  static final int FEW_EXAMPLES = 5;

  /**
   * Warns about classes with fewer than {@link #FEW_EXAMPLES} examples, and about classes missing
   * from a non-empty held-out set (whose macro-F1 then covers only the classes present).
   */
  private static void warnAboutSmallClasses(
      List<LabeledExample> all,
      List<LabeledExample> valid,
      List<String> labels,
      List<String> notes,
      TrainingListener listener) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    labels.forEach(l -> counts.put(l, 0));
    all.forEach(e -> counts.computeIfPresent(e.label(), (l, n) -> n + 1));
    List<String> few = new ArrayList<>();
    counts.forEach(
        (label, n) -> {
          if (n < FEW_EXAMPLES) {
            few.add(label + " (" + n + ")");
          }
        });
    if (!few.isEmpty()) {
      String message =
          "warning: "
              + (few.size() == 1 ? "a class has" : few.size() + " classes have")
              + " fewer than "
              + FEW_EXAMPLES
              + " examples: "
              + String.join(", ", few)
              + "; the classifier can hardly learn "
              + (few.size() == 1 ? "it" : "them")
              + " and the held-out scores say little about "
              + (few.size() == 1 ? "it" : "them")
              + ": label more examples of "
              + (few.size() == 1 ? "it" : "each");
      notes.add(message);
      listener.note(message);
    }
    if (!valid.isEmpty()) {
      Set<String> held = new TreeSet<>(valid.stream().map(LabeledExample::label).toList());
      List<String> missing = labels.stream().filter(l -> !held.contains(l)).toList();
      if (!missing.isEmpty()) {
        String message =
            "warning: no held-out example of "
                + String.join(", ", missing)
                + ": the held-out macro-F1 covers "
                + held.size()
                + " of "
                + labels.size()
                + " classes, and says nothing about "
                + (missing.size() == 1 ? "that one" : "those")
                + "; label more examples, or give held-out examples with --valid FILE";
        notes.add(message);
        listener.note(message);
      }
    }
  }

  static LabeledDataReader.Options readOptions(TrainingConfig config) {
    return LabeledDataReader.Options.defaults()
        .withTextField(config.textField())
        .withLabelField(config.labelField())
        .withIdField(config.idField())
        .withSkipBad(config.skipBad());
  }

  private static void reportBadRows(
      LabeledData data, List<String> notes, TrainingListener listener) {
    if (!data.badRows().isEmpty()) {
      String message =
          data.badRows().size() + " bad rows in " + data.source() + " were skipped, as asked";
      notes.add(message);
      listener.note(message);
    }
  }

  /** The manifest's {@code training} object with its {@code data} part: files, hashes, counts. */
  ObjectNode provenance(TrainingConfig config) throws IOException {
    ObjectNode t = JsonNodeFactory.instance.objectNode();
    ObjectNode data = t.putObject("data");
    data.put("train_file", config.data().toString());
    data.put("train_sha256", FileHashes.sha256(config.data()));
    data.put("train_rows", trainData.examples().size());
    data.put(
        "bad_rows_skipped",
        trainData.badRows().size() + (validData == null ? 0 : validData.badRows().size()));
    if (validData != null) {
      data.put("valid_file", config.valid().toString());
      data.put("valid_sha256", FileHashes.sha256(config.valid()));
    } else {
      data.put("valid_split", config.validSplit());
    }
    data.put("train_examples", train.size());
    data.put("valid_examples", valid.size());
    data.put("duplicates", summary.duplicates());
    data.put("conflicting_texts", summary.conflicts().size());
    ObjectNode counts = data.putObject("label_counts");
    summary.labelCounts().forEach(counts::put);
    return t;
  }

  /**
   * The report's facts about the data: the training file with how many examples were used, and the
   * held-out examples.
   */
  Map<String, String> facts(TrainingConfig config) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("Training data", config.data() + " (" + train.size() + " examples used)");
    facts.put("Validation", validationFact(config));
    return facts;
  }

  /** The report's line about the held-out examples: where they came from, or why there are none. */
  private String validationFact(TrainingConfig config) {
    if (noValidation != null) {
      return "none: " + noValidation.substring(noValidation.indexOf(':') + 1).strip();
    }
    return config.valid() != null
        ? config.valid() + " (" + valid.size() + " examples)"
        : valid.size()
            + " examples held out ("
            + Math.round(config.validSplit() * 100)
            + "% stratified split)";
  }
}
