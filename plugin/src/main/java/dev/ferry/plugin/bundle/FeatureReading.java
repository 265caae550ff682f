package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a document became the features a head reads: the encoder (model file, pooling, normalization,
 * length, width, document prefix) and the chunking (windows, overlap, how many, and what the head
 * reads of them). Two features are comparable, and a head trained on one may read the other, only
 * when their readings are equal.
 *
 * <p>{@code ferry_classify} stores it beside the features ({@code PREFIX.features.reading}), so
 * that {@code ferry_relabel} can refuse, per document, a bundle that reads documents otherwise, and
 * {@code skip_unchanged} can tell whether stored results still hold.
 *
 * @param encoder the encoder's id
 * @param encoderSha256 SHA-256 of its ONNX file
 * @param pooling token pooling ({@code mean}, {@code cls})
 * @param normalize whether vectors are unit length
 * @param maxLength the encoder's tokens per window
 * @param dimension its vector width
 * @param documentPrefix the text put before each document
 * @param chunkTokens tokens per chunk (0: the encoder's maximum)
 * @param chunkOverlap tokens shared by neighbouring chunks
 * @param maxChunks chunks read per document (0: all)
 * @param chunkPooling what the head reads of the chunks ({@link ChunkPooling#id()})
 */
public record FeatureReading(
    String encoder,
    String encoderSha256,
    String pooling,
    boolean normalize,
    int maxLength,
    int dimension,
    String documentPrefix,
    int chunkTokens,
    int chunkOverlap,
    int maxChunks,
    String chunkPooling) {

  /** Requires every text field. */
  public FeatureReading {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(encoderSha256, "encoder_sha256");
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(documentPrefix, "document_prefix");
    Objects.requireNonNull(chunkPooling, "chunk_pooling");
  }

  /**
   * How {@code bundle} reads a document: its chunking when {@code chunking} is set, else only the
   * first window (the head still reads its own pooling of it).
   */
  public static FeatureReading of(ModelBundle bundle, boolean chunking) {
    EncoderDescriptor d = bundle.encoderDescriptor();
    Chunking c = windows(bundle, chunking);
    return new FeatureReading(
        d.id(),
        d.modelSha256(),
        d.pooling().id(),
        d.normalize(),
        d.maxLength(),
        d.dimension(),
        d.documentPrefix(),
        c.maxTokens(),
        c.overlapTokens(),
        c.maxChunks(),
        c.pooling().id());
  }

  /** The windows {@code bundle} reads: its chunking, or its first window with its pooling. */
  public static Chunking windows(ModelBundle bundle, boolean chunking) {
    return chunking
        ? bundle.chunking()
        : Chunking.FIRST_WINDOW.withPooling(bundle.chunking().pooling());
  }

  /** As stored in a document: snake_case keys, in a fixed order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("encoder", encoder);
    m.put("encoder_sha256", encoderSha256);
    m.put("pooling", pooling);
    m.put("normalize", normalize);
    m.put("max_length", maxLength);
    m.put("dimension", dimension);
    m.put("document_prefix", documentPrefix);
    m.put("chunk_tokens", chunkTokens);
    m.put("chunk_overlap", chunkOverlap);
    m.put("max_chunks", maxChunks);
    m.put("chunk_pooling", chunkPooling);
    return m;
  }

  /**
   * Reads what {@link #toMap()} wrote.
   *
   * @throws IllegalArgumentException naming the key that is missing or of the wrong type
   */
  public static FeatureReading fromMap(Map<?, ?> m) {
    return new FeatureReading(
        text(m, "encoder"),
        text(m, "encoder_sha256"),
        text(m, "pooling"),
        value(m, "normalize", Boolean.class),
        number(m, "max_length"),
        number(m, "dimension"),
        text(m, "document_prefix"),
        number(m, "chunk_tokens"),
        number(m, "chunk_overlap"),
        number(m, "max_chunks"),
        text(m, "chunk_pooling"));
  }

  /**
   * What differs between this reading (the document's) and {@code other} (a bundle's), one {@code
   * key: mine here, theirs there} per difference; empty when they are equal.
   */
  public List<String> differences(FeatureReading other, String here, String there) {
    List<String> out = new ArrayList<>();
    Map<String, Object> mine = toMap();
    Map<String, Object> theirs = other.toMap();
    for (Map.Entry<String, Object> e : mine.entrySet()) {
      Object o = theirs.get(e.getKey());
      if (!Objects.equals(e.getValue(), o)) {
        out.add(
            e.getKey()
                + " is "
                + quote(e.getValue())
                + " "
                + here
                + " but "
                + quote(o)
                + " "
                + there);
      }
    }
    return out;
  }

  /** The reading in a few words, for messages. */
  @Override
  public String toString() {
    return encoder
        + " (SHA-256 "
        + encoderSha256.substring(0, Math.min(12, encoderSha256.length()))
        + ", "
        + pooling
        + " pooling, "
        + dimension
        + " dims, "
        + maxLength
        + " tokens), "
        + (maxChunks == 1
            ? "first window"
            : "chunks of "
                + (chunkTokens == 0 ? maxLength : chunkTokens)
                + " tokens overlapping "
                + chunkOverlap
                + ", at most "
                + (maxChunks == 0 ? "all" : maxChunks))
        + ", head reads "
        + chunkPooling;
  }

  private static String quote(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }

  private static String text(Map<?, ?> m, String key) {
    return value(m, key, String.class);
  }

  private static int number(Map<?, ?> m, String key) {
    return value(m, key, Number.class).intValue();
  }

  private static <T> T value(Map<?, ?> m, String key, Class<T> type) {
    Object v = m.get(key);
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(
          "reading."
              + key
              + " is "
              + (v == null ? "missing" : "'" + v + "'")
              + ", expected a "
              + type.getSimpleName().toLowerCase(java.util.Locale.ROOT));
    }
    return type.cast(v);
  }
}
