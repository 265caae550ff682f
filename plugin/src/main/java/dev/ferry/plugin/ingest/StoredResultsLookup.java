package dev.ferry.plugin.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.opensearch.action.get.MultiGetItemResponse;
import org.opensearch.action.get.MultiGetRequest;
import org.opensearch.action.get.MultiGetResponse;
import org.opensearch.core.action.ActionListener;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.search.fetch.subphase.FetchSourceContext;
import org.opensearch.transport.client.Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the stored copies of documents being ingested (one multi-get per batch, only the prefix's
 * fields of {@code _source}), so that {@code skip_unchanged} can keep results whose text and
 * encoder have not changed when a client sends a document again. The answer is handed on to {@code
 * executor} (the node's write pool, where ingest runs), never run on the network thread that
 * received it: what follows may run the encoder.
 *
 * <p>The lookup only saves work: a document not found, an index that does not exist yet, or a
 * failed request leave the document to be classified as usual (a failed request is logged).
 */
final class StoredResultsLookup {
  private static final Logger LOG = LoggerFactory.getLogger(StoredResultsLookup.class);

  private final Client client;
  private final Executor executor;
  private final String prefix;

  StoredResultsLookup(Client client, Executor executor, String prefix) {
    this.client = client;
    this.executor = executor;
    this.prefix = prefix;
  }

  /**
   * Hands {@code then} the stored results of each document, in order (null where there are none or
   * the document has no index or id), on the executor; or {@code rejected} the executor's refusal
   * when it is full (on whatever thread that happens: it must not run the encoder).
   */
  void fetch(
      List<IngestDocument> documents,
      Consumer<List<PriorResults>> then,
      Consumer<Exception> rejected) {
    PriorResults[] found = new PriorResults[documents.size()];
    MultiGetRequest request = new MultiGetRequest();
    List<Integer> asked = new ArrayList<>();
    FetchSourceContext source = new FetchSourceContext(true, new String[] {prefix}, null);
    for (int i = 0; i < documents.size(); i++) {
      IngestDocument d = documents.get(i);
      Object index = d.getSourceAndMetadata().get(IngestDocument.Metadata.INDEX.getFieldName());
      Object id = d.getSourceAndMetadata().get(IngestDocument.Metadata.ID.getFieldName());
      if (index == null || id == null) {
        continue;
      }
      Object routing = d.getSourceAndMetadata().get(IngestDocument.Metadata.ROUTING.getFieldName());
      request.add(
          new MultiGetRequest.Item(index.toString(), id.toString())
              .routing(routing == null ? null : routing.toString())
              .fetchSourceContext(source));
      asked.add(i);
    }
    if (asked.isEmpty()) {
      handOver(() -> then.accept(Arrays.asList(found)), rejected);
      return;
    }
    client.multiGet(
        request,
        new ActionListener<>() {
          @Override
          public void onResponse(MultiGetResponse response) {
            MultiGetItemResponse[] items = response.getResponses();
            for (int k = 0; k < items.length; k++) {
              MultiGetItemResponse item = items[k];
              if (!item.isFailed()
                  && item.getResponse().isExists()
                  && item.getResponse().getSourceAsMap() != null) {
                found[asked.get(k)] =
                    PriorResults.of(item.getResponse().getSourceAsMap().get(prefix));
              }
            }
            handOver(() -> then.accept(Arrays.asList(found)), rejected);
          }

          @Override
          public void onFailure(Exception e) {
            LOG.warn(
                "skip_unchanged: cannot fetch the stored copies of {} documents, classifying them all: {}",
                asked.size(),
                e.toString());
            handOver(() -> then.accept(Arrays.asList(found)), rejected);
          }
        });
  }

  private void handOver(Runnable task, Consumer<Exception> rejected) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      rejected.accept(e);
    }
  }
}
