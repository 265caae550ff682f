package dev.ferry.trainer.head;

import dev.ferry.trainer.SettingChecks;

/**
 * Hyperparameters of head training.
 *
 * @param kind which head
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
 */
public record HeadSettings(
    HeadKind kind,
    int epochs,
    double learningRate,
    int batchSize,
    long seed,
    int hiddenSize,
    double dropout,
    double weightDecay,
    int patience,
    boolean balanceClasses) {

  /**
   * Checks the ranges: numbers must be finite (NaN and the infinities are refused), the learning
   * rate above 0, dropout in [0, 1), weight decay at least 0.
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
  }

  /** Defaults for a head kind: the values measured to work on the data sets in eval/RESULTS.md. */
  public static HeadSettings defaults(HeadKind kind) {
    return switch (kind) {
      case LINEAR -> new HeadSettings(kind, 100, 0.02, 32, 42, 256, 0, 1e-4, 20, true);
      case MLP -> new HeadSettings(kind, 100, 0.003, 32, 42, 256, 0.2, 1e-4, 20, true);
      case CENTROID -> new HeadSettings(kind, 1, 1, 32, 42, 256, 0, 0, 0, true);
    };
  }

  /** A copy with another number of epochs. */
  public HeadSettings withEpochs(int value) {
    return new HeadSettings(kind, value, learningRate, batchSize, seed, hiddenSize, dropout, weightDecay, patience, balanceClasses);
  }

  /** A copy with another learning rate. */
  public HeadSettings withLearningRate(double value) {
    return new HeadSettings(kind, epochs, value, batchSize, seed, hiddenSize, dropout, weightDecay, patience, balanceClasses);
  }

  /** A copy with another batch size. */
  public HeadSettings withBatchSize(int value) {
    return new HeadSettings(kind, epochs, learningRate, value, seed, hiddenSize, dropout, weightDecay, patience, balanceClasses);
  }

  /** A copy with another seed. */
  public HeadSettings withSeed(long value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, value, hiddenSize, dropout, weightDecay, patience, balanceClasses);
  }

  /** A copy with another hidden size. */
  public HeadSettings withHiddenSize(int value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, seed, value, dropout, weightDecay, patience, balanceClasses);
  }

  /** A copy with another dropout. */
  public HeadSettings withDropout(double value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, seed, hiddenSize, value, weightDecay, patience, balanceClasses);
  }

  /** A copy with another weight decay. */
  public HeadSettings withWeightDecay(double value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, seed, hiddenSize, dropout, value, patience, balanceClasses);
  }

  /** A copy with another patience. */
  public HeadSettings withPatience(int value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, seed, hiddenSize, dropout, weightDecay, value, balanceClasses);
  }

  /** A copy with class balancing on or off. */
  public HeadSettings withBalanceClasses(boolean value) {
    return new HeadSettings(kind, epochs, learningRate, batchSize, seed, hiddenSize, dropout, weightDecay, patience, value);
  }
}
