package dev.ferry.eval.accuracy;

import dev.ferry.eval.baseline.Baselines;
import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import dev.ferry.eval.baseline.Baselines.Split;
import dev.ferry.eval.baseline.NaiveBayesBaseline;
import dev.ferry.eval.baseline.TextClassifierBaseline;
import dev.ferry.eval.baseline.TfidfLogisticBaseline;
import dev.ferry.eval.encode.EncodeBenchmark;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.data.StratifiedSplit;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Accuracy of Ferry's heads on frozen embeddings against the bag-of-words baselines ({@link
 * NaiveBayesBaseline}, {@link TfidfLogisticBaseline}), per encoder, on the shared data:
 *
 * <ol>
 *   <li><b>Reuters grain/corn/other</b>: train on the train split, test on the test split.
 *   <li><b>SpamAssassin-500</b>: a stratified sample of 500 emails (seed 1) for training, the rest
 *       for testing, the same 500 for every method.
 *   <li><b>Learning curves</b>: macro-F1 at k examples per class ({@link PerClassSample}), over
 *       several seeds (mean ± sd). Reuters tests on its test split; SpamAssassin on a fixed
 *       stratified half (seed 0), sampling from the other half.
 *   <li><b>Head-training time</b> on 1,000 SpamAssassin embeddings (a stratified sample).
 * </ol>
 *
 * <p>In the first two tasks the heads are trained as {@code ferry train} trains them by default: a
 * stratified 20% of the training data ({@link StratifiedSplit}, the head's seed) is held out for
 * early stopping, then {@link HeadTrainer#train} with {@link HeadSettings#defaults}. The baselines
 * train on all of it (they have no use for a validation set). On the learning curve there is too
 * little data to hold any out: every method trains on the whole sample, the heads for a fixed
 * {@link Config#curveEpochs()} epochs (no early stopping), keeping the last.
 *
 * <p>Every text is embedded once per encoder, through the on-disk {@link EmbeddingCache}: a second
 * run reads the vectors back instead of running the encoder.
 *
 * <pre>{@code
 * AccuracyBenchmark.Result r = AccuracyBenchmark.run(
 *     AccuracyBenchmark.Config.defaults(AccuracyBenchmark.sharedData()), System.err::println);
 * System.out.print(AccuracyBenchmark.markdown(r));
 * AccuracyBenchmark.writeReport(r, Path.of("target/accuracy-report"));
 * }</pre>
 */
public final class AccuracyBenchmark {
  /** Reuters grain/corn/other, train split → test split. */
  public static final String REUTERS = "reuters-grain";

  /** SpamAssassin, a stratified sample for training, the rest for testing. */
  public static final String SPAM = "spamassassin";

  /** Naive Bayes, as named in the results. */
  public static final String NAIVE_BAYES = "naive Bayes";

  /** TF-IDF + logistic regression, as named in the results. */
  public static final String TFIDF_LR = "TF-IDF + LR";

  /** Share of the training data held out for early stopping, as {@code ferry train} does. */
  public static final double VALID_SPLIT = 0.2;

  private static final String REUTERS_TRAIN = "reuters-grain-train.jsonl.gz";
  private static final String REUTERS_TEST = "reuters-grain-test.jsonl.gz";
  private static final String SPAM_FILE = "spamassassin.jsonl.gz";

  /** Seed of the SpamAssassin training sample. */
  private static final long SPAM_SEED = 1;

  /** Seed of the SpamAssassin half held out for the learning curve. */
  private static final long SPAM_CURVE_SEED = 0;

  private AccuracyBenchmark() {}

  /**
   * What to measure.
   *
   * @param encoders built-in encoder names or directories, each measured in turn
   * @param data the folder with {@code reuters-grain-train.jsonl.gz}, {@code
   *     reuters-grain-test.jsonl.gz} and {@code spamassassin.jsonl.gz}
   * @param seeds samples per learning-curve point (seeds 1 .. seeds)
   * @param shots the learning curve's examples per class
   * @param spamTrainSize SpamAssassin training sample size
   * @param curveEpochs epochs the linear and MLP heads train for on the learning curve
   * @param timingExamples embeddings the head-training time is measured on
   * @param heads the heads to train
   */
  public record Config(
      List<String> encoders,
      Path data,
      int seeds,
      List<Integer> shots,
      int spamTrainSize,
      int curveEpochs,
      int timingExamples,
      List<HeadKind> heads) {

    /** Checks the fields. */
    public Config {
      encoders = List.copyOf(encoders);
      Objects.requireNonNull(data, "data");
      shots = List.copyOf(new TreeSet<>(shots));
      heads = List.copyOf(new LinkedHashSet<>(heads));
      if (encoders.isEmpty()) {
        throw new IllegalArgumentException("name at least one encoder");
      }
      if (seeds < 1 || shots.isEmpty() || shots.get(0) < 1) {
        throw new IllegalArgumentException(
            "need at least one seed and one learning-curve size of"
                + " at least 1 example per class");
      }
      if (spamTrainSize < 2 || curveEpochs < 1 || timingExamples < 2) {
        throw new IllegalArgumentException(
            "spamTrainSize and timingExamples must be at least 2," + " curveEpochs at least 1");
      }
    }

    /**
     * The measurements of the trainer issue: the default encoder, 5 seeds, 8/16/64/256 examples per
     * class, 500 SpamAssassin training emails, 100 epochs on the learning curve (the heads'
     * default), timing on 1,000 embeddings, linear, MLP and centroid heads.
     */
    public static Config defaults(Path data) {
      return new Config(
          List.of(BuiltinEncoder.DEFAULT.id()),
          data,
          5,
          List.of(8, 16, 64, 256),
          500,
          100,
          1000,
          List.of(HeadKind.LINEAR, HeadKind.MLP, HeadKind.CENTROID));
    }

    public Config withEncoders(List<String> value) {
      return new Config(
          value, data, seeds, shots, spamTrainSize, curveEpochs, timingExamples, heads);
    }

    public Config withSeeds(int value) {
      return new Config(
          encoders, data, value, shots, spamTrainSize, curveEpochs, timingExamples, heads);
    }

    public Config withShots(List<Integer> value) {
      return new Config(
          encoders, data, seeds, value, spamTrainSize, curveEpochs, timingExamples, heads);
    }

    public Config withSpamTrainSize(int value) {
      return new Config(encoders, data, seeds, shots, value, curveEpochs, timingExamples, heads);
    }

    public Config withCurveEpochs(int value) {
      return new Config(encoders, data, seeds, shots, spamTrainSize, value, timingExamples, heads);
    }

    public Config withTimingExamples(int value) {
      return new Config(encoders, data, seeds, shots, spamTrainSize, curveEpochs, value, heads);
    }

    public Config withHeads(List<HeadKind> value) {
      return new Config(
          encoders, data, seeds, shots, spamTrainSize, curveEpochs, timingExamples, value);
    }
  }

  /** Computes embeddings: one vector per text, in order. */
  @FunctionalInterface
  public interface Embedder {
    float[][] embed(String encoder, List<String> texts, Consumer<String> progress)
        throws IOException;
  }

  /**
   * One method scored on one task's test set.
   *
   * @param task {@link #REUTERS} or {@link #SPAM}
   * @param encoder the encoder, or null for a baseline
   * @param method {@link #NAIVE_BAYES}, {@link #TFIDF_LR} or a head's id
   * @param metrics scored on the test set
   * @param train examples trained on
   * @param valid examples held out for early stopping, then trained on too (0 for the baselines)
   * @param epochs epochs run and best epoch, as "run (best)", or "" where there are none
   * @param seconds training time (the baselines: fit and predict)
   */
  public record Score(
      String task,
      String encoder,
      String method,
      ClassificationMetrics metrics,
      int train,
      int valid,
      String epochs,
      double seconds) {}

  /**
   * One learning-curve point: a method at k examples per class, over the seeds.
   *
   * @param dataset {@link #REUTERS} or {@link #SPAM}
   * @param encoder the encoder, or null for a baseline
   * @param method as in {@link Score}
   * @param k examples asked for per class
   * @param train examples in each sample
   * @param capped classes that have fewer than k examples in the pool, and how many they have
   * @param macroF1 one value per seed, seeds 1, 2, …
   */
  public record CurvePoint(
      String dataset,
      String encoder,
      String method,
      int k,
      int train,
      Map<String, Integer> capped,
      double[] macroF1) {
    public MeanSd summary() {
      return MeanSd.of(macroF1);
    }
  }

  /**
   * Time to train one head.
   *
   * @param encoder the encoder whose embeddings it trained on
   * @param head the head's id
   * @param train training examples
   * @param valid validation examples
   * @param epochs epochs run (0 for the centroid head)
   * @param bestEpoch the epoch kept
   * @param seconds {@link TrainedHead#trainingSeconds()}
   */
  public record Timing(
      String encoder,
      String head,
      int train,
      int valid,
      int epochs,
      int bestEpoch,
      double seconds) {}

  /**
   * Mean and sample standard deviation (n − 1; 0 for one value).
   *
   * @param n number of values
   */
  public record MeanSd(double mean, double sd, int n) {
    public static MeanSd of(double... values) {
      int n = values.length;
      if (n == 0) {
        return new MeanSd(Double.NaN, Double.NaN, 0);
      }
      double mean = Arrays.stream(values).sum() / n;
      double squares = 0;
      for (double v : values) {
        squares += (v - mean) * (v - mean);
      }
      return new MeanSd(mean, n == 1 ? 0 : Math.sqrt(squares / (n - 1)), n);
    }

    /** {@code 0.812 ± 0.021}. */
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd);
    }
  }

  /**
   * What a run measured.
   *
   * @param config what was asked
   * @param date when it ran
   * @param machine CPU, cores, OS and Java
   * @param sets one line per data set: sizes and labels
   * @param scores the Reuters and SpamAssassin-500 tasks
   * @param curve the learning curves
   * @param timings the head-training times
   */
  public record Result(
      Config config,
      LocalDate date,
      String machine,
      Map<String, String> sets,
      List<Score> scores,
      List<CurvePoint> curve,
      List<Timing> timings) {}

  // ---------------------------------------------------------------- running

  /** The shared data folder: property {@code ferry.shared.data}, else {@code ../shared/data}. */
  public static Path sharedData() {
    return Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
  }

  /** Runs the benchmark with the built-in encoders and the default embedding cache. */
  public static Result run(Config config, Consumer<String> progress) throws IOException {
    return run(config, AccuracyBenchmark::embedCached, progress);
  }

  /**
   * Runs the benchmark, embedding with {@code embedder}.
   *
   * @param progress receives one line per step
   * @throws IOException if a data file is missing or cannot be read (the message names it)
   */
  public static Result run(Config config, Embedder embedder, Consumer<String> progress)
      throws IOException {
    Data data = Data.read(config);
    List<Score> scores = new ArrayList<>();
    List<CurvePoint> curve = new ArrayList<>();
    List<Timing> timings = new ArrayList<>();

    Map<String, Split> tasks = data.tasks();
    Map<String, Split> curves = data.curves();
    for (var task : tasks.entrySet()) {
      for (var baseline : baselines().entrySet()) {
        progress.accept(task.getKey() + ": " + baseline.getKey());
        long start = System.nanoTime();
        ClassificationMetrics m = Baselines.evaluate(baseline.getValue().get(), task.getValue());
        scores.add(
            new Score(
                task.getKey(),
                null,
                baseline.getKey(),
                m,
                task.getValue().train().size(),
                0,
                "",
                (System.nanoTime() - start) / 1e9));
      }
    }
    for (var set : curves.entrySet()) {
      for (int k : config.shots()) {
        List<PerClassSample> samples = samples(set.getValue().train(), k, config.seeds());
        for (var baseline : baselines().entrySet()) {
          progress.accept("learning curve " + set.getKey() + ", k=" + k + ": " + baseline.getKey());
          double[] f1 = new double[samples.size()];
          for (int s = 0; s < f1.length; s++) {
            LabeledTexts train = set.getValue().train().select(samples.get(s).indices());
            f1[s] =
                Baselines.evaluate(
                        baseline.getValue().get(), new Split(train, set.getValue().test()))
                    .macroF1();
          }
          curve.add(point(set.getKey(), null, baseline.getKey(), samples, f1));
        }
      }
    }

    for (String encoder : config.encoders()) {
      List<String> texts = data.distinctTexts();
      progress.accept(encoder + ": embedding " + texts.size() + " texts");
      float[][] vectors =
          embedder.embed(encoder, texts, line -> progress.accept(encoder + ": " + line));
      Map<String, float[]> byText = new HashMap<>(texts.size() * 2);
      for (int i = 0; i < texts.size(); i++) {
        byText.put(texts.get(i), vectors[i]);
      }
      for (var task : tasks.entrySet()) {
        for (HeadKind kind : config.heads()) {
          progress.accept(encoder + ": " + task.getKey() + ", " + kind.id() + " head");
          scores.add(trainAsFerryDoes(task.getKey(), encoder, kind, task.getValue(), byText));
        }
      }
      for (var set : curves.entrySet()) {
        Split split = set.getValue();
        List<String> labels = labels(split.train());
        LabeledVectors test = vectors(split.test(), labels, byText);
        for (int k : config.shots()) {
          List<PerClassSample> samples = samples(split.train(), k, config.seeds());
          for (HeadKind kind : config.heads()) {
            progress.accept(
                encoder
                    + ": learning curve "
                    + set.getKey()
                    + ", k="
                    + k
                    + ", "
                    + kind.id()
                    + " head");
            double[] f1 = new double[samples.size()];
            for (int s = 0; s < f1.length; s++) {
              LabeledVectors train =
                  vectors(split.train().select(samples.get(s).indices()), labels, byText);
              HeadSettings settings =
                  HeadSettings.defaults(kind)
                      .withPatience(0)
                      .withEpochs(kind == HeadKind.CENTROID ? 1 : config.curveEpochs())
                      .withSeed(samples.get(s).seed());
              TrainedHead head = HeadTrainer.train(train, null, labels.size(), settings, null);
              f1[s] = metrics(labels, head, test).macroF1();
            }
            curve.add(point(set.getKey(), encoder, kind.id(), samples, f1));
          }
        }
      }
      timings.addAll(timeHeads(encoder, config, data.spam(), byText, progress));
    }
    return new Result(
        config,
        LocalDate.now(),
        EncodeBenchmark.machine(),
        data.describe(),
        scores,
        curve,
        timings);
  }

  /**
   * Trains as {@code ferry train} does by default: holds out 20% for early stopping, then refits on
   * all the examples for the best epoch count ({@link HeadTrainer#refit}); scores on the test set.
   */
  private static Score trainAsFerryDoes(
      String task, String encoder, HeadKind kind, Split split, Map<String, float[]> byText) {
    HeadSettings settings = HeadSettings.defaults(kind);
    List<String> labels = labels(split.train());
    StratifiedSplit.Split held =
        StratifiedSplit.split(examples(split.train()), VALID_SPLIT, settings.seed());
    LabeledVectors train = vectors(held.train(), labels, byText);
    LabeledVectors valid = vectors(held.valid(), labels, byText);
    TrainedHead scored =
        HeadTrainer.train(train, valid.size() > 0 ? valid : null, labels.size(), settings, null);
    TrainedHead head =
        valid.size() > 0 && scored.bestEpoch() > 0
            ? HeadTrainer.refit(scored, train, valid)
            : scored;
    ClassificationMetrics m = metrics(labels, head, vectors(split.test(), labels, byText));
    return new Score(
        task,
        encoder,
        kind.id(),
        m,
        train.size(),
        valid.size(),
        epochs(head),
        head.trainingSeconds());
  }

  /**
   * Trains each head as ferry train does on a stratified sample of SpamAssassin (seed 1; the file
   * is sorted by label, so its first emails are all ham).
   */
  private static List<Timing> timeHeads(
      String encoder,
      Config config,
      LabeledTexts spam,
      Map<String, float[]> byText,
      Consumer<String> progress) {
    int n = Math.min(config.timingExamples(), spam.size());
    List<LabeledExample> examples = examples(Baselines.stratifiedSplit(spam, n, SPAM_SEED).train());
    List<String> labels =
        List.copyOf(new TreeSet<>(examples.stream().map(LabeledExample::label).toList()));
    List<Timing> timings = new ArrayList<>();
    for (HeadKind kind : config.heads()) {
      progress.accept(encoder + ": timing the " + kind.id() + " head on " + n + " embeddings");
      HeadSettings settings = HeadSettings.defaults(kind);
      StratifiedSplit.Split held = StratifiedSplit.split(examples, VALID_SPLIT, settings.seed());
      LabeledVectors train = vectors(held.train(), labels, byText);
      LabeledVectors valid = vectors(held.valid(), labels, byText);
      TrainedHead head = HeadTrainer.train(train, valid, labels.size(), settings, null);
      timings.add(
          new Timing(
              encoder,
              kind.id(),
              train.size(),
              valid.size(),
              head.history().size(),
              head.bestEpoch(),
              head.trainingSeconds()));
    }
    return timings;
  }

  /** Fresh baselines with their default settings, by name. */
  private static Map<String, Supplier<TextClassifierBaseline>> baselines() {
    Map<String, Supplier<TextClassifierBaseline>> b = new LinkedHashMap<>();
    b.put(NAIVE_BAYES, NaiveBayesBaseline::new);
    b.put(TFIDF_LR, TfidfLogisticBaseline::new);
    return b;
  }

  private static List<PerClassSample> samples(LabeledTexts pool, int k, int seeds) {
    List<PerClassSample> samples = new ArrayList<>(seeds);
    for (int seed = 1; seed <= seeds; seed++) {
      samples.add(PerClassSample.draw(pool.labels(), k, seed));
    }
    return samples;
  }

  private static CurvePoint point(
      String dataset, String encoder, String method, List<PerClassSample> samples, double[] f1) {
    PerClassSample first = samples.get(0);
    return new CurvePoint(dataset, encoder, method, first.k(), first.size(), first.capped(), f1);
  }

  private static ClassificationMetrics metrics(
      List<String> labels, TrainedHead head, LabeledVectors test) {
    return ClassificationMetrics.compute(labels, test.labels(), head.probabilities(test.vectors()));
  }

  private static String epochs(TrainedHead head) {
    return head.history().isEmpty() ? "" : head.history().size() + " (" + head.bestEpoch() + ")";
  }

  private static List<String> labels(LabeledTexts texts) {
    return List.copyOf(new TreeSet<>(texts.labels()));
  }

  private static List<LabeledExample> examples(LabeledTexts texts) {
    List<LabeledExample> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      out.add(
          new LabeledExample(null, texts.texts().get(i), texts.labels().get(i), "sample", i + 1));
    }
    return out;
  }

  private static LabeledVectors vectors(
      LabeledTexts texts, List<String> labels, Map<String, float[]> byText) {
    return vectors(examples(texts), labels, byText);
  }

  private static LabeledVectors vectors(
      List<LabeledExample> examples, List<String> labels, Map<String, float[]> byText) {
    float[][] v = new float[examples.size()][];
    int[] y = new int[examples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Objects.requireNonNull(byText.get(examples.get(i).text()), "no embedding for a text");
      y[i] = labels.indexOf(examples.get(i).label());
      if (y[i] < 0) {
        throw new IllegalArgumentException(
            "label '" + examples.get(i).label() + "' is not among the training labels " + labels);
      }
    }
    return new LabeledVectors(v, y);
  }

  /**
   * An encoder entry that ends in this reads each text's first window only (the model's maximum
   * length, the rest truncated); without it a text is read whole, as {@code ferry train} reads it
   * ({@link Chunking#DEFAULT}).
   */
  public static final String FIRST_WINDOW_SUFFIX = "/first-window";

  /**
   * How an entry reads texts: {@link Chunking#DEFAULT} unless it ends in {@value
   * #FIRST_WINDOW_SUFFIX} or in {@code /} and a {@link ChunkPooling} id (the default chunks, that
   * pooling: {@code all-minilm-l6-v2-q/token_weighted_mean}).
   */
  static Chunking chunking(String entry) {
    if (entry.endsWith(FIRST_WINDOW_SUFFIX)) {
      return Chunking.FIRST_WINDOW;
    }
    ChunkPooling pooling = suffixPooling(entry);
    return pooling == null ? Chunking.DEFAULT : Chunking.DEFAULT.withPooling(pooling);
  }

  /** The encoder of an entry: without the suffix {@link #chunking(String)} reads. */
  static String encoderId(String entry) {
    if (entry.endsWith(FIRST_WINDOW_SUFFIX)) {
      return entry.substring(0, entry.length() - FIRST_WINDOW_SUFFIX.length());
    }
    return suffixPooling(entry) == null ? entry : entry.substring(0, entry.lastIndexOf('/'));
  }

  /** The pooling an entry names after its last {@code /}, or null if it names none. */
  private static ChunkPooling suffixPooling(String entry) {
    String suffix = entry.substring(entry.lastIndexOf('/') + 1);
    return entry.contains("/")
        ? Arrays.stream(ChunkPooling.values())
            .filter(p -> p.id().equals(suffix))
            .findFirst()
            .orElse(null)
        : null;
  }

  /**
   * Embeds with a built-in encoder (default options) through the default on-disk cache.
   *
   * @param encoder a built-in encoder id, optionally followed by {@value #FIRST_WINDOW_SUFFIX} or
   *     {@code /} and a chunk pooling id
   */
  public static float[][] embedCached(String encoder, List<String> texts, Consumer<String> progress)
      throws IOException {
    long start = System.nanoTime();
    Chunking chunking = chunking(encoder);
    try (Encoder e = Encoder.open(encoderId(encoder), EncoderOptions.defaults());
        EmbeddingCache cache = EmbeddingCache.openDefault(e.descriptor(), chunking)) {
      float[][] vectors =
          cache.embed(
              e,
              texts,
              (done, total) ->
                  progress.accept(
                      String.format(
                          Locale.ROOT,
                          "embedded %,d/%,d (%.0f s)",
                          done,
                          total,
                          (System.nanoTime() - start) / 1e9)));
      progress.accept(
          String.format(
              Locale.ROOT,
              "%,d texts from the cache, %,d embedded in %.0f s",
              cache.hits(),
              cache.misses(),
              (System.nanoTime() - start) / 1e9));
      return vectors;
    }
  }

  // ---------------------------------------------------------------- data

  /** The three files, and the splits the tasks use. */
  private record Data(
      LabeledTexts reutersTrain, LabeledTexts reutersTest, LabeledTexts spam, int spamTrainSize) {

    static Data read(Config config) throws IOException {
      Path dir = config.data();
      for (String f : List.of(REUTERS_TRAIN, REUTERS_TEST, SPAM_FILE)) {
        if (!Files.isRegularFile(dir.resolve(f))) {
          throw new IOException(
              "no "
                  + f
                  + " in "
                  + dir.toAbsolutePath().normalize()
                  + "; the accuracy"
                  + " benchmark needs the shared data folder (reuters-grain-train.jsonl.gz,"
                  + " reuters-grain-test.jsonl.gz, spamassassin.jsonl.gz): pass --data DIR or set"
                  + " -Dferry.shared.data=DIR");
        }
      }
      LabeledTexts spam = Baselines.read(dir.resolve(SPAM_FILE));
      if (config.spamTrainSize() >= spam.size()) {
        throw new IllegalArgumentException(
            "spamTrainSize "
                + config.spamTrainSize()
                + " leaves no test"
                + " emails out of "
                + spam.size());
      }
      return new Data(
          Baselines.read(dir.resolve(REUTERS_TRAIN)),
          Baselines.read(dir.resolve(REUTERS_TEST)),
          spam,
          config.spamTrainSize());
    }

    Map<String, Split> tasks() {
      Map<String, Split> t = new LinkedHashMap<>();
      t.put(REUTERS, new Split(reutersTrain, reutersTest));
      t.put(SPAM, Baselines.stratifiedSplit(spam, spamTrainSize, SPAM_SEED));
      return t;
    }

    /** Pools (train) and fixed test sets for the learning curves. */
    Map<String, Split> curves() {
      Map<String, Split> c = new LinkedHashMap<>();
      c.put(REUTERS, new Split(reutersTrain, reutersTest));
      c.put(SPAM, Baselines.stratifiedSplit(spam, spam.size() - spam.size() / 2, SPAM_CURVE_SEED));
      return c;
    }

    List<String> distinctTexts() {
      LinkedHashSet<String> all = new LinkedHashSet<>(reutersTrain.texts());
      all.addAll(reutersTest.texts());
      all.addAll(spam.texts());
      return List.copyOf(all);
    }

    Map<String, String> describe() {
      Map<String, String> d = new LinkedHashMap<>();
      d.put(
          REUTERS,
          String.format(
              Locale.ROOT, "train %s; test %s", counts(reutersTrain), counts(reutersTest)));
      Split s = tasks().get(SPAM);
      Split c = curves().get(SPAM);
      d.put(
          SPAM,
          String.format(
              Locale.ROOT,
              "%s; training sample (seed %d) %s, tested on the other %,d;"
                  + " learning curve: pool %s, test %s (seed %d)",
              counts(spam),
              SPAM_SEED,
              counts(s.train()),
              s.test().size(),
              counts(c.train()),
              counts(c.test()),
              SPAM_CURVE_SEED));
      return d;
    }

    private static String counts(LabeledTexts t) {
      Map<String, Long> byLabel =
          t.labels().stream()
              .collect(
                  Collectors.groupingBy(l -> l, java.util.TreeMap::new, Collectors.counting()));
      return String.format(
          Locale.ROOT,
          "%,d (%s)",
          t.size(),
          byLabel.entrySet().stream()
              .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
              .collect(Collectors.joining(", ")));
    }
  }

  // ---------------------------------------------------------------- output

  private static String title(String task, Result r) {
    return switch (task) {
      case REUTERS -> "Reuters grain/corn/other: train split → test split";
      case SPAM ->
          String.format(
              Locale.ROOT,
              "SpamAssassin-%d: %d stratified training emails (seed %d)" + " → the other emails",
              r.config().spamTrainSize(),
              r.config().spamTrainSize(),
              SPAM_SEED);
      default -> task;
    };
  }

  /** The task tables: one row per method, with per-class F1. */
  static Table scoreTable(Result r, String task) {
    List<Score> rows = r.scores().stream().filter(s -> s.task().equals(task)).toList();
    List<String> labels = rows.isEmpty() ? List.of() : rows.get(0).metrics().labels();
    List<String> header = new ArrayList<>(List.of("method", "encoder", "accuracy", "macro-F1"));
    labels.forEach(l -> header.add("F1 " + l));
    header.addAll(List.of("ECE", "trained on", "epochs (best)", "train s"));
    Table t = new Table(2, header.toArray(String[]::new));
    for (Score s : rows) {
      ClassificationMetrics m = s.metrics();
      List<String> cells =
          new ArrayList<>(
              List.of(s.method(), encoderName(s.encoder()), f3(m.accuracy()), f3(m.macroF1())));
      for (String l : labels) {
        cells.add(f3(m.perClass().get(m.labelIndex(l)).f1()));
      }
      cells.add(f3(m.expectedCalibrationError()));
      cells.add(
          s.valid() > 0
              ? String.format(Locale.ROOT, "%,d + %,d valid, refit", s.train(), s.valid())
              : String.format(Locale.ROOT, "%,d", s.train()));
      cells.add(s.epochs().isEmpty() ? "—" : s.epochs());
      cells.add(String.format(Locale.ROOT, "%.2f", s.seconds()));
      t.row(cells);
    }
    return t;
  }

  /** A learning curve table: one row per method, one column per k, mean ± sd of macro-F1. */
  static Table curveTable(Result r, String dataset) {
    List<String> header = new ArrayList<>(List.of("method", "encoder"));
    r.config().shots().forEach(k -> header.add("k=" + k));
    Table t = new Table(2, header.toArray(String[]::new));
    for (List<CurvePoint> series : curveSeries(r, dataset)) {
      List<String> cells =
          new ArrayList<>(List.of(series.get(0).method(), encoderName(series.get(0).encoder())));
      for (int k : r.config().shots()) {
        cells.add(
            series.stream()
                .filter(p -> p.k() == k)
                .findFirst()
                .map(p -> p.summary().toString())
                .orElse("—"));
      }
      t.row(cells);
    }
    return t;
  }

  /** Curve points grouped by (encoder, method), in the order they were measured. */
  private static List<List<CurvePoint>> curveSeries(Result r, String dataset) {
    Map<String, List<CurvePoint>> series = new LinkedHashMap<>();
    for (CurvePoint p : r.curve()) {
      if (p.dataset().equals(dataset)) {
        series.computeIfAbsent(p.encoder() + "\u0000" + p.method(), x -> new ArrayList<>()).add(p);
      }
    }
    return List.copyOf(series.values());
  }

  /** Lines saying which curve points took a whole class because it had fewer than k. */
  static List<String> cappedNotes(Result r, String dataset) {
    Map<Integer, CurvePoint> byK = new java.util.TreeMap<>();
    r.curve().stream()
        .filter(p -> p.dataset().equals(dataset))
        .forEach(p -> byK.putIfAbsent(p.k(), p));
    List<String> notes = new ArrayList<>();
    byK.values()
        .forEach(
            p ->
                notes.add(
                    String.format(
                        Locale.ROOT,
                        "k=%d: %d training examples per sample%s",
                        p.k(),
                        p.train(),
                        p.capped().isEmpty()
                            ? ""
                            : "; fewer than k, so all taken: "
                                + p.capped().entrySet().stream()
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .collect(Collectors.joining(", ")))));
    return notes;
  }

  static Table timingTable(Result r) {
    Table t = new Table(2, "encoder", "head", "train + valid", "epochs run (best)", "seconds");
    for (Timing x : r.timings()) {
      t.row(
          x.encoder(),
          x.head(),
          String.format(Locale.ROOT, "%,d + %,d", x.train(), x.valid()),
          x.epochs() == 0 ? "—" : x.epochs() + " (" + x.bestEpoch() + ")",
          String.format(Locale.ROOT, "%.2f", x.seconds()));
    }
    return t;
  }

  /** Which methods reach the SpamAssassin accuracy target of 0.97. */
  static String spamTarget(Result r) {
    List<String> met = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    r.scores().stream()
        .filter(s -> s.task().equals(SPAM))
        .forEach(
            s ->
                (s.metrics().accuracy() >= 0.97 ? met : missed)
                    .add(s.method() + (s.encoder() == null ? "" : " (" + s.encoder() + ")")));
    return "Target accuracy ≥ 0.97: met by "
        + (met.isEmpty() ? "none" : String.join(", ", met))
        + "; missed by "
        + (missed.isEmpty() ? "none" : String.join(", ", missed))
        + ".";
  }

  /** Each encoder's best head against TF-IDF + LR on a task, by macro-F1. */
  static String comparison(Result r, String task) {
    List<Score> rows = r.scores().stream().filter(s -> s.task().equals(task)).toList();
    Score tfidf =
        rows.stream()
            .filter(s -> s.encoder() == null && s.method().equals(TFIDF_LR))
            .findFirst()
            .orElse(null);
    if (tfidf == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String encoder : r.config().encoders()) {
      rows.stream()
          .filter(s -> encoder.equals(s.encoder()))
          .max(java.util.Comparator.comparingDouble(s -> s.metrics().macroF1()))
          .ifPresent(
              best ->
                  parts.add(
                      String.format(
                          Locale.ROOT,
                          "%s %s head %.3f (%+.3f)",
                          encoder,
                          best.method(),
                          best.metrics().macroF1(),
                          best.metrics().macroF1() - tfidf.metrics().macroF1())));
    }
    return String.format(
        Locale.ROOT,
        "Best head per encoder against TF-IDF + LR (macro-F1 %.3f): %s.",
        tfidf.metrics().macroF1(),
        String.join("; ", parts));
  }

  /** Every table as Markdown, with headings and the notes that go with them. */
  public static String markdown(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append("Date: ").append(r.date()).append("; machine: ").append(r.machine()).append('\n');
    sb.append("Encoders: ").append(String.join(", ", r.config().encoders())).append('\n');
    r.sets().forEach((k, v) -> sb.append("Data ").append(k).append(": ").append(v).append('\n'));
    for (String task : List.of(REUTERS, SPAM)) {
      sb.append("\n### ")
          .append(title(task, r))
          .append("\n\n")
          .append(scoreTable(r, task).markdown())
          .append('\n')
          .append(comparison(r, task))
          .append('\n');
      if (task.equals(SPAM)) {
        sb.append(spamTarget(r)).append('\n');
      }
    }
    for (String dataset : List.of(REUTERS, SPAM)) {
      sb.append("\n### Learning curve, ")
          .append(dataset)
          .append(": macro-F1 at k examples per class, mean ± sd over ")
          .append(r.config().seeds())
          .append(" seeds\n\n")
          .append(curveTable(r, dataset).markdown())
          .append('\n');
      cappedNotes(r, dataset).forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    sb.append("\n### Head training time: ")
        .append(String.format(Locale.ROOT, "%,d", r.config().timingExamples()))
        .append(
            " SpamAssassin embeddings (stratified sample, seed 1), 20% held out for early stopping\n\n")
        .append(timingTable(r).markdown());
    return sb.toString();
  }

  /**
   * Writes the SpamAssassin-N split the benchmark trains and tests on as two JSONL files ({@code
   * text}, {@code label}) under {@code dir}: {@code spamassassin-N-train.jsonl} and {@code
   * spamassassin-N-test.jsonl}, so that {@code ferry train} and {@code ferry eval} can repeat the
   * measurement end to end.
   *
   * @return the two files, train first
   */
  public static List<Path> writeSpamSplit(Config config, Path dir) throws IOException {
    LabeledTexts spam = Baselines.read(config.data().resolve(SPAM_FILE));
    Split split = Baselines.stratifiedSplit(spam, config.spamTrainSize(), SPAM_SEED);
    Files.createDirectories(dir);
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, LabeledTexts> part :
        List.of(Map.entry("train", split.train()), Map.entry("test", split.test()))) {
      Path file =
          dir.resolve("spamassassin-" + config.spamTrainSize() + "-" + part.getKey() + ".jsonl");
      try (java.io.BufferedWriter w = Files.newBufferedWriter(file)) {
        LabeledTexts t = part.getValue();
        for (int i = 0; i < t.size(); i++) {
          Map<String, String> row = new LinkedHashMap<>();
          row.put("text", t.texts().get(i));
          row.put("label", t.labels().get(i));
          w.write(json.writeValueAsString(row));
          w.newLine();
        }
      }
      files.add(file);
    }
    return files;
  }

  /**
   * Writes {@code dir/index.html} (the tables and the learning-curve charts) and one PNG per
   * learning curve, {@code learning-curve-DATASET.png}.
   *
   * @return the HTML page
   */
  public static Path writeReport(Result r, Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder html =
        new StringBuilder(
            """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Ferry accuracy benchmark</title>
        <style>
        body{font-family:system-ui,sans-serif;color:#1f2937;max-width:1100px;margin:2em auto;padding:0 1em}
        table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #e5e7eb}
        th{text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
        p.meta{color:#6b7280}
        </style></head><body>
        <h1>Ferry accuracy benchmark</h1>
        """);
    html.append("<p class=\"meta\">")
        .append(Table.escape(r.date() + "; " + r.machine()))
        .append("<br>Encoders: ")
        .append(Table.escape(String.join(", ", r.config().encoders())))
        .append("</p>\n<ul>\n");
    r.sets()
        .forEach(
            (k, v) -> html.append("<li>").append(Table.escape(k + ": " + v)).append("</li>\n"));
    html.append("</ul>\n");
    for (String task : List.of(REUTERS, SPAM)) {
      html.append("<h2>")
          .append(Table.escape(title(task, r)))
          .append("</h2>\n")
          .append(scoreTable(r, task).html())
          .append("<p>")
          .append(Table.escape(comparison(r, task)))
          .append("</p>\n");
      if (task.equals(SPAM)) {
        html.append("<p>").append(Table.escape(spamTarget(r))).append("</p>\n");
      }
    }
    for (String dataset : List.of(REUTERS, SPAM)) {
      html.append("<h2>Learning curve: ").append(dataset).append("</h2>\n");
      Path png = learningCurveChart(r, dataset, dir);
      if (png != null) {
        html.append("<img src=\"")
            .append(png.getFileName())
            .append("\" width=\"")
            .append(Charts.WIDTH)
            .append("\" height=\"")
            .append(Charts.HEIGHT)
            .append("\" alt=\"macro-F1 against examples per class\">\n");
      }
      html.append("<p>Macro-F1 on the fixed test set, mean ± sd over ")
          .append(r.config().seeds())
          .append(" seeds.</p>\n")
          .append(curveTable(r, dataset).html())
          .append("<ul>\n");
      cappedNotes(r, dataset)
          .forEach(n -> html.append("<li>").append(Table.escape(n)).append("</li>\n"));
      html.append("</ul>\n");
    }
    html.append("<h2>Head training time</h2>\n")
        .append(timingTable(r).html())
        .append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Files.writeString(index, html);
    return index;
  }

  /**
   * Draws one data set's learning curves (log x axis, error bars = sd), or returns null when it has
   * none: the baselines and every head of a single encoder; with several encoders, the baselines
   * and each encoder's linear head (the default head), the rest being in the table.
   */
  static Path learningCurveChart(Result r, String dataset, Path dir) throws IOException {
    boolean oneEncoder = r.config().encoders().size() == 1;
    List<List<CurvePoint>> drawn =
        curveSeries(r, dataset).stream()
            .filter(
                s ->
                    oneEncoder
                        || s.get(0).encoder() == null
                        || s.get(0).method().equals(HeadKind.LINEAR.id()))
            .toList();
    if (drawn.isEmpty()) {
      return null;
    }
    List<Charts.Series> series = new ArrayList<>();
    for (List<CurvePoint> s : drawn) {
      CurvePoint p0 = s.get(0);
      String name =
          p0.encoder() == null ? p0.method() : oneEncoder ? p0.method() + " head" : p0.encoder();
      series.add(
          new Charts.Series(
              name,
              s.stream().mapToDouble(CurvePoint::k).toArray(),
              s.stream().mapToDouble(p -> p.summary().mean()).toArray(),
              s.stream().mapToDouble(p -> p.summary().sd()).toArray()));
    }
    String title =
        dataset
            + (oneEncoder
                ? " (" + r.config().encoders().get(0) + ")"
                : ": baselines and the linear head of each encoder");
    return Charts.writeLineChart(
        dir,
        "learning-curve-" + dataset,
        title,
        "training examples per class",
        "macro-F1 (mean ± sd over " + r.config().seeds() + " seeds)",
        series,
        Charts.Options.DEFAULT.withLogX());
  }

  private static String encoderName(String encoder) {
    return encoder == null ? "—" : encoder;
  }

  private static String f3(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.3f", v);
  }
}
