package dev.ferry.eval.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * Recall@k of Lucene's HNSW (the codec's defaults, as Ferry's index uses them: M = 16, beam width
 * 100, DOT_PRODUCT on unit vectors) against exact search, with query latency, on generated vectors:
 * {@code clustered} (unit vectors around 1,000 random centres, like real embeddings, which cluster
 * by topic) or {@code uniform} (uniform on the sphere, the hardest case for any graph index).
 */
public final class KnnRecallBenchmark {
  private KnnRecallBenchmark() {}

  /**
   * What to measure.
   *
   * @param vectors vectors in the index
   * @param dimension their width
   * @param queries queries, drawn like the vectors but not among them
   * @param k neighbours
   * @param candidates HNSW candidates per query (Lucene's k of the query, the graph's ef), each
   *     measured in turn on the same index; the best k are kept
   * @param distribution {@code clustered} or {@code uniform}
   * @param seed generator seed
   * @param work folder for the index
   */
  public record Config(
      int vectors,
      int dimension,
      int queries,
      int k,
      List<Integer> candidates,
      String distribution,
      long seed,
      Path work) {
    /** Copies the list. */
    public Config {
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * One search setting measured.
   *
   * @param candidates HNSW candidates per query
   * @param recall mean recall@k
   * @param p50Millis median query latency
   * @param p99Millis 99th-percentile latency
   */
  public record Row(int candidates, double recall, double p50Millis, double p99Millis) {}

  /**
   * What was measured.
   *
   * @param config the setup
   * @param rows one per candidates setting, in the config's order
   * @param exactMillis mean exact (brute-force) query time
   * @param buildSeconds time to index and commit the vectors
   */
  public record Result(Config config, List<Row> rows, double exactMillis, double buildSeconds) {
    /** A Markdown table, one row per candidates setting. */
    public String markdown() {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  """
          | vectors | dim | distribution | queries | candidates | recall@%d | p50 ms | p99 ms | exact ms/query | build s |
          |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|
          """,
                  config.k()));
      for (Row r : rows) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %,d | %d | %s | %d | %d | **%.3f** | %.2f | %.2f | %.1f | %.0f |%n",
                config.vectors(),
                config.dimension(),
                config.distribution(),
                config.queries(),
                r.candidates(),
                r.recall(),
                r.p50Millis(),
                r.p99Millis(),
                exactMillis,
                buildSeconds));
      }
      b.append(System.lineSeparator());
      for (Row r : rows) {
        b.append(
            String.format(
                Locale.ROOT,
                "recall@%d with %d candidates, target >= 0.95: %s%n",
                config.k(),
                r.candidates(),
                r.recall() >= 0.95 ? "met" : "MISSED"));
      }
      return b.toString();
    }
  }

  /** Builds the index, searches it both ways, and compares. */
  public static Result run(Config c, Consumer<String> log) throws IOException {
    Random random = new Random(c.seed());
    float[][] centres = new float[1000][];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = gaussian(random, c.dimension(), 1);
    }
    float[][] data = new float[c.vectors()][];
    for (int i = 0; i < data.length; i++) {
      data[i] = draw(random, c, centres);
    }
    float[][] queries = new float[c.queries()][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = draw(random, c, centres);
    }
    Path folder = Files.createTempDirectory(Files.createDirectories(c.work()), "bench-knn");
    log.accept("indexing " + c.vectors() + " vectors");
    long t0 = System.nanoTime();
    try (FSDirectory dir = FSDirectory.open(folder)) {
      try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig().setRAMBufferSizeMB(2048))) {
        for (int i = 0; i < data.length; i++) {
          Document d = new Document();
          d.add(new KnnFloatVectorField("v", data[i], VectorSimilarityFunction.DOT_PRODUCT));
          d.add(new StoredField("i", i));
          w.addDocument(d);
        }
        w.commit();
      }
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        log.accept(reader.leaves().size() + " segment(s); exact search");
        IndexSearcher searcher = new IndexSearcher(reader);
        int[] docToI = new int[reader.maxDoc()];
        for (int d = 0; d < docToI.length; d++) {
          docToI[d] = reader.storedFields().document(d).getField("i").numericValue().intValue();
        }
        t0 = System.nanoTime();
        int[][] truth = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
          truth[q] = exact(data, queries[q], c.k());
        }
        double exactMillis = (System.nanoTime() - t0) / 1e6 / queries.length;
        List<Row> rows = new ArrayList<>();
        for (int candidates : c.candidates()) {
          log.accept("HNSW search, " + candidates + " candidates");
          rows.add(search(searcher, queries, truth, docToI, c.k(), Math.max(c.k(), candidates)));
        }
        return new Result(c, rows, exactMillis, buildSeconds);
      }
    }
  }

  private static Row search(
      IndexSearcher searcher, float[][] queries, int[][] truth, int[] docToI, int k, int candidates)
      throws IOException {
    for (int q = 0; q < Math.min(50, queries.length); q++) { // warm-up
      searcher.search(new KnnFloatVectorQuery("v", queries[q], candidates), k);
    }
    double[] millis = new double[queries.length];
    double recall = 0;
    for (int q = 0; q < queries.length; q++) {
      long s = System.nanoTime();
      TopDocs top = searcher.search(new KnnFloatVectorQuery("v", queries[q], candidates), k);
      millis[q] = (System.nanoTime() - s) / 1e6;
      Set<Integer> expected = new HashSet<>();
      for (int i : truth[q]) {
        expected.add(i);
      }
      int found = 0;
      for (ScoreDoc sd : top.scoreDocs) {
        if (expected.contains(docToI[sd.doc])) {
          found++;
        }
      }
      recall += (double) found / k;
    }
    Arrays.sort(millis);
    return new Row(
        candidates,
        recall / queries.length,
        millis[millis.length / 2],
        millis[Math.min(millis.length - 1, (int) Math.ceil(millis.length * 0.99) - 1)]);
  }

  private static float[] draw(Random random, Config c, float[][] centres) {
    if (c.distribution().equals("uniform")) {
      return normalize(gaussian(random, c.dimension(), 1));
    }
    float[] centre = centres[random.nextInt(centres.length)];
    float[] noise = gaussian(random, c.dimension(), 0.6f);
    for (int k = 0; k < noise.length; k++) {
      noise[k] += centre[k];
    }
    return normalize(noise);
  }

  private static float[] gaussian(Random random, int dim, float sigma) {
    float[] v = new float[dim];
    for (int k = 0; k < dim; k++) {
      v[k] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private static float[] normalize(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float s = (float) (1 / Math.sqrt(n));
    for (int k = 0; k < v.length; k++) {
      v[k] *= s;
    }
    return v;
  }

  /** The k nearest by dot product, brute force. */
  static int[] exact(float[][] data, float[] q, int k) {
    int[] best = new int[k];
    float[] scores = new float[k];
    Arrays.fill(scores, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < data.length; i++) {
      float s = 0;
      float[] v = data[i];
      for (int d = 0; d < v.length; d++) {
        s += v[d] * q[d];
      }
      if (s > scores[k - 1]) {
        int at = k - 1;
        while (at > 0 && scores[at - 1] < s) {
          scores[at] = scores[at - 1];
          best[at] = best[at - 1];
          at--;
        }
        scores[at] = s;
        best[at] = i;
      }
    }
    return best;
  }
}
