package dev.ferry.eval.accuracy;

import dev.ferry.eval.accuracy.Task.TrainRun;
import dev.ferry.eval.baseline.Baselines;
import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import dev.ferry.eval.baseline.Baselines.Split;
import dev.ferry.eval.baseline.NaiveBayesBaseline;
import dev.ferry.eval.baseline.TextClassifierBaseline;
import dev.ferry.eval.baseline.TfidfLogisticBaseline;
import dev.ferry.eval.encode.EncodeBenchmark;
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
import java.io.IOException;
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
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The accuracy suite: Ferry's heads on frozen embeddings of each encoder against the bag-of-words
 * baselines ({@link NaiveBayesBaseline}, {@link TfidfLogisticBaseline}) on the {@link Tasks}
 * (Reuters, SpamAssassin, movie reviews, TREC questions), and what each encoder costs:
 *
 * <ol>
 *   <li><b>Learning curves</b>: macro-F1 on the task's test set at k examples per class ({@link
 *       PerClassSample}), mean ± sd over seeds: {@link AccuracyConfig#seeds()} seeds up to {@value
 *       AccuracyConfig#LARGE_K} per class, {@link AccuracyConfig#largeSeeds()} above it. Every
 *       method trains on the same samples.
 *   <li><b>Runs trained as {@code ferry train} trains</b> ({@link TrainRun}): the full training set
 *       of Reuters and TREC, 250 movie reviews per class. A stratified 20% is held out to choose
 *       the linear head's regularization or the MLP's epoch ({@link StratifiedSplit}, the head's
 *       seed), then the head is refit on all of it ({@link HeadTrainer#refit}). The baselines train
 *       on all of it.
 *   <li><b>Head-training time</b> on SpamAssassin embeddings.
 *   <li><b>Cost</b> of each encoder ({@link EncoderCost}), a step of its own.
 * </ol>
 *
 * <p>On the learning curve there is little data to hold out: by default the heads train on the
 * whole sample, the linear head fitted exactly at a regularization chosen by cross-validation on
 * the sample, the MLP for {@link AccuracyConfig#curveEpochs()} epochs (no early stopping), keeping
 * the last; {@link AccuracyConfig.CurveTraining#AS_FERRY_TRAIN} trains them as {@code ferry train}
 * would on the sample.
 *
 * <p>Each encoder embeds only the texts the run needs (test sets, samples, runs), once, in one
 * fixed order, through the on-disk {@link EmbeddingCache}: a second run reads the vectors back.
 *
 * <pre>{@code
 * AccuracyBenchmark.Result r = AccuracyBenchmark.run(
 *     AccuracyConfig.defaults(AccuracyBenchmark.sharedData()), System.err::println);
 * System.out.print(AccuracyReport.markdown(r));
 * }</pre>
 */
public final class AccuracyBenchmark {
  /** Naive Bayes, as named in the results. */
  public static final String NAIVE_BAYES = "naive Bayes";

  /** TF-IDF + logistic regression, as named in the results. */
  public static final String TFIDF_LR = "TF-IDF + LR";

  /**
   * Share of the training data held out (to choose and stop early), as {@code ferry train} does.
   */
  public static final double VALID_SPLIT = 0.2;

  /** Seed of the texts the cost step measures. */
  static final long COST_SEED = 42;

  private AccuracyBenchmark() {}

  /** Computes embeddings: one vector per text, in order. */
  @FunctionalInterface
  public interface Embedder {
    float[][] embed(String encoder, List<String> texts, Consumer<String> progress)
        throws IOException;
  }

  /**
   * One method trained on one sample of a {@link TrainRun} and scored on the task's test set.
   *
   * @param task the task id
   * @param run the run's name
   * @param seed the sample's seed (1 for the whole pool)
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
      String run,
      int seed,
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
   * @param task the task id
   * @param encoder the encoder, or null for a baseline
   * @param method as in {@link Score}
   * @param k examples asked for per class
   * @param train examples in each sample
   * @param capped classes that have fewer than k examples in the pool, and how many they have
   * @param macroF1 one value per seed, seeds 1, 2, …
   */
  public record CurvePoint(
      String task,
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
   * Embedding one encoder's texts.
   *
   * @param encoder the encoder entry
   * @param texts distinct texts asked for
   * @param seconds wall-clock time, cache look-up included
   */
  public record Embedding(String encoder, int texts, double seconds) {}

  /**
   * What a run measured.
   *
   * @param config what was asked
   * @param date when it ran
   * @param machine CPU, cores, OS and Java
   * @param tasks id → title and how its pool and test set came about, in task order
   * @param scores the runs trained as {@code ferry train} trains
   * @param curve the learning curves
   * @param timings the head-training times
   * @param embeddings what embedding took, per encoder
   * @param costs each encoder's cost, if measured
   */
  public record Result(
      AccuracyConfig config,
      LocalDate date,
      String machine,
      Map<String, TaskInfo> tasks,
      List<Score> scores,
      List<CurvePoint> curve,
      List<Timing> timings,
      List<Embedding> embeddings,
      List<EncoderCost.Measurement> costs) {
    /** Copies the lists. */
    public Result {
      tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
      scores = List.copyOf(scores);
      curve = List.copyOf(curve);
      timings = List.copyOf(timings);
      embeddings = List.copyOf(embeddings);
      costs = List.copyOf(costs);
    }
  }

  /**
   * A task as the results describe it.
   *
   * @param title heading
   * @param split how its pool and test set came about
   * @param runs names of its runs trained as {@code ferry train} trains
   */
  public record TaskInfo(String title, String split, List<String> runs) {}

  // ---------------------------------------------------------------- running

  /** The shared data folder: property {@code ferry.shared.data}, else {@code ../shared/data}. */
  public static Path sharedData() {
    return Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
  }

  /** Runs the suite with the built-in encoders and the default embedding cache. */
  public static Result run(AccuracyConfig config, Consumer<String> progress) throws IOException {
    EncoderOptions options = EncoderOptions.defaults().withIntraOpThreads(config.threads());
    return run(config, (encoder, texts, p) -> embedCached(encoder, texts, options, p), progress);
  }

  /**
   * Runs the suite, embedding with {@code embedder} ({@link AccuracyConfig.Step#COST} opens the
   * real encoders).
   *
   * @param progress receives one line per step
   * @throws IOException if a data file is missing or cannot be read (the message names it)
   */
  public static Result run(AccuracyConfig config, Embedder embedder, Consumer<String> progress)
      throws IOException {
    List<Task> tasks = Tasks.read(config.data(), config.tasks(), config.spamTestSize());
    Map<String, TaskInfo> info = new LinkedHashMap<>();
    tasks.forEach(
        t ->
            info.put(
                t.id(),
                new TaskInfo(
                    t.title(), t.split(), t.runs().stream().map(TrainRun::name).toList())));
    boolean accuracy = config.steps().contains(AccuracyConfig.Step.ACCURACY);
    List<Score> scores = new ArrayList<>();
    List<CurvePoint> curve = new ArrayList<>();
    List<Timing> timings = new ArrayList<>();
    List<Embedding> embeddings = new ArrayList<>();

    if (accuracy) {
      for (Task task : tasks) {
        scoreBaselines(config, task, scores, curve, progress);
      }
    }
    if (accuracy || config.steps().contains(AccuracyConfig.Step.EMBED)) {
      List<String> texts = neededTexts(config, tasks);
      for (String encoder : config.encoders()) {
        progress.accept(
            String.format(Locale.ROOT, "%s: embedding %,d texts", encoder, texts.size()));
        long start = System.nanoTime();
        float[][] vectors =
            embedder.embed(encoder, texts, line -> progress.accept(encoder + ": " + line));
        embeddings.add(new Embedding(encoder, texts.size(), (System.nanoTime() - start) / 1e9));
        if (!accuracy) {
          continue;
        }
        Map<String, float[]> byText = new HashMap<>(texts.size() * 2);
        for (int i = 0; i < texts.size(); i++) {
          byText.put(texts.get(i), vectors[i]);
        }
        for (Task task : tasks) {
          scoreHeads(config, task, encoder, byText, scores, curve, progress);
        }
        tasks.stream()
            .filter(t -> t.id().equals(Tasks.SPAM))
            .findFirst()
            .ifPresent(
                spam -> timings.addAll(timeHeads(encoder, config, spam.test(), byText, progress)));
      }
    }
    List<EncoderCost.Measurement> costs =
        config.steps().contains(AccuracyConfig.Step.COST)
            ? EncoderCost.measure(
                costConfig(config, tasks), line -> progress.accept("cost: " + line))
            : List.of();
    return new Result(
        config,
        LocalDate.now(),
        EncodeBenchmark.machine(),
        info,
        scores,
        curve,
        timings,
        embeddings,
        costs);
  }

  /**
   * Every text a run embeds, each once, in a fixed order: per task its test set, the learning-curve
   * samples (k ascending, seed ascending) and the runs' samples.
   */
  static List<String> neededTexts(AccuracyConfig config, List<Task> tasks) {
    LinkedHashSet<String> texts = new LinkedHashSet<>();
    for (Task task : tasks) {
      texts.addAll(task.test().texts());
      for (int k : config.shots()) {
        for (PerClassSample s : samples(task.pool(), k, config.seedsFor(k))) {
          texts.addAll(task.pool().select(s.indices()).texts());
        }
      }
      for (TrainRun run : task.runs()) {
        for (int[] sample : run.samples(task.pool())) {
          texts.addAll(task.pool().select(sample).texts());
        }
      }
    }
    return List.copyOf(texts);
  }

  /** Naive Bayes and TF-IDF + LR on the task's runs and learning curve. */
  private static void scoreBaselines(
      AccuracyConfig config,
      Task task,
      List<Score> scores,
      List<CurvePoint> curve,
      Consumer<String> progress) {
    for (TrainRun run : task.runs()) {
      List<int[]> samples = run.samples(task.pool());
      for (var baseline : baselines().entrySet()) {
        progress.accept(task.id() + ", " + run.name() + ": " + baseline.getKey());
        for (int s = 0; s < samples.size(); s++) {
          LabeledTexts train = task.pool().select(samples.get(s));
          long start = System.nanoTime();
          ClassificationMetrics m =
              Baselines.evaluate(baseline.getValue().get(), new Split(train, task.test()));
          scores.add(
              new Score(
                  task.id(),
                  run.name(),
                  s + 1,
                  null,
                  baseline.getKey(),
                  m,
                  train.size(),
                  0,
                  "",
                  (System.nanoTime() - start) / 1e9));
        }
      }
    }
    for (int k : config.shots()) {
      List<PerClassSample> samples = samples(task.pool(), k, config.seedsFor(k));
      for (var baseline : baselines().entrySet()) {
        progress.accept("learning curve " + task.id() + ", k=" + k + ": " + baseline.getKey());
        double[] f1 = new double[samples.size()];
        for (int s = 0; s < f1.length; s++) {
          LabeledTexts train = task.pool().select(samples.get(s).indices());
          f1[s] =
              Baselines.evaluate(baseline.getValue().get(), new Split(train, task.test()))
                  .macroF1();
        }
        curve.add(point(task.id(), null, baseline.getKey(), samples, f1));
      }
    }
  }

  /** Every head on one encoder's embeddings: the task's runs and learning curve. */
  private static void scoreHeads(
      AccuracyConfig config,
      Task task,
      String encoder,
      Map<String, float[]> byText,
      List<Score> scores,
      List<CurvePoint> curve,
      Consumer<String> progress) {
    List<String> labels = task.labels();
    LabeledVectors test = vectors(task.test(), labels, byText);
    for (TrainRun run : task.runs()) {
      List<int[]> samples = run.samples(task.pool());
      for (HeadKind kind : config.heads()) {
        progress.accept(
            encoder + ": " + task.id() + ", " + run.name() + ", " + kind.id() + " head");
        for (int s = 0; s < samples.size(); s++) {
          Fit fit = trainAsFerryTrains(task.pool().select(samples.get(s)), labels, kind, byText);
          scores.add(
              new Score(
                  task.id(),
                  run.name(),
                  s + 1,
                  encoder,
                  kind.id(),
                  metrics(labels, fit.head(), test),
                  fit.train(),
                  fit.valid(),
                  epochs(fit.head()),
                  fit.head().trainingSeconds()));
        }
      }
    }
    for (int k : config.shots()) {
      List<PerClassSample> samples = samples(task.pool(), k, config.seedsFor(k));
      for (HeadKind kind : config.heads()) {
        progress.accept(
            encoder + ": learning curve " + task.id() + ", k=" + k + ", " + kind.id() + " head");
        double[] f1 = new double[samples.size()];
        for (int s = 0; s < f1.length; s++) {
          LabeledTexts sample = task.pool().select(samples.get(s).indices());
          TrainedHead head;
          if (config.curveTraining() == AccuracyConfig.CurveTraining.AS_FERRY_TRAIN) {
            head = trainAsFerryTrains(sample, labels, kind, byText).head();
          } else {
            HeadSettings settings =
                HeadSettings.defaults(kind)
                    .withPatience(0)
                    .withEpochs(kind == HeadKind.CENTROID ? 1 : config.curveEpochs())
                    .withSeed(samples.get(s).seed());
            head =
                HeadTrainer.train(
                    vectors(sample, labels, byText), null, labels.size(), settings, null);
          }
          f1[s] = metrics(labels, head, test).macroF1();
        }
        curve.add(point(task.id(), encoder, kind.id(), samples, f1));
      }
    }
  }

  /**
   * A head trained as {@code ferry train} trains, with the examples it trained and validated on.
   */
  private record Fit(TrainedHead head, int train, int valid) {}

  /**
   * Trains as {@code ferry train} does by default: holds out 20% to choose on, then refits on all
   * the examples for the best epoch count ({@link HeadTrainer#refit}).
   */
  private static Fit trainAsFerryTrains(
      LabeledTexts sample, List<String> labels, HeadKind kind, Map<String, float[]> byText) {
    HeadSettings settings = HeadSettings.defaults(kind);
    StratifiedSplit.Split held =
        StratifiedSplit.split(examples(sample), VALID_SPLIT, settings.seed());
    LabeledVectors train = vectors(held.train(), labels, byText);
    LabeledVectors valid = vectors(held.valid(), labels, byText);
    TrainedHead scored =
        HeadTrainer.train(train, valid.size() > 0 ? valid : null, labels.size(), settings, null);
    TrainedHead head =
        valid.size() > 0 && HeadTrainer.refits(scored)
            ? HeadTrainer.refit(scored, train, valid)
            : scored;
    return new Fit(head, train.size(), valid.size());
  }

  /**
   * Trains each head as {@code ferry train} does on a stratified sample of the SpamAssassin test
   * subset's embeddings (seed 1), timing it.
   */
  private static List<Timing> timeHeads(
      String encoder,
      AccuracyConfig config,
      LabeledTexts spam,
      Map<String, float[]> byText,
      Consumer<String> progress) {
    int n = Math.min(config.timingExamples(), spam.size());
    List<LabeledExample> examples =
        examples(n == spam.size() ? spam : Baselines.stratifiedSplit(spam, n, 1).train());
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

  /**
   * The cost step's texts: short ones drawn evenly from the test sets of every task but
   * SpamAssassin, long ones from the SpamAssassin test subset; seeded.
   */
  static EncoderCost.Config costConfig(AccuracyConfig config, List<Task> tasks) {
    List<Task> shortTasks = tasks.stream().filter(t -> !t.id().equals(Tasks.SPAM)).toList();
    List<String> shortTexts = new ArrayList<>();
    for (int i = 0; i < shortTasks.size(); i++) {
      int n =
          config.cost().shortTexts() / shortTasks.size()
              + (i < config.cost().shortTexts() % shortTasks.size() ? 1 : 0);
      shortTexts.addAll(draw(shortTasks.get(i).test().texts(), n));
    }
    List<String> longTexts =
        tasks.stream()
            .filter(t -> t.id().equals(Tasks.SPAM))
            .findFirst()
            .map(t -> draw(t.test().texts(), config.cost().longDocuments()))
            .orElse(List.of());
    return new EncoderCost.Config(
        config.encoders().stream().map(AccuracyBenchmark::encoderId).distinct().toList(),
        shortTexts,
        longTexts,
        config.cost().rounds(),
        EncoderOptions.defaults().withIntraOpThreads(config.threads()),
        config.cost().memory());
  }

  /** {@code n} of {@code texts} at random (seed {@value #COST_SEED}), in their order. */
  private static List<String> draw(List<String> texts, int n) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new Random(COST_SEED));
    return order.subList(0, Math.min(n, order.size())).stream().sorted().map(texts::get).toList();
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
      String task, String encoder, String method, List<PerClassSample> samples, double[] f1) {
    PerClassSample first = samples.get(0);
    return new CurvePoint(task, encoder, method, first.k(), first.size(), first.capped(), f1);
  }

  private static ClassificationMetrics metrics(
      List<String> labels, TrainedHead head, LabeledVectors test) {
    return ClassificationMetrics.compute(labels, test.labels(), head.probabilities(test.vectors()));
  }

  private static String epochs(TrainedHead head) {
    return head.history().isEmpty() ? "" : head.history().size() + " (" + head.bestEpoch() + ")";
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

  // ---------------------------------------------------------------- encoders

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
   * Embeds with a built-in encoder through the default on-disk cache.
   *
   * @param encoder a built-in encoder id or directory, optionally followed by {@value
   *     #FIRST_WINDOW_SUFFIX} or {@code /} and a chunk pooling id
   * @param options how the encoder runs (threads)
   */
  public static float[][] embedCached(
      String encoder, List<String> texts, EncoderOptions options, Consumer<String> progress)
      throws IOException {
    long start = System.nanoTime();
    Chunking chunking = chunking(encoder);
    try (Encoder e = Encoder.open(encoderId(encoder), options);
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
}
