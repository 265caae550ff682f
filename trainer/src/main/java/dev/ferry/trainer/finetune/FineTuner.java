package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.autodiff.AdamW;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.autodiff.OnnxImport;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.SettingChecks;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.HeadTraining;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes the top layers of an encoder together with a linear head, in Java graphs on the
 * ordinary ONNX Runtime session (no {@code onnxruntime-training}).
 *
 * <p>The encoder's own graph is imported ({@link OnnxImport}), pooled and normalized as the
 * encoder's descriptor says, and followed by a linear head and the class-weighted cross-entropy;
 * reverse-mode autodiff appends the gradients and AdamW the update, so one graph run is one step.
 * The frozen lower layers run once per example and their output is cached, so a step costs about
 * the {@code unfreeze} top layers. The learning rate warms up linearly and then decays linearly
 * to zero; the head's rate is {@code headRateFactor} times the encoder's, and each layer's is
 * {@code layerDecay} times the one above it. Gradients are clipped to a global norm.
 *
 * <p>Examples are chunks. By default ({@link Settings#documentPooling}) a step takes whole
 * documents ({@link Examples#documents}) and the head reads each one's chunk vectors pooled as
 * {@link ChunkPooling#features} pools them in a bundle; without a pooling each chunk is a
 * training example of its own. By default ({@link Settings#probeHead}) the head starts from a
 * linear probe on the untrained encoder's reading of the training examples (LP-FT), otherwise
 * from random weights.
 *
 * <p>With held-out examples, every epoch is scored on them and the epoch with the best macro-F1
 * (ties: lower loss) is kept; training stops after {@code patience} epochs without improvement.
 * With a checkpoint folder, the state after every epoch is saved there, and a run told to resume
 * continues from the last one with the same result as a run that was never interrupted.
 */
public final class FineTuner {
  private static final Logger log = LoggerFactory.getLogger(FineTuner.class);
  /** Examples per graph run when the frozen layers or the scoring graph run. */
  private static final int SCORE_BATCH = 16;
  /** What {@link TrainingDivergedException} calls this training. */
  private static final String TRAINING = "fine-tuning";

  /** How the trained layers open: all at once, or one more per epoch from the top down. */
  public enum UnfreezeSchedule {
    /** The {@code unfreeze} top layers train from the first epoch. */
    FIXED("fixed"),
    /**
     * Epoch 1 trains the head alone; each later epoch opens the next layer down, until
     * {@code unfreeze} layers train.
     */
    GRADUAL("gradual");

    private final String id;

    UnfreezeSchedule(String id) {
      this.id = id;
    }

    /** The name used on the command line and in the manifest. */
    public String id() {
      return id;
    }

    /** The schedule named {@code id}; the error lists the names. */
    public static UnfreezeSchedule fromId(String id) {
      for (UnfreezeSchedule s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown unfreeze schedule '" + id + "', expected fixed or gradual");
    }

    /** Layers open in {@code epoch} (1-based) of a run that trains {@code unfreeze} at most. */
    int open(int epoch, int unfreeze) {
      return this == FIXED ? unfreeze : Math.min(epoch - 1, unfreeze);
    }
  }

  /**
   * Fine-tuning settings.
   *
   * @param unfreeze top layers that train ({@link #ALL} or the encoder's layer count: all, embeddings
   *     included)
   * @param schedule whether they train from the start or open one per epoch
   * @param rank 0: the layers' own weights train; above 0 (LoRA): they stay frozen, and low-rank
   *     adapters of this rank on the attention's query, key and value projections of those layers
   *     train instead, merged into the weights at the end ({@code W + alpha / rank · A · B})
   * @param alpha the adapters' scale numerator (LoRA)
   * @param adaptOutput LoRA: the attention's output projection gets an adapter too
   * @param epochs the most passes over the examples; {@link #AUTO_EPOCHS}: enough for about 60
   *     steps, at least 3 and at most 20 ({@link #epochsFor})
   * @param batchSize examples (documents, with {@code documentPooling}) per step
   * @param learningRate the encoder's peak learning rate
   * @param headRateFactor the head's learning rate relative to the encoder's
   * @param layerDecay factor on the learning rate per layer downwards (1: none)
   * @param warmupFraction share of the steps over which the rate rises linearly from 0
   * @param weightDecay AdamW decoupled weight decay of weight matrices
   * @param clipNorm global gradient-norm clipping (0: none)
   * @param dropout in training only, the probability that an element of a trained layer's
   *     attention probabilities or output projections is dropped (BERT's attention and hidden
   *     dropout; 0: none); the exported encoder has no dropout
   * @param maxTokens tokens per example at most, special tokens included (longer ones are cut);
   *     {@link #MODEL_WINDOW} or more than the encoder reads: the encoder's window
   *     ({@link #maxTokensFor})
   * @param patience stop after this many epochs without a better held-out macro-F1 (0: never)
   * @param seed drives shuffling and the head's initialization
   * @param balanceClasses weight classes by n / (classes × count)
   * @param documentPooling null: each chunk is an example of its own and the head reads its
   *     vector; else each step takes whole documents (every chunk of {@code batchSize} texts, by
   *     {@link Examples#documents}) and the head reads each document's chunk vectors pooled so, as
   *     the bundle will read it; the loss then counts each document once
   * @param probeHead the head starts from a linear probe: a linear head fitted, as feature
   *     extraction fits one, on the untrained encoder's vectors of the training examples (LP-FT);
   *     otherwise from random weights
   */
  public record Settings(int unfreeze, UnfreezeSchedule schedule, int rank, double alpha, boolean adaptOutput,
      int epochs, int batchSize, double learningRate,
      double headRateFactor, double layerDecay, double warmupFraction, double weightDecay, double clipNorm,
      double dropout, int maxTokens, int patience, long seed, boolean balanceClasses, ChunkPooling documentPooling,
      boolean probeHead) {
    /** {@code unfreeze} value for every layer, the embeddings included, whatever the encoder's depth. */
    public static final int ALL = Integer.MAX_VALUE;

    /** {@code epochs} value for about 60 steps: at least 3 and at most 20 epochs. */
    public static final int AUTO_EPOCHS = 0;

    /** {@code maxTokens} value for the encoder's whole window (256 tokens for MiniLM). */
    public static final int MODEL_WINDOW = 0;

    /** Steps that {@link #AUTO_EPOCHS} aims at: few examples need more passes. */
    static final int AUTO_STEPS = 60;

    /**
     * Checks the ranges: numbers must be finite (NaN and the infinities are refused), rates and
     * alpha above 0, weight decay and clip norm at least 0, dropout in [0, 1).
     */
    public Settings {
      Objects.requireNonNull(schedule, "schedule");
      if (unfreeze < 1) {
        throw new IllegalArgumentException("unfreeze must be at least 1 layer, was " + unfreeze);
      }
      if (epochs < AUTO_EPOCHS || batchSize < 1) {
        throw new IllegalArgumentException("epochs must be at least 1 (or AUTO_EPOCHS) and batch size at least 1,"
            + " were " + epochs + " and " + batchSize);
      }
      SettingChecks.positive("learning rate", learningRate);
      SettingChecks.positive("head rate factor", headRateFactor);
      if (!(layerDecay > 0 && layerDecay <= 1)) {
        throw new IllegalArgumentException("layer decay must be in (0, 1], was " + layerDecay);
      }
      if (rank < 0) {
        throw new IllegalArgumentException("adapter rank must not be negative, was " + rank);
      }
      SettingChecks.positive("adapter alpha", alpha);
      SettingChecks.share("warm-up fraction", warmupFraction);
      SettingChecks.nonNegative("weight decay", weightDecay);
      SettingChecks.nonNegative("clip norm", clipNorm);
      SettingChecks.probability("dropout", dropout);
      if (maxTokens != MODEL_WINDOW && maxTokens < 8 || patience < 0) {
        throw new IllegalArgumentException("max tokens must be at least 8 (or MODEL_WINDOW) and patience not"
            + " negative, were " + maxTokens + " and " + patience);
      }
    }

    /**
     * Top 2 layers at once (their own weights) on whole documents, 4 per step, the head reading
     * {@code first_mean_max} of their chunks of the encoder's window and starting from a linear
     * probe; {@link #AUTO_EPOCHS}, rate 1e-4 (head 2e-3), layer decay 0.9, 10% warm-up, dropout
     * 0.1. Measured against feature extraction in eval/RESULTS.md; to train on every chunk alone
     * instead, as before, {@code onChunks().withProbeHead(false).withMaxTokens(128)}.
     */
    public static Settings defaults() {
      return new Settings(2, UnfreezeSchedule.FIXED, 0, 16, false, AUTO_EPOCHS, 4, 1e-4, 20, 0.9, 0.1, 0.01, 1.0, 0.1,
          MODEL_WINDOW, 2, 42, true, ChunkPooling.FIRST_MEAN_MAX, true);
    }

    /** The tokens per chunk on an encoder whose window is {@code modelMaxLength} tokens. */
    public int maxTokensFor(int modelMaxLength) {
      return maxTokens == MODEL_WINDOW ? modelMaxLength : Math.min(maxTokens, modelMaxLength);
    }

    /**
     * The epochs over {@code units} training units (documents, or chunks when each is its own
     * example): {@code epochs}, or for {@link #AUTO_EPOCHS} enough for about 60 steps, at least 3
     * and at most 20.
     */
    public int epochsFor(int units) {
      if (epochs != AUTO_EPOCHS) {
        return epochs;
      }
      int stepsPerEpoch = Math.max(1, (units + batchSize - 1) / batchSize);
      return Math.max(3, Math.min(20, (AUTO_STEPS + stepsPerEpoch - 1) / stepsPerEpoch));
    }

    /** A copy training the top {@code k} layers ({@link #ALL}: every layer). */
    public Settings withUnfreeze(int k) {
      return edit(e -> e.unfreeze = k);
    }

    /** A copy with another unfreezing schedule. */
    public Settings withSchedule(UnfreezeSchedule value) {
      return edit(e -> e.schedule = value);
    }

    /** A copy training adapters of rank {@code r} instead of the weights (LoRA; 0: the weights). */
    public Settings withRank(int r) {
      return edit(e -> e.rank = r);
    }

    /** A copy with or without an adapter on the attention's output projection (LoRA). */
    public Settings withAdaptOutput(boolean value) {
      return edit(e -> e.adaptOutput = value);
    }

    /** A copy with another adapter scale numerator (LoRA). */
    public Settings withAlpha(double value) {
      return edit(e -> e.alpha = value);
    }

    /** A copy with another number of epochs. */
    public Settings withEpochs(int n) {
      return edit(e -> e.epochs = n);
    }

    /** A copy with another batch size. */
    public Settings withBatchSize(int n) {
      return edit(e -> e.batchSize = n);
    }

    /** A copy with another peak learning rate for the encoder (the head's stays {@code headRateFactor} times it). */
    public Settings withLearningRate(double rate) {
      return edit(e -> e.learningRate = rate);
    }

    /** A copy with another factor on the head's learning rate relative to the encoder's. */
    public Settings withHeadRateFactor(double value) {
      return edit(e -> e.headRateFactor = value);
    }

    /** A copy with another weight decay. */
    public Settings withWeightDecay(double value) {
      return edit(e -> e.weightDecay = value);
    }

    /** A copy with another dropout probability (0: none). */
    public Settings withDropout(double p) {
      return edit(e -> e.dropout = p);
    }

    /** A copy reading at most {@code n} tokens per text. */
    public Settings withMaxTokens(int n) {
      return edit(e -> e.maxTokens = n);
    }

    /** A copy with another patience (0: run every epoch). */
    public Settings withPatience(int n) {
      return edit(e -> e.patience = n);
    }

    /** A copy with another seed. */
    public Settings withSeed(long value) {
      return edit(e -> e.seed = value);
    }

    /** A copy with or without class balancing. */
    public Settings withBalanceClasses(boolean value) {
      return edit(e -> e.balanceClasses = value);
    }

    /** A copy training on whole documents pooled so (null: on single chunks). */
    public Settings withDocumentPooling(ChunkPooling value) {
      return edit(e -> e.documentPooling = value);
    }

    /**
     * A copy training on every chunk alone with its text's label, 16 per step
     * ({@code --train-on chunks}): no document pooling, batch 16.
     */
    public Settings onChunks() {
      return withDocumentPooling(null).withBatchSize(16);
    }

    /** A copy whose head starts from a linear probe (true) or from random weights (false). */
    public Settings withProbeHead(boolean value) {
      return edit(e -> e.probeHead = value);
    }

    private Settings edit(Consumer<Editable> change) {
      Editable e = new Editable(this);
      change.accept(e);
      return e.settings();
    }
  }

  /** The fields of {@link Settings}, to copy one with a change. */
  private static final class Editable {
    int unfreeze;
    UnfreezeSchedule schedule;
    int rank;
    double alpha;
    boolean adaptOutput;
    int epochs;
    int batchSize;
    double learningRate;
    double headRateFactor;
    double layerDecay;
    double warmupFraction;
    double weightDecay;
    double clipNorm;
    double dropout;
    int maxTokens;
    int patience;
    long seed;
    boolean balanceClasses;
    ChunkPooling documentPooling;
    boolean probeHead;

    Editable(Settings s) {
      unfreeze = s.unfreeze();
      schedule = s.schedule();
      rank = s.rank();
      alpha = s.alpha();
      adaptOutput = s.adaptOutput();
      epochs = s.epochs();
      batchSize = s.batchSize();
      learningRate = s.learningRate();
      headRateFactor = s.headRateFactor();
      layerDecay = s.layerDecay();
      warmupFraction = s.warmupFraction();
      weightDecay = s.weightDecay();
      clipNorm = s.clipNorm();
      dropout = s.dropout();
      maxTokens = s.maxTokens();
      patience = s.patience();
      seed = s.seed();
      balanceClasses = s.balanceClasses();
      documentPooling = s.documentPooling();
      probeHead = s.probeHead();
    }

    Settings settings() {
      return new Settings(unfreeze, schedule, rank, alpha, adaptOutput, epochs, batchSize, learningRate, headRateFactor, layerDecay,
          warmupFraction, weightDecay, clipNorm, dropout, maxTokens, patience, seed, balanceClasses, documentPooling,
          probeHead);
    }
  }

  /**
   * Labeled texts.
   *
   * @param texts the texts
   * @param labels per text, its class in {@code 0..classes-1}
   * @param documents per text, the document it is a chunk of: 0, 1, 2, … in order, a document's
   *     chunks next to each other and labeled alike
   */
  public record Examples(List<String> texts, int[] labels, int[] documents) {
    /** Checks that there is one label and document per text, and that documents are runs of one label. */
    public Examples {
      texts = List.copyOf(texts);
      if (texts.size() != labels.length || texts.size() != documents.length) {
        throw new IllegalArgumentException("need one label and one document per text, got " + texts.size()
            + " texts, " + labels.length + " labels and " + documents.length + " documents");
      }
      for (int i = 0; i < documents.length; i++) {
        int previous = i == 0 ? -1 : documents[i - 1];
        boolean sameDocument = i > 0 && documents[i] == previous;
        if (documents[i] != previous + 1 && !sameDocument || sameDocument && labels[i] != labels[i - 1]) {
          throw new IllegalArgumentException("text " + i + ": documents must number 0, 1, 2, … in order, each"
              + " with one label; got document " + documents[i] + " after " + previous);
        }
      }
    }

    /** Each text a document of its own. */
    public Examples(List<String> texts, int[] labels) {
      this(texts, labels, IntStream.range(0, texts.size()).toArray());
    }

    /** How many. */
    public int size() {
      return texts.size();
    }

    /**
     * Every chunk of every text ({@link Encoder#chunkTexts}), each labeled with its text's class:
     * what fine-tuning trains on, so that it reads documents as the tuned bundle will.
     */
    public static Examples chunks(Encoder encoder, Chunking chunking, List<String> texts, int[] labels) {
      if (texts.size() != labels.length) {
        throw new IllegalArgumentException("need one label per text, got " + texts.size() + " texts and "
            + labels.length + " labels");
      }
      List<String> pieces = new ArrayList<>();
      IntStream.Builder pieceLabels = IntStream.builder();
      IntStream.Builder pieceDocuments = IntStream.builder();
      for (int i = 0; i < texts.size(); i++) {
        for (String piece : encoder.chunkTexts(texts.get(i), chunking)) {
          pieces.add(piece);
          pieceLabels.add(labels[i]);
          pieceDocuments.add(i);
        }
      }
      return new Examples(pieces, pieceLabels.build().toArray(), pieceDocuments.build().toArray());
    }
  }

  /**
   * How a fine-tuned encoder reads a document, in training and in its bundle: chunks of
   * {@code maxTokens} (longer windows cost more than they give on CPU) with the overlap and chunk
   * limit of {@code requested}, the overlap cut to a quarter of a chunk if it is wider, and the
   * head on the chunks' token-weighted mean: it was trained on single chunks, and a linear head
   * on their mean is close to the mean of its verdicts on each.
   */
  public static Chunking chunking(Chunking requested, int maxTokens) {
    int overlap = requested.readsPastFirstWindow() ? Math.min(requested.overlapTokens(), maxTokens / 4) : 0;
    return new Chunking(maxTokens, overlap, requested.maxChunks(), ChunkPooling.TOKEN_WEIGHTED_MEAN);
  }

  /**
   * Where the state after each epoch is saved, and whether to continue from the last one saved.
   *
   * @param directory the checkpoint folder, or null for none
   * @param resume continue from the last checkpoint in {@code directory} (made with the same
   *     settings and data, else an error says what differs); start afresh when there is none
   */
  public record Checkpoints(Path directory, boolean resume) {
    /** No checkpoints. */
    public static final Checkpoints NONE = new Checkpoints(null, false);
  }

  /**
   * What fine-tuning produced: the kept epoch's encoder and head.
   *
   * @param stepLosses the training loss of every step run, in order
   * @param encoderOnnx the encoder with its tuned parameters: the original inference graph (same
   *     operators, inputs and output), ready to be a bundle's {@code encoder.onnx}
   * @param headWeight the head's weight, float [dimension, classes]
   * @param headBias the head's bias, float [classes]
   * @param history one entry per epoch run
   * @param bestEpoch the epoch whose parameters were kept (the last, without held-out examples)
   * @param cacheSeconds time spent running the frozen lower layers once
   * @param examplesPerSecond training throughput over all steps (examples × epochs / time)
   * @param resumedFromEpoch the checkpoint's epoch this run continued from (0: a fresh start)
   * @param adapters LoRA: the kept adapters ({@code lora.W.A} float [in, rank], {@code lora.W.B}
   *     float [rank, out] per adapted weight W), already merged into {@code encoderOnnx}; empty
   *     otherwise
   * @param device where the training graphs ran: the encoder's execution provider, or the CPU if
   *     CUDA was asked for and could not be had
   * @param settings the settings trained with, {@link Settings#AUTO_EPOCHS},
   *     {@link Settings#MODEL_WINDOW} and {@link Settings#ALL} resolved to numbers
   */
  public record Result(List<Double> stepLosses, byte[] encoderOnnx, HostTensor headWeight, HostTensor headBias,
      List<EpochMetrics> history, int bestEpoch, double cacheSeconds,
      double examplesPerSecond, int resumedFromEpoch, Map<String, HostTensor> adapters, ExecutionProvider device,
      Settings settings) {}

  /** Hears how fine-tuning goes, for progress displays; calls come from the training thread. */
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /** {@code done} of the run's {@code total} training steps are done (a resumed run starts past 0). */
    default void steps(int done, int total) {}

    /** An epoch ended and its checkpoint, if any, was saved. */
    default void epoch(EpochMetrics metrics) {}
  }

  private FineTuner() {}

  /**
   * Fine-tunes {@code encoder} on labeled texts for every epoch, with no held-out examples and no
   * checkpoints.
   *
   * @param labels per text, its class in {@code 0..classes-1}
   */
  public static Result train(Encoder encoder, List<String> texts, int[] labels, int classes, Settings s) {
    return train(encoder, new Examples(texts, labels), null, classes, s, Checkpoints.NONE, Listener.NONE);
  }

  /**
   * Fine-tunes {@code encoder}, scoring each epoch on {@code valid} and keeping the best.
   *
   * @param valid held-out examples, or null to run every epoch and keep the last
   * @param listener hears the steps and epochs
   */
  public static Result train(Encoder encoder, Examples train, Examples valid, int classes, Settings settings,
      Checkpoints checkpoints, Listener listener) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("no training examples");
    }
    OnnxImport model;
    try {
      model = OnnxImport.read(encoder.modelFile());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + encoder.modelFile(), e);
    }
    Units units = Units.of(train, settings.documentPooling() != null);
    Settings s = (settings.unfreeze() == Settings.ALL ? settings.withUnfreeze(model.layerCount()) : settings)
        .withMaxTokens(settings.maxTokensFor(encoder.descriptor().maxLength()))
        .withEpochs(settings.epochsFor(units.size()));
    if (s.unfreeze() > model.layerCount()) {
      throw new IllegalArgumentException("unfreeze must be at most " + model.layerCount() + " (the layers of "
          + encoder.descriptor().id() + "), was " + s.unfreeze());
    }
    FineTuneGraphs.Spec spec = new FineTuneGraphs.Spec(model, s.unfreeze(), s.unfreeze(), classes,
        encoder.descriptor().pooling(), encoder.descriptor().normalize(), s.rank(), s.alpha(), s.adaptOutput(),
        s.documentPooling());
    Units validUnits = valid == null || valid.size() == 0 ? null : Units.of(valid, s.documentPooling() != null);
    long[][] ids = tokenize(encoder, train.texts(), s.maxTokens());
    long[][] validIds = valid == null || valid.size() == 0 ? null : tokenize(encoder, valid.texts(), s.maxTokens());
    long t0 = System.nanoTime();
    // Every graph runs where the encoder really runs (--device): on the CPU if CUDA fell back, which
    // the encoder has already said once.
    ExecutionProvider device = encoder.executionProvider();
    log.info("Fine-tuning graphs run on {}", device.id());
    float[][] cached = spec.full() ? null : cacheCut(spec, ids, device);
    float[][] validCached = spec.full() || validIds == null ? null : cacheCut(spec, validIds, device);
    double cacheSeconds = (System.nanoTime() - t0) / 1e9;

    Progress p = new Progress();
    String fingerprint = Checkpoint.fingerprint(encoder.descriptor().modelSha256(), s, train, valid);
    Checkpoint resumed = checkpoints.resume() && checkpoints.directory() != null
        ? Checkpoint.readLast(checkpoints.directory(), fingerprint) : null;
    if (resumed != null) {
      p.restore(resumed);
      log.info("Resuming fine-tuning after epoch {} from {}", resumed.epoch(), checkpoints.directory());
    } else {
      p.state = initialState(spec, model, new Random(s.seed()));
      if (s.probeHead()) {
        startHeadFromProbe(spec, p.state, ids, cached, units, s, device);
      }
    }
    Map<String, Double> rateScale = rateScales(spec, s);
    double[] classWeight = HeadTraining.classWeights(units.labels(), classes, s.balanceClasses());
    AdamW.Settings optimizer = AdamW.Settings.defaults().withWeightDecay(s.weightDecay()).withClipNorm(s.clipNorm());
    int n = units.size();
    long rowsRun = 0;
    int stepsPerEpoch = (n + s.batchSize() - 1) / s.batchSize();
    int totalSteps = stepsPerEpoch * s.epochs();
    int warmup = (int) Math.ceil(totalSteps * s.warmupFraction());
    long t1 = System.nanoTime();
    int stepsRun = 0;
    GraphSession step = null;
    int stepOpen = -1;
    int lastEpoch = resumed != null && resumed.stopped() ? resumed.epoch() : s.epochs();
    List<String> dropped = s.dropout() > 0 ? FineTuneGraphs.dropoutValues(spec) : List.of();
    Map<String, Integer> opensAfter = opensAfter(spec, s.schedule());
    try (GraphSession evaluate = new GraphSession(FineTuneGraphs.evaluation(spec), 1, device)) {
      for (int epoch = p.epoch + 1; epoch <= lastEpoch; epoch++) {
        int open = s.schedule().open(epoch, s.unfreeze());
        if (open != stepOpen) {
          if (step != null) {
            step.close();
          }
          FineTuneGraphs.Spec now = spec.withOpen(open);
          step = new GraphSession(FineTuneGraphs.trainingStep(now, optimizer, rateScale, s.dropout() > 0,
              groups(opensAfter)), 1, device);
          stepOpen = open;
          log.debug("Epoch {}: {} of {} top layers train", epoch, open, s.unfreeze());
        }
        List<String> trained = FineTuneGraphs.parameters(spec.withOpen(open));
        int[] order = IntStream.range(0, n).toArray();
        Random random = epochRandom(s.seed(), epoch);
        HeadTraining.shuffle(order, random);
        SplittableRandom dropoutRandom = new SplittableRandom(random.nextLong());
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < n; from += s.batchSize()) {
          int[] batchUnits = Arrays.copyOfRange(order, from, Math.min(n, from + s.batchSize()));
          int[] rows = units.rows(batchUnits);
          int t = ++p.step;
          Map<String, HostTensor> feed = new HashMap<>();
          for (String name : trained) {
            feed.put(name, p.state.get(name));
            feed.put(AdamW.firstMoment(name), p.state.get(AdamW.firstMoment(name)));
            feed.put(AdamW.secondMoment(name), p.state.get(AdamW.secondMoment(name)));
          }
          feed.putAll(batch(spec, ids, cached, units, batchUnits));
          if (s.dropout() > 0) {
            int width = (int) feed.get(FineTuneGraphs.ATTENTION_MASK).shape()[1];
            for (String value : dropped) {
              feed.put(FineTuneGraphs.dropoutMask(value),
                  dropoutMask(model.shape(value), rows.length, width, s.dropout(), dropoutRandom));
            }
          }
          int[] batchLabels = Arrays.stream(batchUnits).map(u -> units.labels()[u]).toArray();
          feed.put(FineTuneGraphs.TARGET, HeadTraining.target(batchLabels, classes, classWeight));
          feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.FLOAT,
              learningRate(s.learningRate(), t, warmup, totalSteps)));
          // Each parameter counts its own steps, from the epoch it opened (gradual) or from the start.
          for (int after : groupStarts(trained, opensAfter)) {
            List<String> names = AdamW.biasCorrections(group(after));
            int own = t - after * stepsPerEpoch;
            feed.put(names.get(0), HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(optimizer.beta1(), own)));
            feed.put(names.get(1), HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(optimizer.beta2(), own)));
          }
          Map<String, HostTensor> out = step.run(feed);
          double loss = out.get(FineTuneGraphs.LOSS).get(0);
          TrainingDivergedException.requireFinite(loss, TRAINING, epoch, t, s.learningRate());
          p.stepLosses.add(loss);
          lossSum += loss * batchUnits.length;
          rowsRun += rows.length;
          correct += correct(out.get(FineTuneGraphs.PROBABILITIES), batchLabels, classes);
          for (String name : trained) {
            for (String key : List.of(name, AdamW.firstMoment(name), AdamW.secondMoment(name))) {
              p.state.put(key, out.get(AdamW.next(key)));
            }
          }
          stepsRun++;
          listener.steps(t, totalSteps);
        }
        p.epoch = epoch;
        TrainingDivergedException.requireFinite(parameters(spec, p.state), TRAINING, epoch, p.step,
            p.stepLosses.getLast(), s.learningRate());
        EpochMetrics metrics = score(evaluate, spec, p, epoch, lossSum / n, (double) correct / n, validUnits, validIds,
            validCached, classes);
        p.history.add(metrics);
        boolean hasValid = !Double.isNaN(metrics.validMacroF1());
        boolean better = !hasValid || metrics.validMacroF1() > p.bestF1 + 1e-12
            || (Math.abs(metrics.validMacroF1() - p.bestF1) <= 1e-12 && metrics.validLoss() < p.bestLoss);
        if (better) {
          p.best = parameters(spec, p.state);
          p.bestEpoch = epoch;
          p.bestF1 = hasValid ? metrics.validMacroF1() : p.bestF1;
          p.bestLoss = hasValid ? metrics.validLoss() : p.bestLoss;
        }
        log.info("Fine-tuning epoch {}/{} ({} open): loss {}, valid macro-F1 {}", epoch, s.epochs(),
            open == 1 ? "1 layer" : open + " layers",
            String.format(Locale.ROOT, "%.4f", metrics.trainLoss()),
            String.format(Locale.ROOT, "%.4f", metrics.validMacroF1()));
        boolean stop = !better && s.patience() > 0 && epoch - p.bestEpoch >= s.patience();
        if (checkpoints.directory() != null) {
          Checkpoint.write(checkpoints.directory(), p.checkpoint(fingerprint, stop));
        }
        listener.epoch(metrics);
        if (stop) {
          log.info("Early stop after epoch {}: best macro-F1 {} at epoch {}", epoch, p.bestF1, p.bestEpoch);
          break;
        }
      }
    } finally {
      if (step != null) {
        step.close();
      }
    }
    double seconds = (System.nanoTime() - t1) / 1e9;
    Map<String, HostTensor> best = p.best != null ? p.best : parameters(spec, p.state);
    Map<String, HostTensor> tuned = new LinkedHashMap<>();
    Map<String, HostTensor> adapters = new LinkedHashMap<>();
    if (spec.lora()) {
      for (String w : spec.adaptedWeights(spec.unfreeze())) {
        HostTensor a = best.get(FineTuneGraphs.adapterA(w));
        HostTensor b = best.get(FineTuneGraphs.adapterB(w));
        adapters.put(FineTuneGraphs.adapterA(w), a);
        adapters.put(FineTuneGraphs.adapterB(w), b);
        tuned.put(w, merge(model.parameter(w), a, b, spec.scale()));
      }
    } else {
      for (String name : spec.encoderParameters()) {
        tuned.put(name, best.get(name));
      }
    }
    return new Result(List.copyOf(p.stepLosses), model.withParameters(tuned), best.get(FineTuneGraphs.HEAD_WEIGHT),
        best.get(FineTuneGraphs.HEAD_BIAS), List.copyOf(p.history), p.bestEpoch, cacheSeconds,
        stepsRun == 0 ? 0 : rowsRun / seconds,
        resumed == null ? 0 : resumed.epoch(), Map.copyOf(adapters), device, s);
  }

  /** W + scale · A · B, summed in double and rounded once. */
  static HostTensor merge(HostTensor w, HostTensor a, HostTensor b, double scale) {
    int in = (int) w.shape()[0];
    int out = (int) w.shape()[1];
    int rank = (int) a.shape()[1];
    float[] wv = w.floats();
    float[] av = a.floats();
    float[] bv = b.floats();
    float[] merged = new float[wv.length];
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        double sum = 0;
        for (int k = 0; k < rank; k++) {
          sum += (double) av[i * rank + k] * bv[k * out + j];
        }
        merged[i * out + j] = (float) (wv[i * out + j] + scale * sum);
      }
    }
    return HostTensor.of(merged, w.shape());
  }

  /** What changes from epoch to epoch; what a checkpoint holds. */
  private static final class Progress {
    int epoch;
    int step;
    Map<String, HostTensor> state;
    Map<String, HostTensor> best;
    int bestEpoch;
    double bestF1 = -1;
    double bestLoss = Double.POSITIVE_INFINITY;
    final List<Double> stepLosses = new ArrayList<>();
    final List<EpochMetrics> history = new ArrayList<>();

    void restore(Checkpoint c) {
      epoch = c.epoch();
      step = c.step();
      state = new LinkedHashMap<>(c.state());
      best = c.best().isEmpty() ? null : new LinkedHashMap<>(c.best());
      bestEpoch = c.bestEpoch();
      bestF1 = c.bestF1();
      bestLoss = c.bestLoss();
      stepLosses.addAll(c.stepLosses());
      history.addAll(c.history());
    }

    Checkpoint checkpoint(String fingerprint, boolean stopped) {
      return new Checkpoint(fingerprint, epoch, step, stopped, bestEpoch, bestF1, bestLoss, List.copyOf(stepLosses),
          List.copyOf(history), state, best == null ? Map.of() : best);
    }
  }

  /**
   * Per encoder parameter (or adapter) that gradual unfreezing opens after epoch n > 0, that n;
   * empty for the fixed schedule, where everything trains from the first step.
   */
  private static Map<String, Integer> opensAfter(FineTuneGraphs.Spec spec, UnfreezeSchedule schedule) {
    Map<String, Integer> out = new HashMap<>();
    if (schedule == UnfreezeSchedule.GRADUAL) {
      for (int n = 1; n <= spec.unfreeze(); n++) {
        for (String p : spec.withOpen(n).openParameters()) {
          out.putIfAbsent(p, n);
        }
      }
    }
    return out;
  }

  /** The step-count group of parameters opened after {@code n} epochs ("" from the start). */
  private static String group(int n) {
    return n == 0 ? "" : "opened_after_epoch_" + n;
  }

  private static Map<String, String> groups(Map<String, Integer> opensAfter) {
    Map<String, String> out = new HashMap<>();
    opensAfter.forEach((p, n) -> out.put(p, group(n)));
    return out;
  }

  /** The distinct opening epochs among the trained parameters (0 for those trained from the start). */
  private static java.util.SortedSet<Integer> groupStarts(List<String> trained, Map<String, Integer> opensAfter) {
    java.util.SortedSet<Integer> out = new java.util.TreeSet<>();
    for (String p : trained) {
      out.add(opensAfter.getOrDefault(p, 0));
    }
    return out;
  }

  /**
   * A dropout mask of a value whose shape is {@code shape} with the batch (first unknown size)
   * and token count (the others) filled in: each element 0 with probability p, else 1 / (1 − p).
   */
  static HostTensor dropoutMask(long[] shape, int rows, int width, double p, SplittableRandom random) {
    long[] dims = shape.clone();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = i == 0 ? rows : width;
      }
    }
    int size = 1;
    for (long d : dims) {
      size *= (int) d;
    }
    float[] mask = new float[size];
    float keep = (float) (1 / (1 - p));
    for (int i = 0; i < size; i++) {
      mask[i] = random.nextDouble() < p ? 0 : keep;
    }
    return HostTensor.of(mask, dims);
  }

  /** The shuffling of one epoch: its own seed, so a resumed run replays it without saved random state. */
  private static Random epochRandom(long seed, int epoch) {
    return new Random(seed * 1_000_003L + epoch);
  }

  private static long[][] tokenize(Encoder encoder, List<String> texts, int maxTokens) {
    long[][] ids = new long[texts.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = truncate(encoder.tokenIds(texts.get(i)), maxTokens);
    }
    return ids;
  }

  private static int correct(HostTensor probabilities, int[] labels, int classes) {
    float[] p = probabilities.floats();
    int correct = 0;
    for (int r = 0; r < labels.length; r++) {
      float[] row = Arrays.copyOfRange(p, r * classes, (r + 1) * classes);
      correct += HeadTraining.argMax(row) == labels[r] ? 1 : 0;
    }
    return correct;
  }

  /** The epoch's metrics; training accuracy is that of the predictions made during the epoch's steps. */
  private static EpochMetrics score(GraphSession evaluate, FineTuneGraphs.Spec spec, Progress p, int epoch,
      double trainLoss, double trainAccuracy, Units valid, long[][] validIds, float[][] validCached, int classes) {
    if (validIds == null) {
      return new EpochMetrics(epoch, trainLoss, trainAccuracy, Double.NaN, Double.NaN, Double.NaN);
    }
    float[][] probabilities = evaluate(evaluate, spec, parameters(spec, p.state), validIds, validCached, valid,
        FineTuneGraphs.PROBABILITIES, classes);
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    ClassificationMetrics m = ClassificationMetrics.compute(names, valid.labels(), probabilities);
    return new EpochMetrics(epoch, trainLoss, trainAccuracy, HeadTraining.crossEntropy(probabilities, valid.labels()),
        m.accuracy(), m.macroF1());
  }

  /**
   * One row of {@code width} values of the evaluation graph's {@code output} per unit, the units
   * taken a few at a time (about {@value #SCORE_BATCH} examples).
   */
  private static float[][] evaluate(GraphSession evaluate, FineTuneGraphs.Spec spec,
      Map<String, HostTensor> parameters, long[][] ids, float[][] cached, Units units, String output, int width) {
    float[][] out = new float[units.size()][];
    int from = 0;
    while (from < units.size()) {
      int to = from + 1;
      int examples = units.rows()[from].length;
      while (to < units.size() && examples + units.rows()[to].length <= SCORE_BATCH) {
        examples += units.rows()[to++].length;
      }
      int[] batchUnits = IntStream.range(from, to).toArray();
      Map<String, HostTensor> feed = new HashMap<>(parameters);
      feed.putAll(batch(spec, ids, cached, units, batchUnits));
      float[] p = evaluate.run(feed, java.util.Set.of(output)).get(output).floats();
      for (int u = 0; u < batchUnits.length; u++) {
        out[batchUnits[u]] = Arrays.copyOfRange(p, u * width, (u + 1) * width);
      }
      from = to;
    }
    return out;
  }

  /**
   * What the head classifies: each example (chunk) on its own, or each document, all its
   * examples together.
   *
   * @param rows per unit, its examples' rows
   * @param labels per unit, its class
   * @param documents whether the units are documents (the graph then takes the document inputs)
   */
  record Units(int[][] rows, int[] labels, boolean documents) {
    static Units of(Examples e, boolean documents) {
      if (!documents) {
        return new Units(IntStream.range(0, e.size()).mapToObj(i -> new int[] {i}).toArray(int[][]::new),
            e.labels().clone(), false);
      }
      List<int[]> rows = new ArrayList<>();
      int start = 0;
      for (int i = 1; i <= e.size(); i++) {
        if (i == e.size() || e.documents()[i] != e.documents()[start]) {
          rows.add(IntStream.range(start, i).toArray());
          start = i;
        }
      }
      return new Units(rows.toArray(int[][]::new), rows.stream().mapToInt(r -> e.labels()[r[0]]).toArray(), true);
    }

    int size() {
      return rows.length;
    }

    /** The examples of some units, in order. */
    int[] rows(int[] units) {
      return Arrays.stream(units).flatMap(u -> Arrays.stream(rows[u])).toArray();
    }
  }

  /**
   * LP-FT: replaces the random head in {@code state} by a linear head fitted on what the head
   * reads before any step, the untrained encoder's vector of each training example (fitted as
   * feature extraction fits its linear head, with the same class balancing and seed), so that
   * the first steps refine features a fitting head already reads instead of pushing them towards a
   * random one.
   */
  private static void startHeadFromProbe(FineTuneGraphs.Spec spec, Map<String, HostTensor> state, long[][] ids,
      float[][] cached, Units units, Settings s, ExecutionProvider device) {
    long t0 = System.nanoTime();
    float[][] vectors;
    try (GraphSession evaluate = new GraphSession(FineTuneGraphs.evaluation(spec), 1, device)) {
      vectors = evaluate(evaluate, spec, parameters(spec, state), ids, cached, units, FineTuneGraphs.EMBEDDING,
          spec.headWidth());
    }
    HeadTrainer.LinearWeights probe = HeadTrainer.fitLinear(new LabeledVectors(vectors, units.labels()),
        spec.classes(),
        HeadSettings.defaults(HeadKind.LINEAR).withSeed(s.seed()).withBalanceClasses(s.balanceClasses()));
    state.put(FineTuneGraphs.HEAD_WEIGHT, HostTensor.of(probe.weight(), spec.headWeightShape()));
    state.put(FineTuneGraphs.HEAD_BIAS, HostTensor.of(probe.bias(), spec.classes()));
    log.info("Head starts from a linear probe on the untrained encoder ({} {}, {} s)", units.size(),
        units.documents() ? "documents" : "examples",
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
  }

  /** The parameters (no moments) above the cut (or their adapters) and the head's, from the state. */
  private static Map<String, HostTensor> parameters(FineTuneGraphs.Spec spec, Map<String, HostTensor> state) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String name : spec.stateParameters()) {
      out.put(name, state.get(name));
    }
    out.put(FineTuneGraphs.HEAD_WEIGHT, state.get(FineTuneGraphs.HEAD_WEIGHT));
    out.put(FineTuneGraphs.HEAD_BIAS, state.get(FineTuneGraphs.HEAD_BIAS));
    return out;
  }

  /** Linear warm-up over {@code warmup} steps, then linear decay to 0 at {@code total}. */
  static double learningRate(double peak, int step, int warmup, int total) {
    if (step <= warmup) {
      return peak * step / Math.max(warmup, 1);
    }
    return peak * Math.max(0, total - step) / Math.max(total - warmup, 1);
  }

  /** Runs the frozen lower layers once per example; per example, float [tokens × dimension]. */
  private static float[][] cacheCut(FineTuneGraphs.Spec spec, long[][] ids, ExecutionProvider device) {
    float[][] out = new float[ids.length][];
    int dim = spec.dimension();
    try (GraphSession lower = new GraphSession(FineTuneGraphs.lower(spec), 1, device)) {
      for (int from = 0; from < ids.length; from += SCORE_BATCH) {
        int[] rows = IntStream.range(from, Math.min(ids.length, from + SCORE_BATCH)).toArray();
        Map<String, HostTensor> feed = tokens(ids, rows);
        HostTensor cut = lower.run(feed).get(FineTuneGraphs.CUT);
        int width = (int) cut.shape()[1];
        for (int r = 0; r < rows.length; r++) {
          int length = ids[rows[r]].length;
          out[rows[r]] = Arrays.copyOfRange(cut.floats(), r * width * dim, (r * width + length) * dim);
        }
      }
    }
    return out;
  }

  /**
   * The batch inputs of some units: their examples' cached hidden states (or token ids) and the
   * attention mask, right-padded, and for documents the document inputs.
   */
  private static Map<String, HostTensor> batch(FineTuneGraphs.Spec spec, long[][] ids, float[][] cached,
      Units units, int[] batchUnits) {
    int[] rows = units.rows(batchUnits);
    Map<String, HostTensor> feed = new HashMap<>(batch(spec, ids, cached, rows));
    if (units.documents()) {
      feed.putAll(documentInputs(spec.documentPooling(), units, batchUnits, ids));
    }
    return feed;
  }

  /**
   * {@link FineTuneGraphs#DOCUMENT_FIRST}, {@link FineTuneGraphs#DOCUMENT_MEAN} (weights as
   * {@code DocumentEmbedding} weighs chunks: by their tokens, special ones left out) and
   * {@link FineTuneGraphs#DOCUMENT_SLOTS} for documents whose examples are the batch's rows in order.
   */
  static Map<String, HostTensor> documentInputs(ChunkPooling pooling, Units units, int[] batchUnits,
      long[][] ids) {
    int documents = batchUnits.length;
    int chunks = 0;
    int slots = 1;
    for (int u : batchUnits) {
      chunks += units.rows()[u].length;
      slots = Math.max(slots, units.rows()[u].length);
    }
    float[] first = new float[documents * chunks];
    float[] mean = new float[documents * chunks];
    float[] slot = new float[documents * slots * chunks];
    int at = 0;
    for (int d = 0; d < documents; d++) {
      int[] rows = units.rows()[batchUnits[d]];
      first[d * chunks + at] = 1;
      double total = 0;
      for (int r : rows) {
        total += Math.max(ids[r].length - 2, 1);
      }
      for (int k = 0; k < slots; k++) {
        int c = k < rows.length ? at + k : at;
        slot[(d * slots + k) * chunks + c] = 1;
      }
      for (int k = 0; k < rows.length; k++) {
        mean[d * chunks + at + k] = (float) (Math.max(ids[rows[k]].length - 2, 1) / total);
      }
      at += rows.length;
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(FineTuneGraphs.DOCUMENT_MEAN, HostTensor.of(mean, documents, chunks));
    if (pooling != ChunkPooling.TOKEN_WEIGHTED_MEAN) {
      out.put(FineTuneGraphs.DOCUMENT_FIRST, HostTensor.of(first, documents, chunks));
    }
    if (pooling == ChunkPooling.FIRST_MEAN_MAX) {
      out.put(FineTuneGraphs.DOCUMENT_SLOTS, HostTensor.of(slot, documents, slots, chunks));
    }
    return out;
  }

  /** The batch inputs: cached hidden states (or token ids) and the attention mask, right-padded. */
  private static Map<String, HostTensor> batch(FineTuneGraphs.Spec spec, long[][] ids, float[][] cached, int[] rows) {
    Map<String, HostTensor> feed = tokens(ids, rows);
    if (cached == null) {
      return feed;
    }
    int dim = spec.dimension();
    int width = (int) feed.get(FineTuneGraphs.ATTENTION_MASK).shape()[1];
    float[] hidden = new float[rows.length * width * dim];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(cached[rows[r]], 0, hidden, r * width * dim, cached[rows[r]].length);
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(FineTuneGraphs.ATTENTION_MASK, feed.get(FineTuneGraphs.ATTENTION_MASK));
    out.put(spec.cut(), HostTensor.of(hidden, rows.length, width, dim));
    return out;
  }

  /** input_ids, attention_mask and token_type_ids of some texts, right-padded to the longest. */
  static Map<String, HostTensor> tokens(long[][] ids, int[] rows) {
    int width = 0;
    for (int r : rows) {
      width = Math.max(width, ids[r].length);
    }
    long[] flat = new long[rows.length * width];
    long[] mask = new long[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      long[] row = ids[rows[r]];
      System.arraycopy(row, 0, flat, r * width, row.length);
      Arrays.fill(mask, r * width, r * width + row.length, 1);
    }
    Map<String, HostTensor> feed = new HashMap<>();
    feed.put("input_ids", HostTensor.of(flat, rows.length, width));
    feed.put(FineTuneGraphs.ATTENTION_MASK, HostTensor.of(mask, rows.length, width));
    feed.put("token_type_ids", HostTensor.of(new long[flat.length], rows.length, width));
    return feed;
  }

  /**
   * Pretrained values for the encoder (LoRA: adapters with A uniform in ±1/√in and B zero, so the
   * model starts as the pretrained one), Xavier-uniform head weights, zero bias and moments.
   */
  static Map<String, HostTensor> initialState(FineTuneGraphs.Spec spec, OnnxImport model, Random random) {
    Map<String, HostTensor> state = new LinkedHashMap<>();
    if (spec.lora()) {
      for (String w : spec.adaptedWeights(spec.unfreeze())) {
        long[] shape = model.shape(w);
        float[] a = new float[(int) shape[0] * spec.rank()];
        double limit = 1 / Math.sqrt(shape[0]);
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        state.put(FineTuneGraphs.adapterA(w), HostTensor.of(a, shape[0], spec.rank()));
        state.put(FineTuneGraphs.adapterB(w), HostTensor.zeros(ElementType.FLOAT, spec.rank(), shape[1]));
      }
    } else {
      for (String p : spec.encoderParameters()) {
        state.put(p, model.parameter(p));
      }
    }
    long[] shape = spec.headWeightShape();
    float[] w = new float[(int) (shape[0] * shape[1])];
    double limit = Math.sqrt(6.0 / (shape[0] + shape[1]));
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    state.put(FineTuneGraphs.HEAD_WEIGHT, HostTensor.of(w, shape));
    state.put(FineTuneGraphs.HEAD_BIAS, HostTensor.zeros(ElementType.FLOAT, spec.classes()));
    for (String p : List.copyOf(state.keySet())) {
      state.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
      state.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
    }
    return state;
  }

  /** Head: headRateFactor; layer l of L: layerDecay^(L-1-l); embeddings: layerDecay^L. */
  private static Map<String, Double> rateScales(FineTuneGraphs.Spec spec, Settings s) {
    OnnxImport model = spec.model();
    int layers = model.layerCount();
    Map<String, Double> scale = new HashMap<>();
    for (String p : spec.encoderParameters()) {
      scale.put(p, Math.pow(s.layerDecay(), layers));
    }
    for (int layer = layers - s.unfreeze(); layer < layers; layer++) {
      double factor = Math.pow(s.layerDecay(), layers - 1 - layer);
      for (String p : model.layerParameters(layer)) {
        scale.put(p, factor);
      }
      if (spec.lora()) {
        for (String kind : spec.adaptedProjections()) {
          String w = model.attentionWeights(layer).get(kind);
          scale.put(FineTuneGraphs.adapterA(w), factor);
          scale.put(FineTuneGraphs.adapterB(w), factor);
        }
      }
    }
    scale.put(FineTuneGraphs.HEAD_WEIGHT, s.headRateFactor());
    scale.put(FineTuneGraphs.HEAD_BIAS, s.headRateFactor());
    return scale;
  }

  private static long[] truncate(long[] ids, int max) {
    if (ids.length <= max) {
      return ids;
    }
    long[] out = Arrays.copyOf(ids, max);
    out[max - 1] = ids[ids.length - 1];  // keep the closing [SEP]
    return out;
  }
}
