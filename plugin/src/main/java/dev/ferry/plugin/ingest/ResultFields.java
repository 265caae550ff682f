package dev.ferry.plugin.ingest;

import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.encoder.ChunkEmbedding;
import dev.ferry.plugin.bundle.FeatureReading;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.ingest.IngestDocument;

/**
 * What Ferry's processors write under {@code PREFIX.} in a document, in one place.
 *
 * <table>
 *   <caption>Fields under the prefix</caption>
 *   <tr><th>field</th><th>what</th><th>map it as</th></tr>
 *   <tr><td>{@code label}</td><td>the head's label</td><td>{@code keyword}</td></tr>
 *   <tr><td>{@code confidence}</td><td>its probability</td><td>{@code float}</td></tr>
 *   <tr><td>{@code probabilities}</td><td>every label's probability</td><td>(dynamic floats)</td></tr>
 *   <tr><td>{@code vector}</td><td>the document's vector</td><td>{@code ferry_vector}</td></tr>
 *   <tr><td>{@code chunks}</td><td>windows read</td><td>{@code integer}</td></tr>
 *   <tr><td>{@code chunk_vectors}</td><td>each window's vector and place (option)</td><td>{@code nested}</td></tr>
 *   <tr><td>{@code bundle}</td><td>{@code NAME@SHA12} of the bundle that labeled it</td><td>{@code keyword}</td></tr>
 *   <tr><td>{@code text_hash}</td><td>SHA-256 of the text read (UTF-8, hex)</td><td>{@code keyword}</td></tr>
 *   <tr><td>{@code features}</td><td>what the head read, and how it was read ({@link StoredFeatures})</td>
 *       <td>{@code object}, {@code enabled: false}</td></tr>
 * </table>
 */
final class ResultFields {
  static final String LABEL = "label";
  static final String CONFIDENCE = "confidence";
  static final String PROBABILITIES = "probabilities";
  static final String VECTOR = "vector";
  static final String CHUNKS = "chunks";
  static final String CHUNK_VECTORS = "chunk_vectors";
  static final String BUNDLE = "bundle";
  static final String TEXT_HASH = "text_hash";

  private ResultFields() {}

  /** Everything {@code ferry_classify} writes for a document it ran the encoder on. */
  static void writeClassification(
      IngestDocument document,
      String prefix,
      ClassifiedDocument result,
      String bundleKey,
      FeatureReading reading,
      String textHash,
      boolean chunkVectors) {
    writePrediction(document, prefix, result.prediction(), bundleKey);
    document.setFieldValue(prefix + "." + VECTOR, floats(result.embedding().vector()));
    document.setFieldValue(prefix + "." + CHUNKS, result.embedding().chunks().size());
    if (chunkVectors) {
      List<Map<String, Object>> chunks = new ArrayList<>(result.embedding().chunks().size());
      for (ChunkEmbedding c : result.embedding().chunks()) {
        Map<String, Object> chunk = new LinkedHashMap<>();
        chunk.put("index", c.index());
        chunk.put("start", c.start());
        chunk.put("end", c.end());
        chunk.put(VECTOR, floats(c.vector()));
        chunks.add(chunk);
      }
      document.setFieldValue(prefix + "." + CHUNK_VECTORS, chunks);
    }
    document.setFieldValue(prefix + "." + TEXT_HASH, textHash);
    document.setFieldValue(
        prefix + "." + StoredFeatures.FIELD,
        new StoredFeatures(reading, result.features()).toMap());
  }

  /** What a head decides: label, confidence, probabilities, and which bundle decided. */
  static void writePrediction(
      IngestDocument document, String prefix, Prediction prediction, String bundleKey) {
    document.setFieldValue(prefix + "." + LABEL, prediction.label());
    document.setFieldValue(prefix + "." + CONFIDENCE, prediction.confidence());
    Map<String, Object> probabilities = new LinkedHashMap<>();
    for (int i = 0; i < prediction.labels().size(); i++) {
      probabilities.put(prediction.labels().get(i), prediction.probabilities()[i]);
    }
    // Replaced whole: a bundle of other labels must not leave the old labels' numbers behind.
    document.setFieldValue(prefix + "." + PROBABILITIES, probabilities);
    document.setFieldValue(prefix + "." + BUNDLE, bundleKey);
  }

  /** SHA-256 of the text's UTF-8 bytes, lowercase hex. */
  static String textHash(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static List<Float> floats(float[] vector) {
    List<Float> values = new ArrayList<>(vector.length);
    for (float v : vector) {
      values.add(v);
    }
    return values;
  }
}
