package dev.ferry.models.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: everything needed to load, check and explain a model bundle.
 *
 * <p>Keys are written in snake_case. {@code files} maps every file of the bundle that the model
 * needs (the head, and the encoder and tokenizer when the bundle carries its own) to its SHA-256,
 * and {@link ModelBundle#open} checks each of them.
 *
 * @param format always {@link #FORMAT}
 * @param formatVersion {@link #FORMAT_VERSION} for bundles this Ferry writes
 * @param createdAt ISO-8601 instant
 * @param ferryVersion the Ferry version that wrote the bundle
 * @param encoder the encoder whose embeddings the head classifies
 * @param head the classifier head
 * @param labels class names; index i is column i of the head's probabilities
 * @param training provenance: data files and hashes, label counts, hyperparameters, seed, epochs
 * @param metrics held-out metrics measured when the bundle was made
 * @param versions library versions (ONNX Runtime, Java) that made it
 * @param files bundle-relative file name to SHA-256
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BundleManifest(
    String format,
    int formatVersion,
    String createdAt,
    String ferryVersion,
    EncoderEntry encoder,
    HeadEntry head,
    List<String> labels,
    ObjectNode training,
    ObjectNode metrics,
    Map<String, String> versions,
    Map<String, String> files) {

  /** The value of {@code format}. */
  public static final String FORMAT = "ferry-bundle";

  /** The bundle format this Ferry writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  /**
   * The encoder part of the manifest.
   *
   * @param id the encoder's name (a built-in id, or the directory's model name)
   * @param source where it came from ({@code builtin:ID}, a directory, or {@code fine-tuned})
   * @param sha256 SHA-256 of the ONNX file
   * @param pooling {@code mean} or {@code cls}
   * @param normalize whether embeddings are L2-normalized
   * @param maxLength tokens per text, including [CLS] and [SEP]
   * @param dimension embedding width
   * @param queryPrefix prefix put before queries
   * @param documentPrefix prefix put before documents
   * @param file the bundle's own copy of the ONNX file, or null for a built-in (resolved by id)
   * @param tokenizerFile the bundle's own {@code tokenizer.json}, or null for a built-in
   * @param chunking how a document became the vector the head was trained on; absent in bundles
   *     made before documents were chunked, which read the first window only
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EncoderEntry(
      String id,
      String source,
      String sha256,
      String pooling,
      boolean normalize,
      int maxLength,
      int dimension,
      String queryPrefix,
      String documentPrefix,
      String file,
      String tokenizerFile,
      ChunkingEntry chunking) {}

  /**
   * The chunking part of the encoder entry ({@link Chunking}).
   *
   * @param maxTokens tokens per chunk, special tokens included (0: the model's maximum length)
   * @param overlapTokens tokens shared by neighbouring chunks
   * @param maxChunks chunks read per document, from its start (0: all)
   * @param pooling what the head reads of the chunk vectors ({@link ChunkPooling#id()}): {@value
   *     #TOKEN_WEIGHTED_MEAN} (the document vector) or {@code first_and_mean} (the first chunk's
   *     vector, then the document vector)
   */
  public record ChunkingEntry(int maxTokens, int overlapTokens, int maxChunks, String pooling) {
    /** The pooling of bundles made before there was a choice: the token-weighted mean alone. */
    public static final String TOKEN_WEIGHTED_MEAN = "token_weighted_mean";

    static ChunkingEntry of(Chunking chunking) {
      return new ChunkingEntry(
          chunking.maxTokens(),
          chunking.overlapTokens(),
          chunking.maxChunks(),
          chunking.pooling().id());
    }

    /** As a {@link Chunking}; IllegalArgumentException names a bad field. */
    Chunking toChunking() {
      return new Chunking(
          maxTokens,
          overlapTokens,
          maxChunks,
          ChunkPooling.fromId(pooling == null ? TOKEN_WEIGHTED_MEAN : pooling));
    }
  }

  /**
   * The head part of the manifest.
   *
   * @param kind {@code linear}, {@code mlp} or {@code centroid}
   * @param file the ONNX file, {@code head.onnx}
   * @param input its input, {@value ClassifierHead#INPUT}: float [batch, dimension]
   * @param output its output, {@value ClassifierHead#OUTPUT}: float [batch, labels]
   */
  public record HeadEntry(String kind, String file, String input, String output) {}
}
