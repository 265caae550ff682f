package dev.ferry.models.encoder;

/**
 * How the per-token hidden states of an encoder become one sentence vector.
 *
 * <p>Each model was trained with one convention, and using another gives worse vectors without any
 * error: the convention belongs in the model's {@link EncoderDescriptor}.
 */
public enum Pooling {
  /** Average of the token vectors, counting only positions the attention mask marks as real. */
  MEAN,
  /** The vector of the first token ({@code [CLS]}). */
  CLS;

  /** The spelling used on the command line and in manifests: {@code mean} or {@code cls}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses {@code mean} or {@code cls} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Pooling fromId(String id) {
    for (Pooling p : values()) {
      if (p.id().equalsIgnoreCase(id.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown pooling '" + id + "': expected mean or cls");
  }
}
