package dev.ferry.models.encoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Groups tokenized texts into model batches; see {@link Batching}. */
final class BatchPlanner {
  /** One model batch: which texts (indices into the input), padded to which length. */
  record Batch(int[] indices, int paddedLength) {}

  private BatchPlanner() {}

  static List<Batch> plan(
      int[] lengths, Batching batching, int maxBatchSize, int maxBatchTokens, int maxLength) {
    return switch (batching) {
      case LENGTH_BUCKETED -> bucketed(lengths, maxBatchSize, maxBatchTokens);
      case PAD_TO_MAX_LENGTH ->
          padToMax(
              lengths.length,
              Math.max(1, Math.min(maxBatchSize, maxBatchTokens / maxLength)),
              maxLength);
    };
  }

  /** Longest first, so each batch's first text sets its padded length and the budget holds. */
  private static List<Batch> bucketed(int[] lengths, int maxBatchSize, int maxBatchTokens) {
    Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    List<Batch> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int padded = lengths[order[start]];
      int end = start + 1;
      while (end < order.length
          && end - start < maxBatchSize
          && (long) (end - start + 1) * padded <= maxBatchTokens) {
        end++;
      }
      int[] indices = new int[end - start];
      for (int i = start; i < end; i++) {
        indices[i - start] = order[i];
      }
      batches.add(new Batch(indices, padded));
      start = end;
    }
    return batches;
  }

  /** Same limits as the bucketed path: as many rows as the token budget allows at full length. */
  private static List<Batch> padToMax(int count, int maxBatchSize, int maxLength) {
    List<Batch> batches = new ArrayList<>();
    for (int start = 0; start < count; start += maxBatchSize) {
      batches.add(
          new Batch(
              IntStream.range(start, Math.min(count, start + maxBatchSize)).toArray(), maxLength));
    }
    return batches;
  }
}
