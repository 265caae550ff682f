package dev.ferry.eval;

import dev.ferry.cli.BundledSample;
import dev.ferry.cli.EncoderOptionsMixin;
import dev.ferry.cli.Ferry;
import dev.ferry.cli.RuntimeOptionsMixin;
import dev.ferry.cli.Terminal;
import dev.ferry.eval.accuracy.AccuracyBenchmark;
import dev.ferry.eval.accuracy.AccuracyConfig;
import dev.ferry.eval.accuracy.AccuracyReport;
import dev.ferry.eval.encode.EncodeBenchmark;
import dev.ferry.eval.encode.MixedLengthSample;
import dev.ferry.models.encoder.Batching;
import dev.ferry.models.encoder.Encoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry bench}: measurements that belong in eval/RESULTS.md. Its own entry point, so that
 * the {@code ferry} command carries no benchmarks: the launcher runs {@code ./ferry bench ...} with
 * this module's classpath.
 */
@Command(
    name = "ferry bench",
    mixinStandardHelpOptions = true,
    description = "Measure Ferry on this machine.",
    subcommands = {
      BenchCommand.Encode.class,
      BenchCommand.Accuracy.class,
      BenchCommand.Index.class,
      BenchCommand.Knn.class,
      BenchCommand.Jmh.class
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Runs {@code ferry bench ARGS} and exits with its code (0 ok, 1 failure, 2 bad usage). */
  public static void main(String[] args) {
    System.exit(Ferry.execute(new BenchCommand(), args));
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code ferry bench jmh}: the JMH benchmarks in eval, with JMH's own options. */
  @Command(
      name = "jmh",
      description = {
        "Run Ferry's JMH benchmarks (dev.ferry.eval.jmh);"
            + " arguments after -- go to JMH, e.g. ferry bench jmh -- -p encoder=all-minilm-l6-v2-q -f 1.",
        "Run from the project root, with ../shared/data beside it."
      })
  static final class Jmh implements Callable<Integer> {
    @picocli.CommandLine.Parameters(
        paramLabel = "JMH-ARGS",
        arity = "0..*",
        description = "JMH options (see -- -h).")
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
      return 0;
    }
  }

  /** {@code ferry bench encode}: sentences per second, bucketed against pad-to-max. */
  @Command(
      name = "encode",
      mixinStandardHelpOptions = true,
      description = {
        "Encoder throughput on realistic mixed-length text: length-bucketed"
            + " batching against padding every batch to the maximum length, in the same run.",
        "Prints a Markdown table for eval/RESULTS.md."
      })
  static final class Encode implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin EncoderOptionsMixin encoderOptions;

    @Option(
        names = "--encoders",
        split = ",",
        paramLabel = "NAME",
        description =
            "Encoders to compare (overrides --encoder). Default: all-minilm-l6-v2,all-minilm-l6-v2-q.")
    List<String> encoders = new ArrayList<>(List.of("all-minilm-l6-v2", "all-minilm-l6-v2-q"));

    @Option(
        names = "--data",
        paramLabel = "FILE",
        split = ",",
        description =
            "JSONL files to sample from. Default: ../shared/data/reuters-grain-train.jsonl.gz"
                + " and ../shared/data/spamassassin.jsonl.gz, else the bundled sample.")
    List<Path> data;

    @Option(
        names = "--unit",
        paramLabel = "paragraphs|documents",
        description =
            "Sample one paragraph of each record (as a chunking indexer feeds the encoder)"
                + " or whole records. Default: paragraphs.")
    String unit = "paragraphs";

    @Option(
        names = "--texts",
        paramLabel = "N",
        description = "Texts in the sample. Default: ${DEFAULT-VALUE}.")
    int texts = 512;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description = "Passes over the sample per path. Default: ${DEFAULT-VALUE}.")
    int rounds = 1;

    @Option(
        names = "--seed",
        paramLabel = "N",
        description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed = 42;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      Sample drawn = sample();
      List<String> sample = drawn.texts();
      List<String> measured =
          spec.commandLine().getParseResult().hasMatchedOption("--encoder")
              ? List.of(encoderOptions.encoder())
              : encoders;
      out.printf("Machine: %s%n", EncodeBenchmark.machine());
      out.printf(
          "Sample: %d %s (seed %d) from %s%n", sample.size(), drawn.unit(), seed, drawn.source());
      for (String name : measured) {
        try (Encoder probe = Encoder.open(name, encoderOptions.options())) {
          int[] p = EncodeBenchmark.tokenPercentiles(probe, sample);
          out.printf(
              "  %s tokens: p10 %d, median %d, p90 %d, max %d (truncated at %d)%n",
              name, p[0], p[1], p[2], p[3], probe.descriptor().maxLength());
        }
      }
      out.flush();
      boolean interactive = Terminal.isInteractive();
      PrintWriter err = spec.commandLine().getErr();
      List<EncodeBenchmark.Result> results =
          EncodeBenchmark.run(
              new EncodeBenchmark.Config(measured, sample, rounds, encoderOptions.options()),
              line -> {
                if (interactive) {
                  err.printf("\r%-78s", line);
                  err.flush();
                }
              });
      if (interactive) {
        err.printf("\r%78s\r", "");
        err.flush();
      }
      out.println();
      out.print(EncodeBenchmark.markdown(results));
      out.println();
      for (int i = 0; i + 1 < results.size(); i += 2) {
        EncodeBenchmark.Result bucketed = results.get(i);
        EncodeBenchmark.Result naive = results.get(i + 1);
        if (bucketed.batching() == Batching.LENGTH_BUCKETED
            && naive.batching() == Batching.PAD_TO_MAX_LENGTH) {
          double ratio = bucketed.textsPerSecond() / naive.textsPerSecond();
          double share = bucketed.tokenizeShareOfWallTime();
          out.printf(
              Locale.ROOT,
              "%s: bucketed %.2fx naive (target >= 2x: %s); tokenization %.1f%%"
                  + " of encode time (target < 10%%: %s)%n",
              bucketed.encoder(),
              ratio,
              ratio >= 2 ? "met" : "MISSED",
              100 * share,
              share < 0.10 ? "met" : "MISSED");
        }
      }
      out.flush();
      return 0;
    }

    /** The texts measured, what one text is, and where they came from. */
    private record Sample(List<String> texts, String unit, String source) {}

    private Sample sample() throws IOException {
      List<Path> files = data;
      if (files == null) {
        Path shared = Path.of("..", "shared", "data");
        List<Path> defaults =
            List.of(
                shared.resolve("reuters-grain-train.jsonl.gz"),
                shared.resolve("spamassassin.jsonl.gz"));
        files = defaults.stream().allMatch(Files::exists) ? defaults : null;
      }
      if (files == null) {
        List<String> bundled =
            BundledSample.trainingRecords().stream().map(r -> r.text()).limit(texts).toList();
        return new Sample(bundled, "documents", "(bundled sample)");
      }
      MixedLengthSample.Unit sampled =
          switch (unit.toLowerCase(Locale.ROOT)) {
            case "paragraphs", "paragraph" -> MixedLengthSample.Unit.PARAGRAPHS;
            case "documents", "document" -> MixedLengthSample.Unit.DOCUMENTS;
            default ->
                throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--unit must be paragraphs or documents, was '" + unit + "'");
          };
      String source =
          files.stream()
              .map(p -> p.getFileName().toString())
              .reduce((a, b) -> a + " + " + b)
              .orElse("");
      return new Sample(
          MixedLengthSample.draw(files, sampled, texts, seed),
          sampled.name().toLowerCase(Locale.ROOT),
          source);
    }
  }

  /**
   * {@code ferry bench index}: ingest overhead over the model alone, and relabel against ingest.
   */
  @Command(
      name = "index",
      mixinStandardHelpOptions = true,
      description = {
        "In one run on the same documents with the same classifier: the model alone (embed +"
            + " classify in ingest-sized batches), a full ingest into a new index, and a relabel of it.",
        "Prints a Markdown table for eval/RESULTS.md."
      })
  static final class Index implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--bundle",
        required = true,
        paramLabel = "DIR",
        description = "Bundle to index with.")
    Path bundle;

    @Option(
        names = "--data",
        paramLabel = "FILE",
        split = ",",
        description =
            "JSONL files to draw whole documents from. Default: ../shared/data/reuters-grain-train.jsonl.gz"
                + " and ../shared/data/spamassassin.jsonl.gz, else the bundled sample.")
    List<Path> data;

    @Option(
        names = "--texts",
        paramLabel = "N",
        description = "Documents. Default: ${DEFAULT-VALUE}.")
    int texts = 600;

    @Option(
        names = "--batch",
        paramLabel = "N",
        description = "Records per model batch. Default: ${DEFAULT-VALUE}.")
    int batch = dev.ferry.indexer.IngestOptions.defaults().batchSize();

    @Option(
        names = "--seed",
        paramLabel = "N",
        description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed = 42;

    @Option(
        names = "--work",
        paramLabel = "DIR",
        description = "Where the index is built. Default: ${DEFAULT-VALUE}.")
    Path work = Path.of("target", "bench-index");

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description =
            "Model-alone and ingest runs, alternating; the fastest of each counts. Default: ${DEFAULT-VALUE}.")
    int rounds = 2;

    @Mixin RuntimeOptionsMixin runtime;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      List<String> sample = documents(data, texts, seed);
      out.printf("Machine: %s%n", EncodeBenchmark.machine());
      out.printf("Bundle: %s; %d documents (seed %d)%n", bundle, sample.size(), seed);
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      dev.ferry.eval.index.IndexBenchmark.Result r =
          dev.ferry.eval.index.IndexBenchmark.run(
              new dev.ferry.eval.index.IndexBenchmark.Config(
                  bundle, sample, batch, runtime.options(), work, rounds),
              line -> {
                err.println(line);
                err.flush();
              });
      out.println();
      out.print(r.markdown());
      out.flush();
      return 0;
    }

    static List<String> documents(List<Path> data, int texts, long seed) throws IOException {
      List<Path> files = data;
      if (files == null) {
        Path shared = Path.of("..", "shared", "data");
        List<Path> defaults =
            List.of(
                shared.resolve("reuters-grain-train.jsonl.gz"),
                shared.resolve("spamassassin.jsonl.gz"));
        files = defaults.stream().allMatch(Files::exists) ? defaults : null;
      }
      if (files == null) {
        return BundledSample.trainingRecords().stream().map(r -> r.text()).limit(texts).toList();
      }
      return MixedLengthSample.draw(files, MixedLengthSample.Unit.DOCUMENTS, texts, seed);
    }
  }

  /** {@code ferry bench knn}: HNSW recall against exact search, with latency. */
  @Command(
      name = "knn",
      mixinStandardHelpOptions = true,
      description = {
        "Recall@k of Lucene's HNSW against exact search on generated unit vectors, with p50/p99"
            + " query latency. Prints a Markdown table for eval/RESULTS.md."
      })
  static final class Knn implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--vectors", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int vectors = 100_000;

    @Option(names = "--dim", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int dimension = 384;

    @Option(names = "--queries", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int queries = 500;

    @Option(names = "-k", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int k = 10;

    @Option(
        names = "--candidates",
        paramLabel = "N",
        split = ",",
        description =
            "HNSW candidates per query, the best k kept; several (10,100) are measured on the"
                + " same index. Default: "
                + dev.ferry.indexer.search.Search.KNN_CANDIDATES
                + ", what ferry search uses.")
    List<Integer> candidates =
        new ArrayList<>(List.of(dev.ferry.indexer.search.Search.KNN_CANDIDATES));

    @Option(
        names = "--distribution",
        paramLabel = "clustered|uniform",
        description = "Default: ${DEFAULT-VALUE}.")
    String distribution = "clustered";

    @Option(names = "--seed", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    long seed = 42;

    @Option(names = "--work", paramLabel = "DIR", description = "Default: ${DEFAULT-VALUE}.")
    Path work = Path.of("target", "bench-knn");

    @Override
    public Integer call() throws IOException {
      if (!distribution.equals("clustered") && !distribution.equals("uniform")) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--distribution must be clustered or uniform, was '" + distribution + "'");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      out.printf("Machine: %s%n", EncodeBenchmark.machine());
      dev.ferry.eval.index.KnnRecallBenchmark.Result r =
          dev.ferry.eval.index.KnnRecallBenchmark.run(
              new dev.ferry.eval.index.KnnRecallBenchmark.Config(
                  vectors, dimension, queries, k, candidates, distribution, seed, work),
              line -> {
                err.println(line);
                err.flush();
              });
      out.print(r.markdown());
      out.flush();
      return 0;
    }
  }

  /** {@code ferry bench accuracy}: the accuracy suite, encoders and heads against the baselines. */
  @Command(
      name = "accuracy",
      mixinStandardHelpOptions = true,
      description = {
        "The accuracy suite: macro-F1 of Ferry's heads (linear, mlp, centroid) on frozen embeddings"
            + " of each encoder against naive Bayes and TF-IDF + logistic regression, on four tasks"
            + " (Reuters grain/corn/other, SpamAssassin, movie-review sentiment, TREC question"
            + " type): learning curves at k examples per class, full training sets trained as ferry"
            + " train trains, head-training time, and each encoder's speed and memory measured in"
            + " the same run; a summary and the default encoder the rule in eval/RESULTS.md picks.",
        "Prints Markdown for eval/RESULTS.md and writes an HTML report with the learning-curve"
            + " charts. Embeddings are cached on disk: a rerun does not encode again."
      })
  static final class Accuracy implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--encoders",
        split = ",",
        paramLabel = "NAME",
        description =
            "Encoders to measure, each in turn (built-in names or model directories). Texts are"
                + " read whole, in chunks, as ferry train reads them; add /first-window to a name"
                + " to read each text's first window only, or /POOLING (token_weighted_mean,"
                + " first_and_mean, first_mean_max) to give the head that pooling of the chunks."
                + " Default: every built-in.")
    List<String> encoders;

    @Option(
        names = "--tasks",
        split = ",",
        paramLabel = "TASK",
        description =
            "Tasks to run (reuters-grain, spamassassin, movie-reviews, trec-questions). Default:"
                + " all.")
    List<String> tasks;

    @Option(
        names = "--steps",
        split = ",",
        paramLabel = "STEP",
        description =
            "What to do: accuracy (embed, train, score), cost (each encoder's speed and memory;"
                + " rerun it alone on a quiet machine), embed (only fill the embedding cache)."
                + " Default: accuracy,cost.")
    List<String> steps = new ArrayList<>(List.of("accuracy", "cost"));

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description =
            "The shared data folder. Default: property ferry.shared.data, else ../shared/data.")
    Path data;

    @Option(
        names = "--seeds",
        paramLabel = "N",
        description =
            "Samples per learning-curve point up to 64 per class (mean ± sd). Default:"
                + " ${DEFAULT-VALUE}.")
    int seeds = 5;

    @Option(
        names = "--large-seeds",
        paramLabel = "N",
        description =
            "Samples per learning-curve point above 64 per class. Default: ${DEFAULT-VALUE}.")
    int largeSeeds = 3;

    @Option(
        names = "--shots",
        split = ",",
        paramLabel = "K",
        description = "Learning-curve sizes, examples per class. Default: 8,16,64,256.")
    List<Integer> shots = new ArrayList<>(List.of(8, 16, 64, 256));

    @Option(
        names = "--curve-training",
        paramLabel = "fixed-epochs|as-ferry-train",
        description =
            "How the heads train on a learning-curve sample: on all of it (fixed-epochs: the"
                + " linear head's regularization chosen by cross-validation on the sample, the MLP"
                + " for 100 epochs, the last kept), or as ferry train trains, 20%% held out to"
                + " choose, then a refit (as-ferry-train). Default: ${DEFAULT-VALUE}.")
    String curve = "fixed-epochs";

    @Option(
        names = "--spam-test-size",
        paramLabel = "N",
        description =
            "Emails in the fixed, stratified SpamAssassin test subset (seed 0); the rest is the"
                + " pool training samples come from. Default: ${DEFAULT-VALUE}.")
    int spamTestSize = 1000;

    @Option(
        names = "--threads",
        paramLabel = "N",
        description =
            "ONNX Runtime threads for embedding and the cost step (0: one per core)."
                + " Default: ${DEFAULT-VALUE}.")
    int threads = 0;

    @Option(
        names = "--cost-rounds",
        paramLabel = "N",
        description =
            "Timed rounds of the cost step, every encoder in each. Default: ${DEFAULT-VALUE}.")
    int costRounds = AccuracyConfig.CostSettings.defaults().rounds();

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Where to write index.html and the charts. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("target", "accuracy-report");

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      AccuracyConfig config;
      try {
        AccuracyConfig.Builder b =
            AccuracyConfig.builder(data != null ? data : AccuracyBenchmark.sharedData())
                .seeds(seeds, largeSeeds)
                .shots(shots)
                .spamTestSize(spamTestSize)
                .threads(threads)
                .steps(steps())
                .curveTraining(curveTraining())
                .cost(AccuracyConfig.CostSettings.defaults().withRounds(costRounds));
        if (encoders != null) {
          b.encoders(encoders);
        }
        if (tasks != null) {
          b.tasks(tasks);
        }
        config = b.build();
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      boolean interactive = Terminal.isInteractive();
      long start = System.nanoTime();
      AccuracyBenchmark.Result result =
          AccuracyBenchmark.run(
              config,
              line -> {
                String stamped =
                    String.format(
                        Locale.ROOT, "[%5.0f s] %s", (System.nanoTime() - start) / 1e9, line);
                if (interactive) {
                  err.printf("\r%-78.78s", stamped);
                } else {
                  err.println(stamped);
                }
                err.flush();
              });
      if (interactive) {
        err.printf("\r%78s\r", "");
        err.flush();
      }
      out.print(AccuracyReport.markdown(result));
      Path index = AccuracyReport.writeHtml(result, this.out);
      out.printf(
          Locale.ROOT,
          "%nReport: %s (%.0f s in all)%n",
          index.toAbsolutePath().normalize(),
          (System.nanoTime() - start) / 1e9);
      out.flush();
      return 0;
    }

    private java.util.Set<AccuracyConfig.Step> steps() {
      java.util.Set<AccuracyConfig.Step> parsed =
          java.util.EnumSet.noneOf(AccuracyConfig.Step.class);
      for (String s : steps) {
        parsed.add(
            java.util.Arrays.stream(AccuracyConfig.Step.values())
                .filter(x -> x.id().equals(s.trim()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new picocli.CommandLine.ParameterException(
                            spec.commandLine(),
                            "--steps takes accuracy, cost and embed, was '" + s + "'")));
      }
      return parsed;
    }

    private AccuracyConfig.CurveTraining curveTraining() {
      return java.util.Arrays.stream(AccuracyConfig.CurveTraining.values())
          .filter(x -> x.id().equals(curve.trim()))
          .findFirst()
          .orElseThrow(
              () ->
                  new picocli.CommandLine.ParameterException(
                      spec.commandLine(),
                      "--curve-training takes fixed-epochs or as-ferry-train, was '"
                          + curve
                          + "'"));
    }
  }
}
