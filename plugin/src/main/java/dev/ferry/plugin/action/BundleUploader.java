package dev.ferry.plugin.action;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.plugin.bundle.BundleNames;
import dev.ferry.plugin.store.BundleCache;
import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.BundleIndex;
import dev.ferry.plugin.store.BundleStore;
import dev.ferry.plugin.store.BundleZipReader;
import dev.ferry.plugin.store.CatalogChanges;
import dev.ferry.plugin.store.StoredBundle;
import dev.ferry.plugin.store.UnpackedBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;
import org.opensearch.common.UUIDs;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.transport.client.Client;

/**
 * Stores an uploaded bundle zip, on Ferry's {@code ferry_bundles} pool: unpacks it into a staging
 * folder under the node's data path ({@link BundleZipReader}: hostile-input safe), opens it as a
 * bundle ({@link ModelBundle#open}: format, labels, head shapes), writes its files as chunks
 * ({@link BundleStore}), and only then records it in the catalog, so that no node ever sees a
 * half-stored bundle. A zip or bundle that fails a check is a 400 saying why, with nothing written;
 * a name already taken is a 409. If writing or recording fails, the chunks written are deleted
 * again. The staging folder is removed in every case.
 */
public final class BundleUploader {
  private final Client client;
  private final Supplier<BundleCatalog> catalog;
  private final BundleCache cache;
  private final BundleStore store;
  private final Executor executor;
  private final BundleZipReader reader;
  private final int chunkSize;

  /**
   * @param catalog the catalog this node last applied (for an early refusal of a name taken)
   * @param maxSize bytes a bundle may have once uncompressed ({@code ferry.bundles.max_size})
   * @param chunkSize bytes per stored chunk ({@code ferry.bundles.chunk_size})
   */
  public BundleUploader(
      Client client,
      Supplier<BundleCatalog> catalog,
      BundleCache cache,
      BundleStore store,
      Executor executor,
      long maxSize,
      int chunkSize) {
    this.client = client;
    this.catalog = catalog;
    this.cache = cache;
    this.store = store;
    this.executor = executor;
    this.reader = new BundleZipReader(maxSize);
    this.chunkSize = chunkSize;
  }

  /** Stores {@code zip} as bundle {@code name}; the listener hears its record. */
  public void upload(String name, BytesReference zip, ActionListener<StoredBundle> listener) {
    try {
      executor.execute(() -> run(name, zip, listener));
    } catch (RejectedExecutionException e) {
      listener.onFailure(e);
    }
  }

  private void run(String name, BytesReference zip, ActionListener<StoredBundle> listener) {
    Path staging;
    try {
      BundleNames.checkNew(name, "bundle");
      if (catalog.get().contains(name)) {
        throw CatalogChanges.taken(name, catalog.get());
      }
      staging = cache.newStaging();
    } catch (IOException | RuntimeException e) {
      listener.onFailure(e);
      return;
    }
    ActionListener<StoredBundle> done =
        ActionListener.runAfter(listener, () -> cache.delete(staging));
    StoredBundle stored;
    try {
      UnpackedBundle unpacked = reader.unpack(zip, staging);
      ModelBundle checked = ModelBundle.open(staging);
      stored =
          StoredBundle.of(
              name,
              UUIDs.randomBase64UUID(),
              System.currentTimeMillis(),
              chunkSize,
              unpacked,
              checked);
    } catch (IllegalArgumentException | BundleLoadException e) {
      String reason =
          e.getMessage().replace(staging + "/", "").replace(staging.toString(), "the bundle");
      done.onFailure(
          new IllegalArgumentException(
              "cannot store bundle '" + name + "': " + reason + "; nothing was stored", e));
      return;
    } catch (IOException | RuntimeException e) {
      done.onFailure(e);
      return;
    }
    store.write(
        stored,
        staging,
        ActionListener.wrap(
            written ->
                BundleIndex.<AcknowledgedResponse>asPlugin(
                    client,
                    (c, l) ->
                        c.execute(
                            CatalogUpdateAction.INSTANCE, CatalogUpdateRequest.register(stored), l),
                    ActionListener.wrap(
                        acked -> done.onResponse(stored), e -> undo(stored, e, done))),
            e -> undo(stored, e, done)));
  }

  /** Deletes the chunks of a failed upload, then reports the failure. */
  private void undo(StoredBundle stored, Exception failure, ActionListener<StoredBundle> done) {
    store.deleteChunks(
        stored,
        ActionListener.wrap(
            deleted -> done.onFailure(failure),
            cleanup -> {
              failure.addSuppressed(cleanup);
              done.onFailure(failure);
            }));
  }
}
