package dev.ferry.plugin.store;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.admin.indices.refresh.RefreshRequest;
import org.opensearch.action.admin.indices.refresh.RefreshResponse;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.delete.DeleteRequest;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.core.action.ActionListener;
import org.opensearch.index.IndexNotFoundException;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.search.SearchHit;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.transport.client.Client;

/**
 * The bytes of the cluster's bundles in {@value BundleIndex#NAME}: writes an upload's files as
 * chunks, reads them back (checking every file's SHA-256), and deletes them. All of it is
 * asynchronous, through the node's client, with the work between requests on the given executor
 * (Ferry's {@code ferry_bundles} pool), never on a network thread.
 */
public final class BundleStore {
  private static final int DELETES_PER_REQUEST = 1_000;

  private final Client client;
  private final ChunkWriter writer;
  private final ChunkReader reader;

  /** Stores through {@code client}; work between requests runs on {@code executor}. */
  public BundleStore(Client client, Executor executor) {
    this.client = client;
    this.writer = new ChunkWriter(client, executor);
    this.reader = new ChunkReader(client, executor);
  }

  /**
   * Creates the index (unless it exists), then writes every file of {@code bundle} from {@code
   * dir}.
   */
  public void write(StoredBundle bundle, Path dir, ActionListener<Void> listener) {
    BundleIndex.ensureExists(
        client, ActionListener.wrap(v -> writer.write(bundle, dir, listener), listener::onFailure));
  }

  /** Writes every file of {@code bundle} into the empty folder {@code dir}, each checked. */
  void download(StoredBundle bundle, Path dir, ActionListener<Void> listener) {
    reader.download(bundle, dir, listener);
  }

  /** The bytes of the bundle's {@code manifest.json}, checked. */
  public void manifest(StoredBundle bundle, ActionListener<byte[]> listener) {
    reader.read(bundle, dev.ferry.models.bundle.ModelBundle.MANIFEST, listener);
  }

  /**
   * Deletes the chunks an upload of {@code bundle} wrote (after it failed, or lost a race for its
   * name).
   */
  public void deleteChunks(StoredBundle bundle, ActionListener<Void> listener) {
    List<String> ids = bundle.chunkIds();
    BulkRequest bulk = new BulkRequest();
    ids.forEach(id -> bulk.add(new DeleteRequest(BundleIndex.NAME, id)));
    BundleIndex.<BulkResponse>asPlugin(
        client,
        (c, l) -> c.bulk(bulk, l),
        ActionListener.wrap(
            r -> {
              if (r.hasFailures()) {
                listener.onFailure(
                    new IllegalStateException(
                        "deleting the chunks of bundle '"
                            + bundle.name()
                            + "' from "
                            + BundleIndex.NAME
                            + " failed: "
                            + r.buildFailureMessage()));
              } else {
                listener.onResponse(null);
              }
            },
            listener::onFailure));
  }

  /**
   * Deletes every chunk document of bundle {@code name}, whichever upload wrote it (those of the
   * bundle, and any an interrupted upload of the same name left); the listener hears how many.
   */
  public void deleteAll(String name, ActionListener<Integer> listener) {
    deleteAll(name, 0, listener);
  }

  private void deleteAll(String name, int deleted, ActionListener<Integer> listener) {
    SearchRequest search =
        new SearchRequest(BundleIndex.NAME)
            .source(
                new SearchSourceBuilder()
                    .query(QueryBuilders.termQuery("bundle", name))
                    .fetchSource(false)
                    .size(DELETES_PER_REQUEST));
    ActionListener<Integer> done =
        ActionListener.wrap(
            listener::onResponse,
            e -> {
              if (ExceptionsHelper.unwrapCause(e) instanceof IndexNotFoundException) {
                listener.onResponse(deleted);
              } else {
                listener.onFailure(e);
              }
            });
    RefreshRequest refresh = new RefreshRequest(BundleIndex.NAME);
    BundleIndex.<RefreshResponse>asPlugin(
        client,
        (c, l) -> c.admin().indices().refresh(refresh, l),
        ActionListener.wrap(
            refreshed ->
                BundleIndex.<SearchResponse>asPlugin(
                    client,
                    (c, l) -> c.search(search, l),
                    ActionListener.wrap(
                        found -> {
                          SearchHit[] hits = found.getHits().getHits();
                          if (hits.length == 0) {
                            done.onResponse(deleted);
                            return;
                          }
                          BulkRequest bulk = new BulkRequest();
                          for (SearchHit hit : hits) {
                            bulk.add(new DeleteRequest(BundleIndex.NAME, hit.getId()));
                          }
                          BundleIndex.<BulkResponse>asPlugin(
                              client,
                              (c, l) -> c.bulk(bulk, l),
                              ActionListener.wrap(
                                  r -> {
                                    if (r.hasFailures()) {
                                      done.onFailure(
                                          new IllegalStateException(
                                              "deleting the chunks of bundle '"
                                                  + name
                                                  + "' failed: "
                                                  + r.buildFailureMessage()));
                                    } else {
                                      deleteAll(name, deleted + hits.length, listener);
                                    }
                                  },
                                  done::onFailure));
                        },
                        done::onFailure)),
            done::onFailure));
  }
}
