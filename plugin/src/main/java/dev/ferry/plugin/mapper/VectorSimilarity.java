package dev.ferry.plugin.mapper;

import java.util.Arrays;
import java.util.Locale;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * How a {@code ferry_vector} field compares vectors, and what Lucene scores a hit with (always
 * higher is better, never negative):
 *
 * <ul>
 *   <li>{@code dot_product}: for unit vectors (every built-in encoder's), the same ranking as
 *       cosine at less cost; score {@code (1 + dot) / 2}. Vectors must be unit length.
 *   <li>{@code cosine}: any non-zero vectors; score {@code (1 + cosine) / 2}.
 *   <li>{@code l2}: Euclidean distance; score {@code 1 / (1 + distance²)}.
 * </ul>
 */
public enum VectorSimilarity {
  /** Dot product of unit vectors. */
  DOT_PRODUCT("dot_product", VectorSimilarityFunction.DOT_PRODUCT),
  /** Cosine of any non-zero vectors. */
  COSINE("cosine", VectorSimilarityFunction.COSINE),
  /** Euclidean distance. */
  L2("l2", VectorSimilarityFunction.EUCLIDEAN);

  /** How far from 1 a unit vector's length may be (float rounding of a normalized vector). */
  static final double UNIT_TOLERANCE = 1e-3;

  private final String id;
  private final VectorSimilarityFunction lucene;

  VectorSimilarity(String id, VectorSimilarityFunction lucene) {
    this.id = id;
    this.lucene = lucene;
  }

  /** The name in mappings. */
  public String id() {
    return id;
  }

  /** Lucene's function. */
  public VectorSimilarityFunction lucene() {
    return lucene;
  }

  /** The names, for messages and the mapping parameter. */
  public static String[] ids() {
    return Arrays.stream(values()).map(VectorSimilarity::id).toArray(String[]::new);
  }

  /** The similarity named {@code id}. */
  public static VectorSimilarity fromId(String id) {
    for (VectorSimilarity s : values()) {
      if (s.id.equals(id.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown similarity '" + id + "'; expected one of " + Arrays.toString(ids()));
  }

  /**
   * Refuses a vector this similarity cannot score: not finite, zero for cosine, not unit length for
   * dot_product.
   *
   * @throws IllegalArgumentException naming the field and what to do
   */
  void check(String field, float[] vector) {
    double squares = 0;
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "["
                + field
                + "] value "
                + i
                + " is "
                + vector[i]
                + "; every value must be "
                + "a finite number");
      }
      squares += (double) vector[i] * vector[i];
    }
    if (this == COSINE && squares == 0) {
      throw new IllegalArgumentException(
          "[" + field + "] is the zero vector, which has no cosine with anything");
    }
    if (this == DOT_PRODUCT && Math.abs(Math.sqrt(squares) - 1) > UNIT_TOLERANCE) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "[%s] has length %.4f, but similarity "
                  + "dot_product needs unit vectors (what Ferry's encoders give); normalize the vector, or map the field with "
                  + "\"similarity\": \"cosine\"",
              field,
              Math.sqrt(squares)));
    }
  }
}
