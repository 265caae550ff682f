package dev.ferry.trainer;

import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.data.LabeledData;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Scores a bundle on labeled data: accuracy, macro-F1, per-class precision/recall/F1, confusion
 * matrix and calibration error.
 */
public final class Evaluation {
  /** Texts classified per encoder call, so progress can be reported. */
  private static final int TEXTS_PER_CALL = 256;

  /**
   * The outcome.
   *
   * @param metrics the scores over the examples whose label the bundle knows
   * @param badRows rows skipped as bad (with {@code skipBad})
   * @param unknownLabels examples left out because the bundle has no such label
   * @param unknownLabelNames those labels
   * @param seconds time taken
   */
  public record Result(
      ClassificationMetrics metrics,
      List<String> badRows,
      int unknownLabels,
      List<String> unknownLabelNames,
      double seconds) {}

  private Evaluation() {}

  /**
   * Classifies every example of {@code data} with the bundle and scores the predictions.
   *
   * @param progress called with (done, total) texts; may be null
   * @throws IOException if the data cannot be read (the message names the file and line)
   */
  public static Result evaluate(
      ModelBundle bundle,
      Path data,
      LabeledDataReader.Options readOptions,
      EncoderOptions encoderOptions,
      BiConsumer<Integer, Integer> progress)
      throws IOException {
    long start = System.nanoTime();
    LabeledData labeled = LabeledDataReader.read(data, readOptions);
    List<String> labels = bundle.labels();
    List<LabeledExample> known = new ArrayList<>();
    TreeSet<String> unknownNames = new TreeSet<>();
    for (LabeledExample e : labeled.examples()) {
      if (labels.contains(e.label())) {
        known.add(e);
      } else {
        unknownNames.add(e.label());
      }
    }
    if (known.isEmpty()) {
      throw new IOException(
          data
              + ": no example has one of the bundle's labels "
              + labels
              + "; found "
              + unknownNames);
    }
    int[] truth = new int[known.size()];
    float[][] probabilities = new float[known.size()][];
    try (Classifier classifier = bundle.openClassifier(encoderOptions)) {
      for (int from = 0; from < known.size(); from += TEXTS_PER_CALL) {
        int to = Math.min(known.size(), from + TEXTS_PER_CALL);
        List<String> texts = known.subList(from, to).stream().map(LabeledExample::text).toList();
        float[][] p =
            classifier
                .head()
                .probabilities(
                    classifier.encoder().embedDocuments(texts, classifier.chunking()).stream()
                        .map(classifier.chunking().pooling()::features)
                        .toArray(float[][]::new));
        for (int i = from; i < to; i++) {
          truth[i] = labels.indexOf(known.get(i).label());
          probabilities[i] = p[i - from];
        }
        if (progress != null) {
          progress.accept(to, known.size());
        }
      }
    }
    ClassificationMetrics metrics = ClassificationMetrics.compute(labels, truth, probabilities);
    return new Result(
        metrics,
        labeled.badRows(),
        labeled.examples().size() - known.size(),
        List.copyOf(unknownNames),
        (System.nanoTime() - start) / 1e9);
  }
}
