package dev.ferry.plugin;

import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.encoder.ChunkEmbedding;
import dev.ferry.models.encoder.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The exact answer to a kNN query over documents embedded in the test's JVM, by exhaustive search
 * ({@link Vectors}): by the documents' vectors, or by their best chunk (what Ferry's embedded
 * indexer and a nested {@code ferry_vector} field rank by). Document i has id "i".
 */
final class ExactSearch {
  private final List<ClassifiedDocument> documents;
  private final List<String> labels;

  /** Documents and their labels, for label filters. */
  ExactSearch(List<ClassifiedDocument> documents, List<String> labels) {
    this.documents = documents;
    this.labels = labels;
  }

  /**
   * Ids of the {@code k} documents whose vector is nearest {@code query}, among those labeled
   * {@code label} (null: all).
   */
  List<String> documents(float[] query, String label, int k) {
    List<Integer> allowed = allowed(label);
    float[][] candidates =
        allowed.stream().map(i -> documents.get(i).embedding().vector()).toArray(float[][]::new);
    return Vectors.nearest(query, candidates, k).stream()
        .map(n -> Integer.toString(allowed.get(n.index())))
        .toList();
  }

  /** Ids of the {@code k} documents whose best chunk is nearest {@code query}. */
  List<String> chunks(float[] query, String label, int k) {
    return allowed(label).stream()
        .sorted(
            Comparator.comparingDouble((Integer i) -> -bestChunk(query, documents.get(i)))
                .thenComparing(i -> i))
        .limit(k)
        .map(i -> Integer.toString(i))
        .toList();
  }

  private static double bestChunk(float[] query, ClassifiedDocument document) {
    double best = Double.NEGATIVE_INFINITY;
    for (ChunkEmbedding c : document.embedding().chunks()) {
      best = Math.max(best, Vectors.cosine(query, c.vector()));
    }
    return best;
  }

  private List<Integer> allowed(String label) {
    return new ArrayList<>(
        IntStream.range(0, documents.size())
            .filter(i -> label == null || label.equals(labels.get(i)))
            .boxed()
            .toList());
  }
}
