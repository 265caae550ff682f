package dev.ferry.trainer;

/**
 * What one training epoch measured, for early stopping and the report's curves.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean (class-weighted) cross-entropy over the epoch's training batches
 * @param trainAccuracy accuracy on the training examples at the end of the epoch
 * @param validLoss mean cross-entropy on the validation set ({@code NaN} without one)
 * @param validAccuracy accuracy on the validation set ({@code NaN} without one)
 * @param validMacroF1 macro-F1 on the validation set ({@code NaN} without one)
 */
public record EpochMetrics(
    int epoch,
    double trainLoss,
    double trainAccuracy,
    double validLoss,
    double validAccuracy,
    double validMacroF1) {}
