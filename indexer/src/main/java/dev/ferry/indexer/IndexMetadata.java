package dev.ferry.indexer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.Pooling;
import java.util.ArrayList;
import java.util.List;

/**
 * What an index knows about itself, kept in Lucene's commit user data (key {@value #KEY}) so it
 * changes atomically with the documents: the encoder every vector came from and how documents were
 * chunked (both fixed for the index's life), the label dictionary (label ordinal to name; documents
 * store ordinals), and every bundle that labeled documents.
 *
 * @param format always {@value #FORMAT}
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param encoder the encoder's conventions
 * @param chunking how documents were read into chunks
 * @param labels the label dictionary; a document's label ordinal indexes this list
 * @param bundles every bundle used, oldest first
 * @param currentBundle the key of the bundle that last ingested or relabeled
 */
public record IndexMetadata(
    String format,
    int formatVersion,
    EncoderEntry encoder,
    ChunkingEntry chunking,
    List<String> labels,
    List<BundleRef> bundles,
    String currentBundle) {
  /** The commit user data key. */
  public static final String KEY = "ferry.index";

  /** The value of {@code format}. */
  public static final String FORMAT = "ferry-index";

  /** The layout this Ferry writes and reads. */
  public static final int FORMAT_VERSION = 1;

  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Copies the lists. */
  public IndexMetadata {
    labels = List.copyOf(labels);
    bundles = List.copyOf(bundles);
  }

  /**
   * The encoder part: {@link EncoderDescriptor} as JSON.
   *
   * @param id encoder id
   * @param source where it came from
   * @param sha256 SHA-256 of its ONNX file
   * @param pooling {@code mean} or {@code cls}
   * @param normalize whether vectors are unit length
   * @param maxLength tokens per input
   * @param dimension vector width
   * @param queryPrefix prefix for queries
   * @param documentPrefix prefix for documents
   */
  public record EncoderEntry(
      String id,
      String source,
      String sha256,
      String pooling,
      boolean normalize,
      int maxLength,
      int dimension,
      String queryPrefix,
      String documentPrefix) {
    static EncoderEntry of(EncoderDescriptor d) {
      return new EncoderEntry(
          d.id(),
          d.source(),
          d.modelSha256(),
          d.pooling().id(),
          d.normalize(),
          d.maxLength(),
          d.dimension(),
          d.queryPrefix(),
          d.documentPrefix());
    }

    /** As a descriptor. */
    public EncoderDescriptor toDescriptor() {
      return new EncoderDescriptor(
          id,
          source,
          sha256,
          Pooling.fromId(pooling),
          normalize,
          maxLength,
          dimension,
          queryPrefix == null ? "" : queryPrefix,
          documentPrefix == null ? "" : documentPrefix);
    }
  }

  /**
   * The chunking part ({@link Chunking}).
   *
   * @param maxTokens tokens per chunk (0: the model's maximum)
   * @param overlapTokens tokens shared by neighbouring chunks
   * @param maxChunks chunks per document (0: all)
   * @param pooling what the head read of the chunks ({@link ChunkPooling#id()}); absent in indexes
   *     made before there was a choice, which stored the token-weighted mean
   */
  public record ChunkingEntry(int maxTokens, int overlapTokens, int maxChunks, String pooling) {
    static ChunkingEntry of(Chunking c) {
      return new ChunkingEntry(c.maxTokens(), c.overlapTokens(), c.maxChunks(), c.pooling().id());
    }

    /** As a {@link Chunking}. */
    public Chunking toChunking() {
      return new Chunking(
          maxTokens,
          overlapTokens,
          maxChunks,
          pooling == null ? ChunkPooling.TOKEN_WEIGHTED_MEAN : ChunkPooling.fromId(pooling));
    }
  }

  /** A new index's metadata. */
  static IndexMetadata create(EncoderDescriptor encoder, Chunking chunking) {
    return new IndexMetadata(
        FORMAT,
        FORMAT_VERSION,
        EncoderEntry.of(encoder),
        ChunkingEntry.of(chunking),
        List.of(),
        List.of(),
        null);
  }

  /** The bundle with this key, or null. */
  public BundleRef bundle(String key) {
    for (BundleRef b : bundles) {
      if (b.key().equals(key)) {
        return b;
      }
    }
    return null;
  }

  /** This metadata with {@code bundle} recorded as current and its labels in the dictionary. */
  IndexMetadata using(BundleRef bundle) {
    List<String> dictionary = new ArrayList<>(labels);
    for (String label : bundle.labels()) {
      if (!dictionary.contains(label)) {
        dictionary.add(label);
      }
    }
    List<BundleRef> all = new ArrayList<>(bundles);
    all.removeIf(b -> b.key().equals(bundle.key()));
    all.add(bundle);
    return new IndexMetadata(
        format, formatVersion, encoder, chunking, dictionary, all, bundle.key());
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static IndexMetadata fromJson(String where, String json) {
    IndexMetadata m;
    try {
      m = JSON.readValue(json, IndexMetadata.class);
    } catch (JsonProcessingException e) {
      throw new IndexException(
          where
              + ": the index's metadata (commit user data '"
              + KEY
              + "') is not valid: "
              + e.getOriginalMessage());
    }
    if (!FORMAT.equals(m.format()) || m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
      throw new IndexException(
          where
              + ": index format '"
              + m.format()
              + "' version "
              + m.formatVersion()
              + " is not one this Ferry reads ("
              + FORMAT
              + " 1 to "
              + FORMAT_VERSION
              + ")");
    }
    return m;
  }
}
