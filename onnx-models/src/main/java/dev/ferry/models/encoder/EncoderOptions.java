package dev.ferry.models.encoder;

import java.util.Objects;

/**
 * How an encoder runs. Start from {@link #defaults()} and change what you need:
 *
 * <pre>{@code
 * EncoderOptions options = EncoderOptions.defaults()
 *     .withExecutionProvider(ExecutionProvider.CUDA)
 *     .withIntraOpThreads(4);
 * }</pre>
 *
 * @param executionProvider where the model runs; CUDA falls back to CPU when unavailable
 * @param intraOpThreads ONNX Runtime threads inside one batch; 0 means one per available core
 * @param maxBatchSize most texts in one model batch
 * @param maxBatchTokens most padded tokens (texts x padded length) in one model batch; 0 means
 *     automatic: 256 per intra-op thread on CPU (small batches are fastest there: measured in
 *     eval/RESULTS.md), 16,384 on CUDA
 * @param batching how texts are grouped; {@link Batching#LENGTH_BUCKETED} unless benchmarking
 * @param pooling overrides the descriptor's pooling; null keeps the model's own convention
 * @param maxLength overrides the descriptor's maximum length; 0 keeps the model's own
 */
public record EncoderOptions(
    ExecutionProvider executionProvider,
    int intraOpThreads,
    int maxBatchSize,
    int maxBatchTokens,
    Batching batching,
    Pooling pooling,
    int maxLength) {

  /** Validates the fields. */
  public EncoderOptions {
    Objects.requireNonNull(executionProvider, "executionProvider");
    Objects.requireNonNull(batching, "batching");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intraOpThreads must be 0 (auto) or positive, was " + intraOpThreads);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be positive, was " + maxBatchSize);
    }
    if (maxBatchTokens != 0 && maxBatchTokens < 2) {
      throw new IllegalArgumentException(
          "maxBatchTokens must be 0 (auto) or at least 2, was " + maxBatchTokens);
    }
    if (maxLength != 0 && maxLength < 2) {
      throw new IllegalArgumentException(
          "maxLength must be 0 (model default) or at least 2, was " + maxLength);
    }
  }

  /**
   * CPU, one thread per core, batches of up to 32 texts and an automatic token budget, bucketed.
   */
  public static EncoderOptions defaults() {
    return new EncoderOptions(ExecutionProvider.CPU, 0, 32, 0, Batching.LENGTH_BUCKETED, null, 0);
  }

  /** A copy with another execution provider. */
  public EncoderOptions withExecutionProvider(ExecutionProvider value) {
    return new EncoderOptions(
        value, intraOpThreads, maxBatchSize, maxBatchTokens, batching, pooling, maxLength);
  }

  /** A copy with another intra-op thread count (0 = one per core). */
  public EncoderOptions withIntraOpThreads(int value) {
    return new EncoderOptions(
        executionProvider, value, maxBatchSize, maxBatchTokens, batching, pooling, maxLength);
  }

  /** A copy with another batch size limit. */
  public EncoderOptions withMaxBatchSize(int value) {
    return new EncoderOptions(
        executionProvider, intraOpThreads, value, maxBatchTokens, batching, pooling, maxLength);
  }

  /** A copy with another padded-token budget per batch. */
  public EncoderOptions withMaxBatchTokens(int value) {
    return new EncoderOptions(
        executionProvider, intraOpThreads, maxBatchSize, value, batching, pooling, maxLength);
  }

  /** A copy with another batching strategy. */
  public EncoderOptions withBatching(Batching value) {
    return new EncoderOptions(
        executionProvider, intraOpThreads, maxBatchSize, maxBatchTokens, value, pooling, maxLength);
  }

  /** A copy that overrides the model's pooling (null restores the model's own). */
  public EncoderOptions withPooling(Pooling value) {
    return new EncoderOptions(
        executionProvider,
        intraOpThreads,
        maxBatchSize,
        maxBatchTokens,
        batching,
        value,
        maxLength);
  }

  /** A copy that overrides the model's maximum length (0 restores the model's own). */
  public EncoderOptions withMaxLength(int value) {
    return new EncoderOptions(
        executionProvider, intraOpThreads, maxBatchSize, maxBatchTokens, batching, pooling, value);
  }

  /** The automatic token budget per batch on the CPU: this many per intra-op thread. */
  public static final int CPU_BATCH_TOKENS_PER_THREAD = 256;

  /** The automatic token budget per batch on the CPU at least. */
  public static final int CPU_MIN_BATCH_TOKENS = 512;

  /** The automatic token budget per batch on CUDA. */
  public static final int CUDA_BATCH_TOKENS = 16_384;

  /** The token budget to use on {@code provider}: the configured one, or the automatic one. */
  int effectiveMaxBatchTokens(ExecutionProvider provider) {
    if (maxBatchTokens > 0) {
      return maxBatchTokens;
    }
    return provider == ExecutionProvider.CUDA
        ? CUDA_BATCH_TOKENS
        : Math.max(CPU_MIN_BATCH_TOKENS, CPU_BATCH_TOKENS_PER_THREAD * effectiveIntraOpThreads());
  }

  /** The intra-op thread count to use: the configured one, or one per available core. */
  int effectiveIntraOpThreads() {
    return intraOpThreads > 0
        ? intraOpThreads
        : Math.max(1, Runtime.getRuntime().availableProcessors());
  }
}
