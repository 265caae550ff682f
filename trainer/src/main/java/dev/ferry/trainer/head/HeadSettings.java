package dev.ferry.trainer.head;

import dev.ferry.trainer.Provenance;
import dev.ferry.trainer.Setting;
import dev.ferry.trainer.SettingChecks;
import java.util.Set;

/**
 * Hyperparameters of head training. The defaults are declared once, in {@link Builder}'s fields;
 * {@link #defaults(HeadKind)} gives each kind's preset.
 *
 * <p>The linear head is fitted exactly (the minimum of its regularized cross-entropy), so of these
 * it reads only {@code regularization}, {@code balanceClasses} and {@code seed} (the folds that
 * choose the regularization); epochs, rates, batches and patience are the MLP's and fine-tuning's.
 *
 * @param kind which head (recorded as {@code head})
 * @param epochs the most passes over the training set (early stopping may end sooner)
 * @param learningRate AdamW's learning rate
 * @param batchSize examples per step
 * @param seed seeds initialization, shuffling and dropout: the same seed gives the same head
 * @param hiddenSize width of the MLP's hidden layer
 * @param dropout drop probability on the MLP's hidden layer, in training only
 * @param weightDecay AdamW's decoupled weight decay (weights only, not biases)
 * @param patience stop after this many epochs without a better validation macro-F1 (0: never)
 * @param balanceClasses weight each example by n / (classes × examples of its class), so rare
 *     classes count as much as common ones
 * @param regularization the linear head's L2 strength over its training set: the objective is the
 *     mean cross-entropy + regularization / (2n) · ‖W‖² (scikit-learn's {@code C} is its inverse);
 *     0 chooses it from {@link #REGULARIZATION_GRID} on held-out examples
 */
public record HeadSettings(
    @Setting(key = "head") HeadKind kind,
    int epochs,
    double learningRate,
    int batchSize,
    long seed,
    int hiddenSize,
    double dropout,
    double weightDecay,
    int patience,
    boolean balanceClasses,
    double regularization)
    implements Provenance.SettingsInUse {

  /**
   * The regularizations the linear head chooses from, strongest first (C = 1 to 1,000): short
   * sentiment snippets score best near the strong end, question types and keyword-heavy documents
   * near the weak one (eval/RESULTS.md).
   */
  public static final double[] REGULARIZATION_GRID = {1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001};

  /** The regularization when no example can be held out to choose one (a class of one). */
  public static final double FALLBACK_REGULARIZATION = 0.1;

  /**
   * Checks the ranges: numbers must be finite (NaN and the infinities are refused), the learning
   * rate above 0, dropout in [0, 1), weight decay at least 0. Each message starts with the
   * setting's name.
   */
  public HeadSettings {
    if (kind == null) {
      throw new IllegalArgumentException("head kind is required");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, was " + epochs);
    }
    SettingChecks.positive("learning rate", learningRate);
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
    }
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hidden size must be at least 1, was " + hiddenSize);
    }
    SettingChecks.probability("dropout", dropout);
    SettingChecks.nonNegative("weight decay", weightDecay);
    if (patience < 0) {
      throw new IllegalArgumentException("patience must not be negative, was " + patience);
    }
    SettingChecks.nonNegative("regularization", regularization);
  }

  /**
   * The settings each kind reads: the linear head its regularization, class weights and seed (the
   * folds); the MLP all but the regularization; the centroid head none but its kind.
   */
  @Override
  public boolean uses(String key) {
    return switch (kind) {
      case LINEAR -> Set.of("head", "seed", "balance_classes", "regularization").contains(key);
      case MLP -> !key.equals("regularization");
      case CENTROID -> key.equals("head");
    };
  }

  /** Whether the linear head chooses its regularization (the setting is 0). */
  public boolean choosesRegularization() {
    return regularization == 0;
  }

  /**
   * The preset of a head kind, measured to work on the data sets in eval/RESULTS.md: the {@link
   * Builder}'s defaults for {@code linear}; {@code mlp} at a lower rate with dropout; {@code
   * centroid}, which trains no weights, with one epoch and nothing to stop early.
   */
  public static HeadSettings defaults(HeadKind kind) {
    return switch (kind) {
      case LINEAR -> builder(kind).build();
      case MLP -> builder(kind).learningRate(0.003).dropout(0.2).build();
      case CENTROID -> builder(kind).epochs(1).learningRate(1).weightDecay(0).patience(0).build();
    };
  }

  /** A builder for {@code kind} holding the defaults (the linear head's preset). */
  public static Builder builder(HeadKind kind) {
    return new Builder(kind);
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(kind)
        .epochs(epochs)
        .learningRate(learningRate)
        .batchSize(batchSize)
        .seed(seed)
        .hiddenSize(hiddenSize)
        .dropout(dropout)
        .weightDecay(weightDecay)
        .patience(patience)
        .balanceClasses(balanceClasses)
        .regularization(regularization);
  }

  /** A copy with another number of epochs. */
  public HeadSettings withEpochs(int value) {
    return toBuilder().epochs(value).build();
  }

  /** A copy with another learning rate. */
  public HeadSettings withLearningRate(double value) {
    return toBuilder().learningRate(value).build();
  }

  /** A copy with another batch size. */
  public HeadSettings withBatchSize(int value) {
    return toBuilder().batchSize(value).build();
  }

  /** A copy with another seed. */
  public HeadSettings withSeed(long value) {
    return toBuilder().seed(value).build();
  }

  /** A copy with another hidden size. */
  public HeadSettings withHiddenSize(int value) {
    return toBuilder().hiddenSize(value).build();
  }

  /** A copy with another dropout. */
  public HeadSettings withDropout(double value) {
    return toBuilder().dropout(value).build();
  }

  /** A copy with another weight decay. */
  public HeadSettings withWeightDecay(double value) {
    return toBuilder().weightDecay(value).build();
  }

  /** A copy with another patience. */
  public HeadSettings withPatience(int value) {
    return toBuilder().patience(value).build();
  }

  /** A copy with another regularization (0: chosen on held-out examples). */
  public HeadSettings withRegularization(double value) {
    return toBuilder().regularization(value).build();
  }

  /** A copy with class balancing on or off. */
  public HeadSettings withBalanceClasses(boolean value) {
    return toBuilder().balanceClasses(value).build();
  }

  /**
   * Builds {@link HeadSettings}; its fields start at the library's defaults, the one place they are
   * declared.
   */
  public static final class Builder {
    private final HeadKind kind;
    private int epochs = 100;
    private double learningRate = 0.02;
    private int batchSize = 32;
    private long seed = 42;
    private int hiddenSize = 256;
    private double dropout = 0;
    private double weightDecay = 1e-4;
    private int patience = 20;
    private boolean balanceClasses = true;
    private double regularization = 0;

    private Builder(HeadKind kind) {
      this.kind = kind;
    }

    /** The most epochs. */
    public Builder epochs(int value) {
      epochs = value;
      return this;
    }

    /** AdamW's learning rate. */
    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    /** Examples per step. */
    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** The seed. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** The MLP's hidden width. */
    public Builder hiddenSize(int value) {
      hiddenSize = value;
      return this;
    }

    /** Dropout on the MLP's hidden layer. */
    public Builder dropout(double value) {
      dropout = value;
      return this;
    }

    /** AdamW's weight decay. */
    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    /** Epochs without improvement before stopping. */
    public Builder patience(int value) {
      patience = value;
      return this;
    }

    /** Balanced class weights. */
    public Builder balanceClasses(boolean value) {
      balanceClasses = value;
      return this;
    }

    /** The linear head's regularization; 0 chooses it on held-out examples. */
    public Builder regularization(double value) {
      regularization = value;
      return this;
    }

    /** The settings; the constructor checks them. */
    public HeadSettings build() {
      return new HeadSettings(
          kind,
          epochs,
          learningRate,
          batchSize,
          seed,
          hiddenSize,
          dropout,
          weightDecay,
          patience,
          balanceClasses,
          regularization);
    }
  }
}
