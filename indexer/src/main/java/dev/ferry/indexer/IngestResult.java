package dev.ferry.indexer;

import java.nio.file.Path;

/**
 * What one ingest did.
 *
 * @param input the input's name
 * @param startPosition records passed over because an earlier run committed them ({@code --resume})
 * @param endPosition records of the input handled in all, indexed or rejected
 * @param documents documents written in this run (new or replaced)
 * @param chunks chunks (vectors) written in this run
 * @param rejected records rejected in this run
 * @param rejects the rejects file
 * @param seconds wall time of the run
 * @param modelSeconds time spent embedding and classifying (the model stage)
 */
public record IngestResult(String input, long startPosition, long endPosition, long documents, long chunks,
    long rejected, Path rejects, double seconds, double modelSeconds) {
  /** Documents per second over the whole run. */
  public double documentsPerSecond() {
    return documents / Math.max(seconds, 1e-9);
  }
}
