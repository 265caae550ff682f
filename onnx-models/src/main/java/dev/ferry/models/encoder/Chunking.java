package dev.ferry.models.encoder;

import java.util.Objects;

/**
 * How a document longer than the model's window is read: as overlapping token windows ("chunks"),
 * each embedded on its own, or only its first window.
 *
 * <p>A document of {@code n} tokens (its own, without special tokens or prefix) is split into
 * windows of {@code w = maxTokens - specials - prefix} tokens that start every {@code w -
 * overlapTokens} tokens, except the last, which is moved back to end at the document's end (so
 * every chunk is a full window, the last overlapping more); at most {@code maxChunks} of them, from
 * the start. The document's vector is the mean of its chunks' vectors, each weighted by its token
 * count, normalized again when the encoder normalizes ({@link DocumentEmbedding}). A document that
 * fits in one window has one chunk, and its vector is exactly what {@link Encoder#embed(String)}
 * gives. What a classifier head reads of the document is {@code pooling}'s choice ({@link
 * ChunkPooling}): the document vector alone, or beside it the first chunk's vector and the maximum
 * over chunks.
 *
 * @param maxTokens tokens per chunk, special tokens and prefix included; 0 means the model's
 *     maximum length (which also caps any larger value)
 * @param overlapTokens tokens each chunk shares with the one before it; less than half a window
 * @param maxChunks the most chunks read per document, from its start; 0 means no limit
 * @param pooling what a classifier head reads of the chunks' vectors
 */
public record Chunking(int maxTokens, int overlapTokens, int maxChunks, ChunkPooling pooling) {
  /**
   * The first window only: longer text is truncated, as {@link Encoder#embed(String)} does; the
   * head reads that window's vector.
   */
  public static final Chunking FIRST_WINDOW =
      new Chunking(0, 0, 1, ChunkPooling.TOKEN_WEIGHTED_MEAN);

  /**
   * What training and classification use unless told otherwise: the model's full window, 32 tokens
   * of overlap, the first 16 windows (about 3,500 words with a 256-token model), the head reading
   * the first chunk's vector, the document's and the maximum over chunks ({@link
   * ChunkPooling#FIRST_MEAN_MAX}).
   */
  public static final Chunking DEFAULT = new Chunking(0, 32, 16, ChunkPooling.FIRST_MEAN_MAX);

  /** Validates the fields. */
  public Chunking {
    if (maxTokens < 0 || (maxTokens > 0 && maxTokens < 8)) {
      throw new IllegalArgumentException(
          "chunk max tokens must be 0 (the model's maximum) or at least 8, was " + maxTokens);
    }
    if (overlapTokens < 0) {
      throw new IllegalArgumentException(
          "chunk overlap must not be negative, was " + overlapTokens);
    }
    if (maxTokens > 0 && overlapTokens * 2 >= maxTokens) {
      throw new IllegalArgumentException(
          "chunk overlap ("
              + overlapTokens
              + " tokens) must be less than half the chunk size ("
              + maxTokens
              + " tokens)");
    }
    if (maxChunks < 0) {
      throw new IllegalArgumentException(
          "max chunks must be 0 (no limit) or positive, was " + maxChunks);
    }
    Objects.requireNonNull(pooling, "pooling");
  }

  /** This chunking with the head reading {@code value} of the chunks' vectors. */
  public Chunking withPooling(ChunkPooling value) {
    return new Chunking(maxTokens, overlapTokens, maxChunks, value);
  }

  /**
   * How many values a head reads for an encoder of {@code dimension}: {@link ChunkPooling#width}.
   */
  public int headWidth(int dimension) {
    return pooling.width(dimension);
  }

  /** Whether a long document is read beyond its first window. */
  public boolean readsPastFirstWindow() {
    return maxChunks != 1;
  }

  /** Chunk size in tokens for a model whose maximum length is {@code modelMaxLength}. */
  public int effectiveMaxTokens(int modelMaxLength) {
    return maxTokens == 0 ? modelMaxLength : Math.min(maxTokens, modelMaxLength);
  }

  @Override
  public String toString() {
    return readsPastFirstWindow()
        ? "chunks of "
            + (maxTokens == 0 ? "the model's max" : maxTokens)
            + " tokens, overlap "
            + overlapTokens
            + ", at most "
            + (maxChunks == 0 ? "unlimited" : maxChunks)
            + poolingNote()
        : "first window only" + poolingNote();
  }

  private String poolingNote() {
    return pooling == ChunkPooling.TOKEN_WEIGHTED_MEAN ? "" : ", head reads " + pooling.id();
  }
}
