package dev.ferry.eval.index;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.indexer.IngestResult;
import dev.ferry.indexer.RelabelResult;
import dev.ferry.indexer.Relabeler;
import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Ingest overhead and relabel speed, in one run on the same texts with the same classifier: (1) the
 * model alone ({@link Classifier#classifyDocuments} over the texts in ingest-sized batches), (2) a
 * full ingest into a new index (pipeline, Lucene, HNSW, final commit), (3) a relabel of that index
 * with the same bundle. Ingest throughput over model throughput is the indexing overhead; ingest
 * time over relabel time is what relabeling saves.
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
   * @param rounds how many times the model alone and the ingest run, alternating, so that a slow
   *     spell of a shared machine hits both; the fastest round of each is reported
   */
  public record Config(
      Path bundle,
      List<String> texts,
      int batchSize,
      EncoderOptions options,
      Path work,
      int rounds) {
    /** Checks the rounds. */
    public Config {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1, was " + rounds);
      }
    }
  }

  /**
   * What was measured.
   *
   * @param documents texts
   * @param chunks chunks written
   * @param modelSeconds the model alone, fastest round
   * @param ingestSeconds the whole ingest, fastest round
   * @param relabelSeconds the relabel
   * @param modelRounds the model alone, every round in order
   * @param ingestRounds the ingest, every round in order
   * @param modelCpuRounds CPU seconds this process used in each model-alone round (all threads):
   *     the work done, whatever else the machine was running
   * @param ingestCpuRounds CPU seconds this process used in each ingest round
   */
  public record Result(
      int documents,
      long chunks,
      double modelSeconds,
      double ingestSeconds,
      double relabelSeconds,
      List<Double> modelRounds,
      List<Double> ingestRounds,
      List<Double> modelCpuRounds,
      List<Double> ingestCpuRounds) {
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
      return String.format(
          Locale.ROOT,
          """
          | step | seconds | documents/s |
          |---|---:|---:|
          | model alone (embed + classify, %d docs, %d chunks) | %.2f | %.1f |
          | ingest (pipeline + Lucene + HNSW + commit) | %.2f | %.1f |
          | relabel (stored vectors, head only, doc-values update + commit) | %.3f | %.0f |

          Rounds, alternating (seconds): model alone %s; ingest %s. The table has the fastest of each.
          CPU seconds of this process per round: model alone %s; ingest %s.
          Ingest throughput / model throughput: **%.3f** (target >= 0.85: %s)
          Relabel speed-up over ingest: **%.0fx** (target >= 20x: %s)
          """,
          documents,
          chunks,
          modelSeconds,
          documents / modelSeconds,
          ingestSeconds,
          documents / ingestSeconds,
          relabelSeconds,
          documents / relabelSeconds,
          seconds(modelRounds),
          seconds(ingestRounds),
          seconds(modelCpuRounds),
          seconds(ingestCpuRounds),
          ingestOverModel(),
          ingestOverModel() >= 0.85 ? "met" : "MISSED",
          relabelSpeedup(),
          relabelSpeedup() >= 20 ? "met" : "MISSED");
    }

    private static String seconds(List<Double> rounds) {
      return rounds.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList().toString();
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Runs the three steps; {@code log} hears what is going on. */
  public static Result run(Config config, Consumer<String> log) throws IOException {
    ModelBundle bundle = ModelBundle.open(config.bundle());
    List<String> texts = config.texts();
    try (Classifier classifier = bundle.openClassifier(config.options())) {
      log.accept("warming up");
      classifier.classifyDocuments(texts.subList(0, Math.min(64, texts.size())));
      List<Double> modelRounds = new ArrayList<>();
      List<Double> ingestRounds = new ArrayList<>();
      List<Double> modelCpuRounds = new ArrayList<>();
      List<Double> ingestCpuRounds = new ArrayList<>();
      Path folder = null;
      IngestResult ingest = null;
      for (int round = 1; round <= config.rounds(); round++) {
        log.accept("round " + round + ": model alone on " + texts.size() + " texts");
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        for (int i = 0; i < texts.size(); i += config.batchSize()) {
          classifier.classifyDocuments(
              texts.subList(i, Math.min(texts.size(), i + config.batchSize())));
        }
        modelRounds.add((System.nanoTime() - t0) / 1e9);
        modelCpuRounds.add((processCpuNanos() - cpu0) / 1e9);
        folder = Files.createTempDirectory(Files.createDirectories(config.work()), "bench-index");
        log.accept("round " + round + ": ingest into " + folder);
        try (FerryIndex index = FerryIndex.open(folder)) {
          t0 = System.nanoTime();
          cpu0 = processCpuNanos();
          try (Indexer indexer = Indexer.using(index, bundle, classifier);
              DocumentSource source = DocumentSource.of("bench", texts, null)) {
            ingest =
                indexer.ingest(
                    source,
                    IngestOptions.defaults().withBatchSize(config.batchSize()),
                    IngestListener.NONE);
          }
          ingestRounds.add((System.nanoTime() - t0) / 1e9);
          ingestCpuRounds.add((processCpuNanos() - cpu0) / 1e9);
        }
      }
      log.accept("relabel");
      try (FerryIndex index = FerryIndex.open(folder)) {
        long t0 = System.nanoTime();
        RelabelResult relabel = Relabeler.relabel(index, bundle, n -> {});
        double relabelSeconds = (System.nanoTime() - t0) / 1e9;
        if (relabel.documents() != ingest.documents()) {
          throw new IllegalStateException(
              "relabeled " + relabel.documents() + " of " + ingest.documents() + " documents");
        }
        return new Result(
            texts.size(),
            ingest.chunks(),
            Collections.min(modelRounds),
            Collections.min(ingestRounds),
            relabelSeconds,
            modelRounds,
            ingestRounds,
            modelCpuRounds,
            ingestCpuRounds);
      }
    }
  }
}
