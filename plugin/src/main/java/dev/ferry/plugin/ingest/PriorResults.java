package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.FeatureReading;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results a document already has under the prefix, from an earlier {@code ferry_classify}: in the
 * document itself (an update, {@code _update_by_query} or {@code _reindex} through the pipeline) or
 * in its stored copy in the index (a client sending the document again).
 *
 * @param fields the whole object under the prefix, as stored
 * @param textHash the SHA-256 of the text that was read
 * @param bundleKey the bundle that labeled it
 * @param features what the head read, and how it was read
 */
record PriorResults(Map<?, ?> fields, String textHash, String bundleKey, StoredFeatures features) {
  private static final Logger LOG = LoggerFactory.getLogger(PriorResults.class);

  /**
   * The results in {@code prefixObject} (the value of the prefix field), or null when they are
   * missing or incomplete: then the document is classified as if it had none.
   */
  static PriorResults of(Object prefixObject) {
    if (!(prefixObject instanceof Map<?, ?> fields)
        || !(fields.get(ResultFields.TEXT_HASH) instanceof String hash)
        || !(fields.get(ResultFields.BUNDLE) instanceof String bundle)
        || !(fields.get(ResultFields.VECTOR) instanceof java.util.List<?>)
        || !fields.containsKey(StoredFeatures.FIELD)) {
      return null;
    }
    try {
      return new PriorResults(
          fields,
          hash,
          bundle,
          StoredFeatures.fromMap(StoredFeatures.FIELD, fields.get(StoredFeatures.FIELD)));
    } catch (IllegalArgumentException unreadable) {
      // Damaged features cannot be kept: the encoder runs again and writes them anew.
      LOG.debug("stored results are not reusable: {}", unreadable.getMessage());
      return null;
    }
  }

  /**
   * Whether these results hold for a text of hash {@code textHash} read as {@code reading}: the
   * same text, the same encoder and chunking, and the chunk vectors if they are wanted.
   */
  boolean stillHold(String textHash, FeatureReading reading, boolean chunkVectors) {
    return this.textHash.equals(textHash)
        && features.reading().equals(reading)
        && (!chunkVectors || fields.get(ResultFields.CHUNK_VECTORS) instanceof java.util.List<?>);
  }
}
