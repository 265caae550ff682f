package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.BundleLease;
import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.LoadedBundle;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.opensearch.core.action.ActionListener;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * A batching processor that works with a bundle: each batch resolves the pipeline's bundle name
 * anew (so an alias switch takes effect on the next batch, and a batch uses one bundle throughout)
 * and holds it ({@link BundleLease}) until the batch is done. A bundle this node has not loaded yet
 * is loaded first, off the ingest thread ({@link BundleRegistry#acquire}), and the batch goes on in
 * the node's write pool; if it cannot be loaded, every document of the batch fails saying why. A
 * document that fails is marked on its wrapper and the others go on; a single document is a batch
 * of one.
 */
abstract class DocumentBatchProcessor extends AbstractBatchingProcessor {
  private final BundleRegistry bundles;
  private final String bundle;
  private final Executor executor;

  /**
   * @param bundle the bundle or alias name the pipeline gives
   * @param executor where a batch goes on after its bundle was loaded (the node's write pool)
   */
  DocumentBatchProcessor(
      String tag,
      String description,
      int batchSize,
      BundleRegistry bundles,
      String bundle,
      Executor executor) {
    super(tag, description, batchSize);
    this.bundles = bundles;
    this.bundle = bundle;
    this.executor = executor;
  }

  /**
   * Processes the documents with {@code loaded} on this thread, recording each one's failure on its
   * wrapper.
   */
  abstract void processNow(LoadedBundle loaded, List<IngestDocumentWrapper> documents);

  /**
   * Processes the documents, at once or later, and then runs {@code done}; by default {@link
   * #processNow}.
   */
  void process(LoadedBundle loaded, List<IngestDocumentWrapper> documents, Runnable done) {
    processNow(loaded, documents);
    done.run();
  }

  @Override
  public IngestDocument execute(IngestDocument document) throws Exception {
    BundleLease lease = bundles.tryAcquire(bundle);
    if (lease == null) {
      // Loads it for the next document; a load that fails is logged, and that document hears why.
      bundles.acquire(bundle, ActionListener.wrap(BundleLease::close, e -> {}));
      throw new IllegalStateException(
          "bundle '"
              + bundle
              + "' is not loaded on this node yet; it is being loaded now: "
              + "send the document again");
    }
    IngestDocumentWrapper one = new IngestDocumentWrapper(0, 0, document, null);
    try (lease) {
      processNow(lease.bundle(), List.of(one));
    }
    if (one.getException() != null) {
      throw one.getException();
    }
    return one.getIngestDocument();
  }

  @Override
  public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
    IngestDocumentWrapper one = new IngestDocumentWrapper(0, 0, document, null);
    subBatchExecute(
        List.of(one),
        done -> handler.accept(one.getException() == null ? document : null, one.getException()));
  }

  @Override
  protected void subBatchExecute(
      List<IngestDocumentWrapper> documents, Consumer<List<IngestDocumentWrapper>> handler) {
    BundleLease lease;
    try {
      lease = bundles.tryAcquire(bundle);
    } catch (RuntimeException e) {
      failAll(documents, new IllegalArgumentException("[bundle] " + e.getMessage(), e));
      handler.accept(documents);
      return;
    }
    if (lease != null) {
      run(lease, documents, handler);
      return;
    }
    bundles.acquire(
        bundle,
        ActionListener.wrap(
            loaded -> {
              try {
                executor.execute(() -> run(loaded, documents, handler));
              } catch (RejectedExecutionException e) {
                loaded.close();
                failAll(documents, e);
                handler.accept(documents);
              }
            },
            e -> {
              failAll(
                  documents,
                  e instanceof RejectedExecutionException
                      ? e
                      : new IllegalStateException(
                          "bundle '"
                              + bundle
                              + "' could not be loaded on this node: "
                              + e.getMessage(),
                          e));
              handler.accept(documents);
            }));
  }

  private void run(
      BundleLease lease,
      List<IngestDocumentWrapper> documents,
      Consumer<List<IngestDocumentWrapper>> handler) {
    AtomicBoolean finished = new AtomicBoolean();
    Runnable done =
        () -> {
          if (finished.compareAndSet(false, true)) {
            lease.close();
            handler.accept(documents);
          }
        };
    try {
      process(lease.bundle(), documents, done);
    } catch (RuntimeException e) {
      failAll(documents, e);
      done.run();
    }
  }

  /** Marks every document that has not failed yet as failed with {@code e}. */
  static void failAll(List<IngestDocumentWrapper> documents, Exception e) {
    for (IngestDocumentWrapper w : documents) {
      if (w.getException() == null && w.getIngestDocument() != null) {
        w.update(w.getIngestDocument(), e);
      }
    }
  }
}
