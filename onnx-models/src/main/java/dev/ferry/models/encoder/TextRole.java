package dev.ferry.models.encoder;

/**
 * What a text is for. Some retrieval models (bge, e5) were trained with a prefix on queries, on
 * documents, or both; the encoder adds the prefix its {@link EncoderDescriptor} names.
 */
public enum TextRole {
  /** A stored document or passage: what is indexed, classified and trained on. */
  DOCUMENT,
  /** A search query, embedded to find documents. */
  QUERY
}
