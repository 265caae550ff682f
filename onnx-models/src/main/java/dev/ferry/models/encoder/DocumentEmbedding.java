package dev.ferry.models.encoder;

import java.util.List;

/**
 * A document's vector and its chunks' vectors ({@link Encoder#embedDocuments}).
 *
 * <p>The document's vector is the mean of the chunk vectors weighted by each chunk's token count,
 * normalized to unit length when the encoder normalizes; for a one-chunk document it is that
 * chunk's vector.
 *
 * @param vector the whole document's embedding
 * @param chunks its chunks, in text order; at least one
 * @param complete false if the chunk limit stopped reading before the end of the text
 */
public record DocumentEmbedding(float[] vector, List<ChunkEmbedding> chunks, boolean complete) {
  /** Wraps the chunk list unmodifiably. */
  public DocumentEmbedding {
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a document has at least one chunk");
    }
  }

  /**
   * The token-weighted mean of the chunks' vectors, normalized when {@code normalize}: what {@link
   * #vector()} holds.
   */
  static float[] pool(List<ChunkEmbedding> chunks, boolean normalize) {
    if (chunks.size() == 1) {
      return chunks.get(0).vector();
    }
    int dim = chunks.get(0).vector().length;
    double[] sum = new double[dim];
    double weights = 0;
    for (ChunkEmbedding c : chunks) {
      double w = Math.max(c.tokens(), 1);
      weights += w;
      float[] v = c.vector();
      for (int k = 0; k < dim; k++) {
        sum[k] += w * v[k];
      }
    }
    double scale = 1 / weights;
    if (normalize) {
      double norm = 0;
      for (double x : sum) {
        norm += x * x;
      }
      scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    }
    float[] out = new float[dim];
    for (int k = 0; k < dim; k++) {
      out[k] = (float) (sum[k] * scale);
    }
    return out;
  }
}
