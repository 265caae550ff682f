package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.trainer.Setting;
import dev.ferry.trainer.SettingChecks;
import java.util.Objects;

/**
 * How {@link FineTuner} trains: which layers, for how long, at what rates, on what examples. The
 * defaults are declared once, in {@link Builder}'s fields; {@link #finetune()} and {@link #lora()}
 * are the presets {@code ferry train --mode finetune} and {@code --mode lora} start from.
 *
 * @param unfreeze top layers that train ({@link #ALL} or the encoder's layer count: all, the
 *     embeddings included)
 * @param unfreezeSchedule whether they train from the start or open one per epoch
 * @param rank 0: the layers' own weights train; above 0 (LoRA): they stay frozen, and low-rank
 *     adapters of this rank on the attention's query, key and value projections of those layers
 *     train instead, merged into the weights at the end ({@code W + alpha / rank · A · B})
 * @param alpha the adapters' scale numerator (LoRA)
 * @param adaptOutput LoRA: the attention's output projection gets an adapter too
 * @param epochs the most passes over the examples; {@link #AUTO_EPOCHS}: enough for about {@value
 *     #AUTO_STEPS} steps within bounds ({@link #epochsFor})
 * @param batchSize examples (texts, when training on {@link TrainOn#DOCUMENTS}) per step
 * @param tokensPerPass the most tokens (chunks × the longest one's tokens, as padded) one forward
 *     and backward pass holds: a step over more (whole long texts) runs as a gradient cache (Gao et
 *     al. 2021), its chunks' vectors first without gradients, then the loss's gradient on them
 *     carried back pass by pass, so memory is bounded by this and not by the texts' length, and the
 *     gradient stays the step's own
 * @param learningRate the encoder's peak learning rate
 * @param headRateFactor the head's learning rate relative to the encoder's
 * @param layerDecay factor on the learning rate per layer downwards (1: none)
 * @param warmupFraction share of the steps over which the rate rises linearly from 0
 * @param weightDecay AdamW decoupled weight decay of weight matrices
 * @param clipNorm global gradient-norm clipping (0: none)
 * @param dropout in training only, the probability that an element of a trained layer's attention
 *     probabilities or output projections is dropped (BERT's attention and hidden dropout; 0:
 *     none); the exported encoder has no dropout
 * @param maxTokens tokens per chunk at most, special tokens included (longer ones are cut); {@link
 *     #MODEL_WINDOW} or more than the encoder reads: the encoder's window ({@link #maxTokensFor})
 * @param patience stop after this many epochs without a better held-out macro-F1 (0: never)
 * @param seed drives shuffling, dropout and the head's initialization
 * @param balanceClasses weight classes by n / (classes × count)
 * @param trainOn whole texts (their chunks pooled for the head) or every chunk alone
 * @param chunkPooling with {@link TrainOn#DOCUMENTS}: what the head reads of a text's chunk
 *     vectors, as the bundle will read it ({@link ChunkPooling#features})
 * @param headStart from a linear probe on the untrained encoder, or from random weights
 * @param objective what a step minimizes: a linear head's cross-entropy, or a contrastive loss over
 *     the batch's similarities ({@code --mode contrastive}: the head is fitted afterwards, on the
 *     tuned encoder's vectors)
 * @param temperature {@link Objective#SUPCON}: the similarities are divided by it before the
 *     softmax
 * @param trainEmbeddings with every layer unfrozen: whether the embedding tables train too (false:
 *     the layers from the embeddings' output up train, and that output is computed once, as the
 *     frozen lower layers are)
 * @param quantization how the tuned encoder is written into the bundle: as trained, or int8
 */
public record FineTuneSettings(
    @Setting(max = "all") int unfreeze,
    UnfreezeSchedule unfreezeSchedule,
    int rank,
    double alpha,
    boolean adaptOutput,
    int epochs,
    int batchSize,
    int tokensPerPass,
    double learningRate,
    double headRateFactor,
    double layerDecay,
    double warmupFraction,
    double weightDecay,
    double clipNorm,
    double dropout,
    int maxTokens,
    int patience,
    long seed,
    boolean balanceClasses,
    TrainOn trainOn,
    ChunkPooling chunkPooling,
    HeadStart headStart,
    Objective objective,
    double temperature,
    boolean trainEmbeddings,
    Quantization quantization) {
  /**
   * {@code unfreeze} value for every layer, the embeddings included, whatever the encoder's depth.
   */
  public static final int ALL = Integer.MAX_VALUE;

  /**
   * {@code epochs} value for about {@value #AUTO_STEPS} steps: at least {@value #AUTO_MIN_EPOCHS}
   * and at most {@value #AUTO_MAX_EPOCHS} epochs.
   */
  public static final int AUTO_EPOCHS = 0;

  /** {@code maxTokens} value for the encoder's whole window (256 tokens for MiniLM). */
  public static final int MODEL_WINDOW = 0;

  /** Steps that {@link #AUTO_EPOCHS} aims at: few examples need more passes. */
  public static final int AUTO_STEPS = 60;

  /** The fewest epochs {@link #AUTO_EPOCHS} gives. */
  public static final int AUTO_MIN_EPOCHS = 3;

  /** The most epochs {@link #AUTO_EPOCHS} gives. */
  public static final int AUTO_MAX_EPOCHS = 20;

  /**
   * Checks the ranges: numbers must be finite (NaN and the infinities are refused), rates and alpha
   * above 0, weight decay and clip norm at least 0, dropout in [0, 1). Each message starts with the
   * setting's name.
   */
  public FineTuneSettings {
    Objects.requireNonNull(unfreezeSchedule, "unfreezeSchedule");
    Objects.requireNonNull(trainOn, "trainOn");
    Objects.requireNonNull(chunkPooling, "chunkPooling");
    Objects.requireNonNull(headStart, "headStart");
    Objects.requireNonNull(objective, "objective");
    Objects.requireNonNull(quantization, "quantization");
    SettingChecks.positive("temperature", temperature);
    if (unfreeze < 1) {
      throw new IllegalArgumentException("unfreeze must be at least 1 layer, was " + unfreeze);
    }
    if (epochs < AUTO_EPOCHS) {
      throw new IllegalArgumentException(
          "epochs must be at least 1 (or AUTO_EPOCHS), was " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
    }
    if (tokensPerPass < 1) {
      throw new IllegalArgumentException(
          "tokens per pass must be at least 1, was " + tokensPerPass);
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
    if (maxTokens != MODEL_WINDOW && maxTokens < 8) {
      throw new IllegalArgumentException(
          "max tokens must be at least 8 (or MODEL_WINDOW), was " + maxTokens);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must not be negative, was " + patience);
    }
  }

  /**
   * The fine-tuning preset ({@code --mode finetune}): every layer's own weights above the frozen
   * embedding tables, trained on whole texts that the head reads as {@code first_mean_max} of their
   * chunks, from a linear probe; the values are {@link Builder}'s. Chosen on the accuracy suite
   * (eval/RESULTS.md, "The fine-tuning default"): every layer beat the top 2 on all four tasks at
   * 64 per class, and freezing the embeddings cost nothing measurable while training faster.
   */
  public static FineTuneSettings finetune() {
    return builder().build();
  }

  /**
   * The LoRA preset ({@code --mode lora}): adapters on the attention of every layer, at a higher
   * peak learning rate than the weights themselves take; the rest as {@link #finetune()}.
   */
  public static FineTuneSettings lora() {
    return builder().rank(8).learningRate(1e-3).build();
  }

  /**
   * The contrastive preset ({@code --mode contrastive}, after SetFit): the encoder learns to put
   * texts of one label together and the others apart, {@link #batchSize} texts per step drawn
   * evenly over the labels, one pass over the texts per epoch; the head is then fitted on the tuned
   * encoder's vectors as feature extraction fits it. Measured against feature extraction and
   * fine-tuning in eval/RESULTS.md.
   */
  public static FineTuneSettings contrastive() {
    return builder().objective(Objective.COSINE_PAIRS).batchSize(16).learningRate(2e-5).build();
  }

  /**
   * The preset of a training mode: {@link #lora()}, {@link #contrastive()}, or {@link #finetune()}.
   */
  public static FineTuneSettings preset(dev.ferry.trainer.TrainingMode mode) {
    return switch (mode) {
      case LORA -> lora();
      case CONTRASTIVE -> contrastive();
      case FEATURES, FINETUNE -> finetune();
    };
  }

  /** A builder holding the defaults, which are {@link #finetune()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The tokens per chunk on an encoder whose window is {@code modelMaxLength} tokens. */
  public int maxTokensFor(int modelMaxLength) {
    return maxTokens == MODEL_WINDOW ? modelMaxLength : Math.min(maxTokens, modelMaxLength);
  }

  /**
   * How fine-tuning with these settings reads a text, in training and in its bundle alike: chunks
   * of {@link #maxTokensFor} tokens, with the overlap (cut to a quarter of a chunk if it is wider)
   * and chunk limit of {@code requested}; the head reads {@link #chunkPooling} of a text's chunk
   * vectors when training on {@link TrainOn#DOCUMENTS}, and their token-weighted mean when trained
   * on {@link TrainOn#CHUNKS} (a linear head on their mean is close to the mean of its verdicts on
   * each).
   *
   * @param encoderWindow the encoder's window in tokens
   */
  public Chunking chunking(Chunking requested, int encoderWindow) {
    int tokens = maxTokensFor(encoderWindow);
    int overlap =
        requested.readsPastFirstWindow() ? Math.min(requested.overlapTokens(), tokens / 4) : 0;
    return new Chunking(
        tokens,
        overlap,
        requested.maxChunks(),
        trainOn == TrainOn.DOCUMENTS ? chunkPooling : ChunkPooling.TOKEN_WEIGHTED_MEAN);
  }

  /**
   * The epochs over {@code units} training units (texts, or chunks when each is its own example):
   * {@code epochs}, or for {@link #AUTO_EPOCHS} enough for about {@value #AUTO_STEPS} steps, at
   * least {@value #AUTO_MIN_EPOCHS} and at most {@value #AUTO_MAX_EPOCHS}.
   */
  public int epochsFor(int units) {
    if (epochs != AUTO_EPOCHS) {
      return epochs;
    }
    int stepsPerEpoch = Math.max(1, (units + batchSize - 1) / batchSize);
    return Math.max(
        AUTO_MIN_EPOCHS,
        Math.min(AUTO_MAX_EPOCHS, (AUTO_STEPS + stepsPerEpoch - 1) / stepsPerEpoch));
  }

  /** A copy training the top {@code k} layers ({@link #ALL}: every layer). */
  public FineTuneSettings withUnfreeze(int k) {
    return toBuilder().unfreeze(k).build();
  }

  /** A copy with another unfreezing schedule. */
  public FineTuneSettings withUnfreezeSchedule(UnfreezeSchedule value) {
    return toBuilder().unfreezeSchedule(value).build();
  }

  /** A copy training adapters of rank {@code r} instead of the weights (LoRA; 0: the weights). */
  public FineTuneSettings withRank(int r) {
    return toBuilder().rank(r).build();
  }

  /** A copy with or without an adapter on the attention's output projection (LoRA). */
  public FineTuneSettings withAdaptOutput(boolean value) {
    return toBuilder().adaptOutput(value).build();
  }

  /** A copy with another adapter scale numerator (LoRA). */
  public FineTuneSettings withAlpha(double value) {
    return toBuilder().alpha(value).build();
  }

  /** A copy with another number of epochs. */
  public FineTuneSettings withEpochs(int n) {
    return toBuilder().epochs(n).build();
  }

  /** A copy with another batch size. */
  public FineTuneSettings withBatchSize(int n) {
    return toBuilder().batchSize(n).build();
  }

  /** A copy with another bound on the tokens one pass holds. */
  public FineTuneSettings withTokensPerPass(int n) {
    return toBuilder().tokensPerPass(n).build();
  }

  /**
   * A copy with another peak learning rate for the encoder (the head's stays {@code headRateFactor}
   * times it).
   */
  public FineTuneSettings withLearningRate(double rate) {
    return toBuilder().learningRate(rate).build();
  }

  /** A copy with another factor on the head's learning rate relative to the encoder's. */
  public FineTuneSettings withHeadRateFactor(double value) {
    return toBuilder().headRateFactor(value).build();
  }

  /** A copy with another weight decay. */
  public FineTuneSettings withWeightDecay(double value) {
    return toBuilder().weightDecay(value).build();
  }

  /** A copy with another dropout probability (0: none). */
  public FineTuneSettings withDropout(double p) {
    return toBuilder().dropout(p).build();
  }

  /** A copy reading at most {@code n} tokens per chunk. */
  public FineTuneSettings withMaxTokens(int n) {
    return toBuilder().maxTokens(n).build();
  }

  /** A copy with another patience (0: run every epoch). */
  public FineTuneSettings withPatience(int n) {
    return toBuilder().patience(n).build();
  }

  /** A copy with another seed. */
  public FineTuneSettings withSeed(long value) {
    return toBuilder().seed(value).build();
  }

  /** A copy with or without class balancing. */
  public FineTuneSettings withBalanceClasses(boolean value) {
    return toBuilder().balanceClasses(value).build();
  }

  /** A copy training on whole texts, the head reading {@code pooling} of their chunks. */
  public FineTuneSettings onDocuments(ChunkPooling pooling) {
    return toBuilder().trainOn(TrainOn.DOCUMENTS).chunkPooling(pooling).build();
  }

  /**
   * A copy training on every chunk alone with its text's label, {@value Builder#CHUNKS_PER_STEP}
   * per step ({@code --train-on chunks}).
   */
  public FineTuneSettings onChunks() {
    return toBuilder().trainOn(TrainOn.CHUNKS).batchSize(Builder.CHUNKS_PER_STEP).build();
  }

  /** A copy minimizing another objective. */
  public FineTuneSettings withObjective(Objective value) {
    return toBuilder().objective(value).build();
  }

  /** A copy with another temperature ({@link Objective#SUPCON}). */
  public FineTuneSettings withTemperature(double value) {
    return toBuilder().temperature(value).build();
  }

  /** A copy whose embedding tables train, or not, when every layer does. */
  public FineTuneSettings withTrainEmbeddings(boolean value) {
    return toBuilder().trainEmbeddings(value).build();
  }

  /** A copy writing the tuned encoder quantized, or not. */
  public FineTuneSettings withQuantization(Quantization value) {
    return toBuilder().quantization(value).build();
  }

  /** A copy whose head starts elsewhere. */
  public FineTuneSettings withHeadStart(HeadStart value) {
    return toBuilder().headStart(value).build();
  }

  /**
   * Builds {@link FineTuneSettings}. Its fields start at the library's defaults (the {@link
   * #finetune()} preset): the one place they are declared.
   */
  public static final class Builder {
    /** What {@link #onChunks()} sets the batch size to: chunks are smaller than texts. */
    public static final int CHUNKS_PER_STEP = 16;

    private int unfreeze = ALL;
    private UnfreezeSchedule unfreezeSchedule = UnfreezeSchedule.FIXED;
    private int rank = 0;
    private double alpha = 16;
    private boolean adaptOutput = false;
    private int epochs = AUTO_EPOCHS;
    private int batchSize = 4;
    private int tokensPerPass = 2048;
    private double learningRate = 1e-4;
    private double headRateFactor = 20;
    private double layerDecay = 0.9;
    private double warmupFraction = 0.1;
    private double weightDecay = 0.01;
    private double clipNorm = 1.0;
    private double dropout = 0.1;
    private int maxTokens = MODEL_WINDOW;
    private int patience = 2;
    private long seed = 42;
    private boolean balanceClasses = true;
    private TrainOn trainOn = TrainOn.DOCUMENTS;
    private ChunkPooling chunkPooling = ChunkPooling.FIRST_MEAN_MAX;
    private HeadStart headStart = HeadStart.PROBE;
    private Objective objective = Objective.CLASSIFIER;
    private double temperature = 0.1;
    private boolean trainEmbeddings = false;
    private Quantization quantization = Quantization.NONE;

    private Builder() {}

    private Builder(FineTuneSettings s) {
      unfreeze = s.unfreeze;
      unfreezeSchedule = s.unfreezeSchedule;
      rank = s.rank;
      alpha = s.alpha;
      adaptOutput = s.adaptOutput;
      epochs = s.epochs;
      batchSize = s.batchSize;
      tokensPerPass = s.tokensPerPass;
      learningRate = s.learningRate;
      headRateFactor = s.headRateFactor;
      layerDecay = s.layerDecay;
      warmupFraction = s.warmupFraction;
      weightDecay = s.weightDecay;
      clipNorm = s.clipNorm;
      dropout = s.dropout;
      maxTokens = s.maxTokens;
      patience = s.patience;
      seed = s.seed;
      balanceClasses = s.balanceClasses;
      trainOn = s.trainOn;
      chunkPooling = s.chunkPooling;
      headStart = s.headStart;
      objective = s.objective;
      temperature = s.temperature;
      trainEmbeddings = s.trainEmbeddings;
      quantization = s.quantization;
    }

    /** Top layers that train. */
    public Builder unfreeze(int value) {
      unfreeze = value;
      return this;
    }

    /** All at once or one more per epoch. */
    public Builder unfreezeSchedule(UnfreezeSchedule value) {
      unfreezeSchedule = value;
      return this;
    }

    /** LoRA adapters' rank. */
    public Builder rank(int value) {
      rank = value;
      return this;
    }

    /** LoRA adapters' scale numerator. */
    public Builder alpha(double value) {
      alpha = value;
      return this;
    }

    /** LoRA: an adapter on the attention's output projection too. */
    public Builder adaptOutput(boolean value) {
      adaptOutput = value;
      return this;
    }

    /** The most epochs. */
    public Builder epochs(int value) {
      epochs = value;
      return this;
    }

    /** Examples per step. */
    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** The most tokens one forward and backward pass holds. */
    public Builder tokensPerPass(int value) {
      tokensPerPass = value;
      return this;
    }

    /** The encoder's peak learning rate. */
    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    /** The head's learning rate relative to the encoder's. */
    public Builder headRateFactor(double value) {
      headRateFactor = value;
      return this;
    }

    /** Factor on the learning rate per layer downwards. */
    public Builder layerDecay(double value) {
      layerDecay = value;
      return this;
    }

    /** Share of the steps spent warming up. */
    public Builder warmupFraction(double value) {
      warmupFraction = value;
      return this;
    }

    /** AdamW weight decay. */
    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    /** Global gradient-norm clipping. */
    public Builder clipNorm(double value) {
      clipNorm = value;
      return this;
    }

    /** Dropout in training. */
    public Builder dropout(double value) {
      dropout = value;
      return this;
    }

    /** Tokens per chunk. */
    public Builder maxTokens(int value) {
      maxTokens = value;
      return this;
    }

    /** Epochs without improvement before stopping. */
    public Builder patience(int value) {
      patience = value;
      return this;
    }

    /** The seed. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** Balanced class weights. */
    public Builder balanceClasses(boolean value) {
      balanceClasses = value;
      return this;
    }

    /** Whole texts or single chunks. */
    public Builder trainOn(TrainOn value) {
      trainOn = value;
      return this;
    }

    /** What the head reads of a text's chunks. */
    public Builder chunkPooling(ChunkPooling value) {
      chunkPooling = value;
      return this;
    }

    /** Where the head starts. */
    public Builder headStart(HeadStart value) {
      headStart = value;
      return this;
    }

    /** What a step minimizes. */
    public Builder objective(Objective value) {
      objective = value;
      return this;
    }

    /** The supervised contrastive loss's temperature. */
    public Builder temperature(double value) {
      temperature = value;
      return this;
    }

    /** With every layer unfrozen, whether the embedding tables train too. */
    public Builder trainEmbeddings(boolean value) {
      trainEmbeddings = value;
      return this;
    }

    /** How the tuned encoder is written. */
    public Builder quantization(Quantization value) {
      quantization = value;
      return this;
    }

    /** The settings; the constructor checks them. */
    public FineTuneSettings build() {
      return new FineTuneSettings(
          unfreeze,
          unfreezeSchedule,
          rank,
          alpha,
          adaptOutput,
          epochs,
          batchSize,
          tokensPerPass,
          learningRate,
          headRateFactor,
          layerDecay,
          warmupFraction,
          weightDecay,
          clipNorm,
          dropout,
          maxTokens,
          patience,
          seed,
          balanceClasses,
          trainOn,
          chunkPooling,
          headStart,
          objective,
          temperature,
          trainEmbeddings,
          quantization);
    }
  }
}
