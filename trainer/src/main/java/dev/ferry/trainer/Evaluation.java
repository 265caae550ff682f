package dev.ferry.trainer;

import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.data.LabeledData;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.ScoredExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Scores a bundle on labeled data: accuracy, macro-F1, per-class precision/recall/F1, confusion
 * matrix and calibration error, and every example as scored ({@link Result#scored()}) for error
 * analysis.
 *
 * <p>Texts are embedded through the same on-disk {@link EmbeddingCache} as {@code ferry train}
 * uses, so scoring the same test set again (another bundle on the same encoder and chunking, or the
 * same one with {@code --json}) does not run the encoder again.
 */
public final class Evaluation {
  /**
   * The outcome.
   *
   * @param metrics the scores over the examples whose label the bundle knows
   * @param badRows rows skipped as bad (with {@code skipBad})
   * @param unknownLabels examples left out because the bundle has no such label
   * @param unknownLabelNames those labels
   * @param seconds time taken
   * @param scored every example scored, in the data's order
   * @param cachedTexts texts whose vectors came from the embedding cache
   */
  public record Result(
      ClassificationMetrics metrics,
      List<String> badRows,
      int unknownLabels,
      List<String> unknownLabelNames,
      double seconds,
      List<ScoredExample> scored,
      int cachedTexts) {
    /** Copies the lists. */
    public Result {
      badRows = List.copyOf(badRows);
      unknownLabelNames = List.copyOf(unknownLabelNames);
      scored = List.copyOf(scored);
    }

    /** The {@code n} mistakes the bundle was surest of, surest first. */
    public List<ScoredExample> confidentMistakes(int n) {
      return ScoredExample.confidentMistakes(scored, n);
    }

    /** The {@code n} correct predictions the bundle was least sure of, least sure first. */
    public List<ScoredExample> leastConfidentCorrect(int n) {
      return ScoredExample.leastConfidentCorrect(scored, n);
    }
  }

  private Evaluation() {}

  /**
   * Classifies every example of {@code data} with the bundle and scores the predictions, reading
   * and writing the default embedding cache.
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
    return evaluate(bundle, data, readOptions, encoderOptions, true, progress);
  }

  /**
   * Classifies every example of {@code data} with the bundle and scores the predictions.
   *
   * @param cacheEmbeddings whether to read and write the default embedding cache ({@code
   *     FERRY_CACHE_DIR/embeddings}); false embeds every text anew
   * @param progress called with (done, total) texts; may be null
   * @throws IOException if the data cannot be read (the message names the file and line)
   */
  public static Result evaluate(
      ModelBundle bundle,
      Path data,
      LabeledDataReader.Options readOptions,
      EncoderOptions encoderOptions,
      boolean cacheEmbeddings,
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
    List<String> texts = known.stream().map(LabeledExample::text).toList();
    int[] truth = new int[known.size()];
    float[][] probabilities;
    int cached = 0;
    try (Classifier classifier = bundle.openClassifier(encoderOptions)) {
      float[][] features;
      if (cacheEmbeddings) {
        try (EmbeddingCache cache =
            EmbeddingCache.openDefault(classifier.encoder().descriptor(), classifier.chunking())) {
          features = cache.embed(classifier.encoder(), texts, progress);
          cached = cache.hits();
        }
      } else {
        features = embed(classifier, texts, progress);
      }
      probabilities = classifier.head().probabilities(features);
    }
    List<ScoredExample> scored = new ArrayList<>(known.size());
    for (int i = 0; i < known.size(); i++) {
      LabeledExample e = known.get(i);
      truth[i] = labels.indexOf(e.label());
      scored.add(
          ScoredExample.of(e.id(), e.location(), e.text(), e.label(), labels, probabilities[i]));
    }
    ClassificationMetrics metrics = ClassificationMetrics.compute(labels, truth, probabilities);
    return new Result(
        metrics,
        labeled.badRows(),
        labeled.examples().size() - known.size(),
        List.copyOf(unknownNames),
        (System.nanoTime() - start) / 1e9,
        scored,
        cached);
  }

  /** Texts embedded per encoder call without the cache, so progress can be reported. */
  private static final int TEXTS_PER_CALL = EmbeddingCache.TEXTS_PER_WRITE;

  private static float[][] embed(
      Classifier classifier, List<String> texts, BiConsumer<Integer, Integer> progress) {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += TEXTS_PER_CALL) {
      int to = Math.min(texts.size(), from + TEXTS_PER_CALL);
      List<float[]> batch =
          classifier
              .encoder()
              .embedDocuments(texts.subList(from, to), classifier.chunking())
              .stream()
              .map(classifier.chunking().pooling()::features)
              .toList();
      for (int i = from; i < to; i++) {
        out[i] = batch.get(i - from);
      }
      if (progress != null) {
        progress.accept(to, texts.size());
      }
    }
    return out;
  }
}
