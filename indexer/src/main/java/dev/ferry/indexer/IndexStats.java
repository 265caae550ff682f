package dev.ferry.indexer;

import java.util.Map;

/**
 * What an index holds, as of its last commit ({@link FerryIndex#stats()}).
 *
 * @param documents live documents
 * @param chunks live chunks (one vector each)
 * @param labels documents per label, most first
 * @param bundles documents per bundle key, most first
 * @param encoder the encoder id every vector came from, or null for an empty index
 * @param progress the last ingest's input progress, as recorded in the commit (may be empty);
 *     {@link IngestProgress#of} reads it
 */
public record IndexStats(long documents, long chunks, Map<String, Long> labels, Map<String, Long> bundles,
    String encoder, Map<String, String> progress) {
  /**
   * Whether the last ingest has not read its input to the end: it is running, or it stopped (a
   * resume goes on from where it committed).
   */
  public boolean ingestIncomplete() {
    IngestProgress last = IngestProgress.of(progress);
    return last != null && !last.complete();
  }
}
