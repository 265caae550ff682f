package dev.ferry.plugin.ingest;

import java.util.List;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * A batching processor whose work on a batch can run at once on the calling thread: a document that
 * fails is marked on its wrapper and the others go on. A single document is a batch of one.
 */
abstract class DocumentBatchProcessor extends AbstractBatchingProcessor {
  DocumentBatchProcessor(String tag, String description, int batchSize) {
    super(tag, description, batchSize);
  }

  /** Processes the documents on this thread, recording each one's failure on its wrapper. */
  abstract void processNow(List<IngestDocumentWrapper> documents);

  @Override
  public IngestDocument execute(IngestDocument document) throws Exception {
    IngestDocumentWrapper one = new IngestDocumentWrapper(0, 0, document, null);
    processNow(List.of(one));
    if (one.getException() != null) {
      throw one.getException();
    }
    return one.getIngestDocument();
  }
}
