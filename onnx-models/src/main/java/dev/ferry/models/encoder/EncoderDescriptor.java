package dev.ferry.models.encoder;

import java.util.Objects;

/**
 * Everything a caller needs to know to use an encoder's vectors correctly, in one place: how its
 * tokens are pooled, whether vectors are normalized, how long an input may be, how wide a vector
 * is, and the prefixes the model expects on queries and documents.
 *
 * <p>These are the model's own conventions, taken from its published configuration. The model
 * bundle stores this descriptor, so the encoder that trained a head embeds at index time in exactly
 * the same way.
 *
 * @param id short name: a built-in name such as {@code all-minilm-l6-v2}, or a directory's name
 * @param source where the files came from: {@code builtin:NAME} or the directory path
 * @param modelSha256 SHA-256 of the ONNX file, hex
 * @param pooling how token vectors become one vector
 * @param normalize whether vectors are scaled to unit length (then dot product = cosine)
 * @param maxLength maximum tokens per input, special tokens included; longer input is truncated
 * @param dimension width of the output vector
 * @param queryPrefix text put before every query ({@link TextRole#QUERY}); may be empty
 * @param documentPrefix text put before every document ({@link TextRole#DOCUMENT}); may be empty
 */
public record EncoderDescriptor(
    String id,
    String source,
    String modelSha256,
    Pooling pooling,
    boolean normalize,
    int maxLength,
    int dimension,
    String queryPrefix,
    String documentPrefix) {

  /** Validates the fields. */
  public EncoderDescriptor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(modelSha256, "modelSha256");
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(queryPrefix, "queryPrefix");
    Objects.requireNonNull(documentPrefix, "documentPrefix");
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "maxLength must be at least 2 (room for [CLS] and [SEP]), was " + maxLength);
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive, was " + dimension);
    }
  }

  /** The prefix to put before a text of the given role. */
  public String prefixFor(TextRole role) {
    return role == TextRole.QUERY ? queryPrefix : documentPrefix;
  }
}
