package dev.ferry.indexer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/**
 * The Lucene layout of a Ferry index: one block per document, its chunks first and the document
 * last (Lucene's parent/child block join).
 *
 * <p>The document (parent) holds the text and everything about the whole document. Its label,
 * confidence, probabilities and bundle are <em>doc values</em> only, because those are the fields
 * Lucene can rewrite in place ({@code IndexWriter.updateDocValues}), which is what makes relabeling
 * cheap: the text, the postings and the HNSW graph are never touched. Each chunk (child) holds one
 * vector in the HNSW graph and where it lies in the text.
 */
public final class FerryFields {
  /**
   * Document: the id, indexed, stored and as sorted doc values (upserts and in-place updates find
   * it by this term; relabel reads it from doc values without decompressing stored text).
   */
  public static final String ID = "id";

  /** Document: {@value #DOCUMENT_KIND}, marks the parents of the block join. */
  public static final String KIND = "kind";

  /** The value of {@link #KIND} on documents. */
  public static final String DOCUMENT_KIND = "document";

  /** Document: the text, analyzed for BM25 and stored. */
  public static final String TEXT = "text";

  /** Document: the input record's other fields, as a JSON object, stored as they came. */
  public static final String FIELDS = "fields";

  /** Document: where the record came from, {@code file:line} or a file path, stored. */
  public static final String SOURCE = "source";

  /** Document: the label's ordinal in the index's label dictionary (numeric doc values). */
  public static final String LABEL = "label";

  /** Document: the label's probability, as a sortable int (numeric doc values). */
  public static final String CONFIDENCE = "confidence";

  /** Document: (label ordinal, probability) pairs (binary doc values). */
  public static final String PROBABILITIES = "probabilities";

  /** Document: the key of the bundle that labeled it (binary doc values, UTF-8). */
  public static final String BUNDLE = "bundle";

  /**
   * Document: what the head read of it ({@link
   * dev.ferry.models.bundle.ClassifiedDocument#features}: the document vector, or the first chunk's
   * vector and the document vector, as the index's chunk pooling says), little-endian floats
   * (binary doc values); relabel reads it.
   */
  public static final String DOCUMENT_VECTOR = "document_vector";

  /** Document: when it was ingested, epoch milliseconds (point, doc values, stored). */
  public static final String INGESTED_AT = "ingested_at";

  /** Document: how many chunks it has (stored). */
  public static final String CHUNK_COUNT = "chunk_count";

  /**
   * Document: 1 if its chunks cover all of its text, 0 if the chunk limit stopped reading (stored).
   */
  public static final String COMPLETE = "complete";

  /** Chunk: the id of its document (indexed, not stored), so an upsert deletes old chunks. */
  public static final String CHUNK_OF = "chunk_of";

  /** Chunk: its vector, in the HNSW graph. */
  public static final String CHUNK_VECTOR = "chunk_vector";

  /** Chunk: its position among the document's chunks, from 0 (stored). */
  public static final String CHUNK_INDEX = "chunk_index";

  /** Chunk: the char offset in the document's text where it starts (stored). */
  public static final String CHUNK_START = "chunk_start";

  /** Chunk: the char offset just past its end (stored). */
  public static final String CHUNK_END = "chunk_end";

  /** Chunk: its tokens (stored). */
  public static final String CHUNK_TOKENS = "chunk_tokens";

  /** Lucene's own parent marker ({@code IndexWriterConfig.setParentField}). */
  public static final String PARENT = "_parent";

  private FerryFields() {}

  /** A confidence as stored in {@link #CONFIDENCE}. */
  public static long encodeConfidence(float confidence) {
    return NumericUtils.floatToSortableInt(confidence);
  }

  /** A stored {@link #CONFIDENCE} value as a probability. */
  public static float decodeConfidence(long stored) {
    return NumericUtils.sortableIntToFloat((int) stored);
  }

  /** A vector as stored in {@link #DOCUMENT_VECTOR}. */
  public static BytesRef encodeVector(float[] vector) {
    ByteBuffer b = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(vector);
    return new BytesRef(b.array());
  }

  /** A stored {@link #DOCUMENT_VECTOR} value as floats. */
  public static float[] decodeVector(BytesRef bytes) {
    float[] out = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out);
    return out;
  }

  /** Probabilities as stored in {@link #PROBABILITIES}: label ordinal and probability per label. */
  public static BytesRef encodeProbabilities(int[] labelOrdinals, float[] probabilities) {
    ByteBuffer b = ByteBuffer.allocate(labelOrdinals.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < labelOrdinals.length; i++) {
      b.putInt(labelOrdinals[i]).putFloat(probabilities[i]);
    }
    return new BytesRef(b.array());
  }

  /** A stored {@link #PROBABILITIES} value as label name to probability, in stored order. */
  public static Map<String, Float> decodeProbabilities(BytesRef bytes, List<String> dictionary) {
    ByteBuffer b =
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN);
    Map<String, Float> out = new LinkedHashMap<>();
    while (b.remaining() >= 8) {
      int ordinal = b.getInt();
      out.put(labelName(dictionary, ordinal), b.getFloat());
    }
    return out;
  }

  /** The label with this ordinal, or {@code #N} if the dictionary lacks it. */
  public static String labelName(List<String> dictionary, long ordinal) {
    return ordinal >= 0 && ordinal < dictionary.size()
        ? dictionary.get((int) ordinal)
        : "#" + ordinal;
  }

  /** A stored {@link #BUNDLE} value as text. */
  public static String decodeString(BytesRef bytes) {
    return new String(bytes.bytes, bytes.offset, bytes.length, StandardCharsets.UTF_8);
  }
}
