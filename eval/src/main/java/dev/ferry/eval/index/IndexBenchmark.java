package dev.ferry.eval.index;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.indexer.IngestResult;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.RelabelResult;
import dev.ferry.indexer.Relabeler;
import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Ingest overhead and relabel speed, in one run on the same texts with the same classifier:
 * (1) the model alone ({@link Classifier#classifyDocuments} over the texts in ingest-sized
 * batches), (2) a full ingest into a new index (pipeline, Lucene, HNSW, final commit), (3) a
 * relabel of that index with the same bundle. Ingest throughput over model throughput is the
 * indexing overhead; ingest time over relabel time is what relabeling saves.
 */
public final class IndexBenchmark {
  private IndexBenchmark() {}

  /**
   * What to measure.
   *
   * @param bundle the bundle to index with
   * @param texts the documents
   * @param batchSize records per model batch, for both the model alone and the ingest
   * @param options how the encoder runs
   * @param work a folder for the index (a new subfolder is made)
   */
  public record Config(Path bundle, List<String> texts, int batchSize, EncoderOptions options, Path work) {}

  /**
   * What was measured.
   *
   * @param documents texts
   * @param chunks chunks written
   * @param modelSeconds the model alone
   * @param ingestSeconds the whole ingest
   * @param relabelSeconds the relabel
   */
  public record Result(int documents, long chunks, double modelSeconds, double ingestSeconds, double relabelSeconds) {
    /** Ingest documents/s over model documents/s (target at least 0.85). */
    public double ingestOverModel() {
      return modelSeconds / ingestSeconds;
    }

    /** How many times faster relabel is than ingest (target at least 20). */
    public double relabelSpeedup() {
      return ingestSeconds / relabelSeconds;
    }

    /** A Markdown table. */
    public String markdown() {
      return String.format(Locale.ROOT, """
          | step | seconds | documents/s |
          |---|---:|---:|
          | model alone (embed + classify, %d docs, %d chunks) | %.2f | %.1f |
          | ingest (pipeline + Lucene + HNSW + commit) | %.2f | %.1f |
          | relabel (stored vectors, head only, doc-values update + commit) | %.3f | %.0f |

          Ingest throughput / model throughput: **%.3f** (target >= 0.85: %s)
          Relabel speed-up over ingest: **%.0fx** (target >= 20x: %s)
          """, documents, chunks, modelSeconds, documents / modelSeconds, ingestSeconds, documents / ingestSeconds,
          relabelSeconds, documents / relabelSeconds, ingestOverModel(), ingestOverModel() >= 0.85 ? "met" : "MISSED",
          relabelSpeedup(), relabelSpeedup() >= 20 ? "met" : "MISSED");
    }
  }

  /** Runs the three steps; {@code log} hears what is going on. */
  public static Result run(Config config, Consumer<String> log) throws IOException {
    ModelBundle bundle = ModelBundle.open(config.bundle());
    List<String> texts = config.texts();
    try (Classifier classifier = bundle.openClassifier(config.options())) {
      log.accept("warming up");
      classifier.classifyDocuments(texts.subList(0, Math.min(64, texts.size())));
      log.accept("model alone on " + texts.size() + " texts");
      long t0 = System.nanoTime();
      for (int i = 0; i < texts.size(); i += config.batchSize()) {
        classifier.classifyDocuments(texts.subList(i, Math.min(texts.size(), i + config.batchSize())));
      }
      double modelSeconds = (System.nanoTime() - t0) / 1e9;
      Path folder = Files.createTempDirectory(Files.createDirectories(config.work()), "bench-index");
      log.accept("ingest into " + folder);
      try (FerryIndex index = FerryIndex.open(folder)) {
        IngestResult ingest;
        t0 = System.nanoTime();
        try (Indexer indexer = Indexer.using(index, bundle, classifier);
             DocumentSource source = DocumentSource.of("bench", texts, null)) {
          ingest = indexer.ingest(source, IngestOptions.defaults().withBatchSize(config.batchSize()), IngestListener.NONE);
        }
        double ingestSeconds = (System.nanoTime() - t0) / 1e9;
        log.accept("relabel");
        t0 = System.nanoTime();
        RelabelResult relabel = Relabeler.relabel(index, bundle, n -> {});
        double relabelSeconds = (System.nanoTime() - t0) / 1e9;
        if (relabel.documents() != ingest.documents()) {
          throw new IllegalStateException("relabeled " + relabel.documents() + " of " + ingest.documents() + " documents");
        }
        return new Result(texts.size(), ingest.chunks(), modelSeconds, ingestSeconds, relabelSeconds);
      }
    }
  }
}
