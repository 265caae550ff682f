package dev.ferry.eval.accuracy;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.trainer.head.HeadKind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the accuracy suite ({@link AccuracyBenchmark}) measures. Start from {@link #defaults} or
 * {@link #builder} and change what you need:
 *
 * <pre>{@code
 * AccuracyConfig config = AccuracyConfig.builder(AccuracyBenchmark.sharedData())
 *     .tasks(List.of(Tasks.MOVIES)).encoders(List.of("all-minilm-l6-v2", "e5-small-v2-q")).build();
 * }</pre>
 *
 * @param encoders built-in encoder names or directories (an entry may end in a way of reading
 *     texts, see {@link AccuracyBenchmark#chunking(String)}), each measured in turn
 * @param data the shared data folder
 * @param tasks task ids ({@link Tasks#ALL})
 * @param steps what to do
 * @param shots the learning curve's examples per class
 * @param seeds samples per learning-curve point up to {@value #LARGE_K} per class
 * @param largeSeeds samples per learning-curve point above {@value #LARGE_K} per class
 * @param curveTraining how the heads train on the learning curve
 * @param curveEpochs epochs the linear and MLP heads train for on the learning curve ({@link
 *     CurveTraining#FIXED_EPOCHS})
 * @param spamTestSize emails in the SpamAssassin test subset
 * @param timingExamples SpamAssassin embeddings the head-training time is measured on
 * @param heads the heads to train
 * @param threads ONNX Runtime intra-op threads for embedding and the cost step (0: one per core)
 * @param cost what the cost step measures
 */
public record AccuracyConfig(
    List<String> encoders,
    Path data,
    List<String> tasks,
    Set<Step> steps,
    List<Integer> shots,
    int seeds,
    int largeSeeds,
    CurveTraining curveTraining,
    int curveEpochs,
    int spamTestSize,
    int timingExamples,
    List<HeadKind> heads,
    int threads,
    CostSettings cost) {

  /** Learning-curve sizes above this many examples per class get {@link #largeSeeds()}. */
  public static final int LARGE_K = 64;

  /** What a run does. */
  public enum Step {
    /** Embed what the tasks need, filling the cache; nothing else. */
    EMBED,
    /** Embed, train and score: learning curves, runs, head-training time. */
    ACCURACY,
    /** Measure each encoder's speed and memory ({@link EncoderCost}). */
    COST;

    /** The step's name on the command line. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How the heads train on a learning-curve sample. */
  public enum CurveTraining {
    /**
     * On the whole sample, with nothing held out: the MLP for {@link #curveEpochs()} epochs,
     * keeping the last (the protocol of few-shot papers, and of this suite's earlier results); the
     * linear head fitted exactly, its regularization chosen by cross-validation on the sample.
     */
    FIXED_EPOCHS,
    /**
     * As {@code ferry train} trains: 20% held out for early stopping, then a refit on all of it.
     */
    AS_FERRY_TRAIN;

    /** The name on the command line. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * What the cost step measures: short texts drawn evenly from the test sets of the tasks other
   * than SpamAssassin, long documents from the SpamAssassin test subset.
   *
   * @param shortTexts short texts per round
   * @param longDocuments SpamAssassin emails per round
   * @param rounds timed rounds over every encoder
   * @param memory whether to measure each encoder's peak memory in a JVM of its own
   */
  public record CostSettings(int shortTexts, int longDocuments, int rounds, boolean memory) {
    /** Checks the fields. */
    public CostSettings {
      if (shortTexts < 0 || longDocuments < 0 || rounds < 1) {
        throw new IllegalArgumentException("cost texts must not be negative and rounds at least 1");
      }
    }

    /** A copy with another number of rounds. */
    public CostSettings withRounds(int value) {
      return new CostSettings(shortTexts, longDocuments, value, memory);
    }

    /** 384 short texts, 32 emails, 3 rounds, with memory. */
    public static CostSettings defaults() {
      return new CostSettings(384, 32, 3, true);
    }
  }

  /** Checks the fields. */
  public AccuracyConfig {
    encoders = List.copyOf(encoders);
    Objects.requireNonNull(data, "data");
    tasks = List.copyOf(new LinkedHashSet<>(tasks));
    steps = Set.copyOf(steps);
    shots = List.copyOf(new TreeSet<>(shots));
    heads = List.copyOf(new LinkedHashSet<>(heads));
    Objects.requireNonNull(curveTraining, "curveTraining");
    Objects.requireNonNull(cost, "cost");
    if (encoders.isEmpty()) {
      throw new IllegalArgumentException("name at least one encoder");
    }
    if (tasks.isEmpty() || steps.isEmpty()) {
      throw new IllegalArgumentException("name at least one task and one step");
    }
    tasks.forEach(Tasks::files);
    if (seeds < 1 || largeSeeds < 1 || shots.isEmpty() || shots.get(0) < 1) {
      throw new IllegalArgumentException(
          "need at least one seed and one learning-curve size of"
              + " at least 1 example per class");
    }
    if (curveEpochs < 1 || timingExamples < 2 || threads < 0) {
      throw new IllegalArgumentException(
          "curveEpochs must be at least 1, timingExamples at least 2,"
              + " threads 0 (one per core) or more");
    }
  }

  /**
   * The suite: every built-in encoder, every task, accuracy and cost, 8/16/64/256 examples per
   * class with 5 seeds up to 64 and 3 at 256, the MLP trained for 100 epochs on the learning curve
   * (its default maximum), a SpamAssassin test subset of 1,000 emails, head timing on 1,000
   * embeddings, linear, MLP and centroid heads, one thread per core.
   */
  public static AccuracyConfig defaults(Path data) {
    return builder(data).build();
  }

  /** A builder holding {@link #defaults}. */
  public static Builder builder(Path data) {
    return new Builder(data);
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder(data);
    b.encoders = encoders;
    b.tasks = tasks;
    b.steps = steps;
    b.shots = shots;
    b.seeds = seeds;
    b.largeSeeds = largeSeeds;
    b.curveTraining = curveTraining;
    b.curveEpochs = curveEpochs;
    b.spamTestSize = spamTestSize;
    b.timingExamples = timingExamples;
    b.heads = heads;
    b.threads = threads;
    b.cost = cost;
    return b;
  }

  /** The seeds of a learning-curve point at {@code k} examples per class. */
  public int seedsFor(int k) {
    return k > LARGE_K ? largeSeeds : seeds;
  }

  /** Builds an {@link AccuracyConfig}; every setting starts at its default. */
  public static final class Builder {
    private final Path data;
    private List<String> encoders =
        Arrays.stream(BuiltinEncoder.values()).map(BuiltinEncoder::id).toList();
    private List<String> tasks = Tasks.ALL;
    private Set<Step> steps = EnumSet.of(Step.ACCURACY, Step.COST);
    private List<Integer> shots = List.of(8, 16, 64, 256);
    private int seeds = 5;
    private int largeSeeds = 3;
    private CurveTraining curveTraining = CurveTraining.FIXED_EPOCHS;
    private int curveEpochs = 100;
    private int spamTestSize = 1000;
    private int timingExamples = 1000;
    private List<HeadKind> heads = List.of(HeadKind.LINEAR, HeadKind.MLP, HeadKind.CENTROID);
    private int threads;
    private CostSettings cost = CostSettings.defaults();

    private Builder(Path data) {
      this.data = data;
    }

    public Builder encoders(List<String> value) {
      encoders = value;
      return this;
    }

    public Builder tasks(List<String> value) {
      tasks = value;
      return this;
    }

    public Builder steps(Set<Step> value) {
      steps = value;
      return this;
    }

    public Builder shots(List<Integer> value) {
      shots = value;
      return this;
    }

    /** Seeds up to {@value #LARGE_K} examples per class, and above it. */
    public Builder seeds(int value, int large) {
      seeds = value;
      largeSeeds = large;
      return this;
    }

    public Builder curveTraining(CurveTraining value) {
      curveTraining = value;
      return this;
    }

    public Builder curveEpochs(int value) {
      curveEpochs = value;
      return this;
    }

    public Builder spamTestSize(int value) {
      spamTestSize = value;
      return this;
    }

    public Builder timingExamples(int value) {
      timingExamples = value;
      return this;
    }

    public Builder heads(List<HeadKind> value) {
      heads = value;
      return this;
    }

    public Builder threads(int value) {
      threads = value;
      return this;
    }

    public Builder cost(CostSettings value) {
      cost = value;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public AccuracyConfig build() {
      return new AccuracyConfig(
          encoders,
          data,
          tasks,
          steps,
          shots,
          seeds,
          largeSeeds,
          curveTraining,
          curveEpochs,
          spamTestSize,
          timingExamples,
          heads,
          threads,
          cost);
    }
  }
}
