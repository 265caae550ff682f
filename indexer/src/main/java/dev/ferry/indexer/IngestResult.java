package dev.ferry.indexer;

import java.nio.file.Path;

/**
 * What one ingest did.
 *
 * @param input the input's name
 * @param startPosition records passed over because an earlier run committed them ({@code resume});
 *     0 when the ingest read its input from the beginning
 * @param endPosition records of the input handled in all, indexed or rejected
 * @param documents documents written in this run: {@code newDocuments + replacedDocuments}
 * @param newDocuments documents whose id the index did not hold before (the index grew by this
 *     many)
 * @param replacedDocuments documents that replaced one with the same id: indexed before this run,
 *     or earlier in it (an id that comes three times in the input counts once new and twice
 *     replaced)
 * @param chunks chunks (vectors) written in this run
 * @param rejected records rejected in this run
 * @param rejects the rejects file
 * @param seconds wall time of the run
 * @param modelSeconds time spent embedding and classifying (the model stage)
 */
public record IngestResult(
    String input,
    long startPosition,
    long endPosition,
    long documents,
    long newDocuments,
    long replacedDocuments,
    long chunks,
    long rejected,
    Path rejects,
    double seconds,
    double modelSeconds) {
  /** Documents per second over the whole run. */
  public double documentsPerSecond() {
    return documents / Math.max(seconds, 1e-9);
  }
}
