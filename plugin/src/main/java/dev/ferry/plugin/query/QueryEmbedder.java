package dev.ferry.plugin.query;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.encoder.TextRole;
import dev.ferry.plugin.bundle.BundleLease;
import dev.ferry.plugin.bundle.BundleRegistry;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.OpenSearchExecutors;
import org.opensearch.core.action.ActionListener;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.FixedExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;

/**
 * Embeds query texts with a bundle's encoder (its query conventions: bge's query prefix, for one)
 * on the node's {@value #THREAD_POOL} thread pool: a fixed number of threads and a bounded queue,
 * so that a burst of queries waits there or is refused with a 429, and no network or search thread
 * ever blocks on the model. The encoder is the one ingest pipelines use on this node ({@link
 * BundleRegistry}); a bundle this node has not loaded yet is loaded first, on Ferry's {@code
 * ferry_bundles} pool. The bundle name (or alias) is resolved for each query.
 */
public final class QueryEmbedder {
  /**
   * The thread pool's name (settings {@code thread_pool.ferry_inference.size} and {@code
   * .queue_size}).
   */
  public static final String THREAD_POOL = "ferry_inference";

  /** Queries that may wait for the pool before more are refused. */
  static final int QUEUE_SIZE = 1000;

  private final BundleRegistry bundles;
  private volatile ExecutorService executor;

  /** Embeds with the bundles of {@code bundles}; {@link #start} gives it its thread pool. */
  public QueryEmbedder(BundleRegistry bundles) {
    this.bundles = bundles;
  }

  /**
   * The pool: half the node's processors (at least one), since ONNX Runtime already spreads one
   * query's model run over several cores; {@value #QUEUE_SIZE} queries may wait.
   */
  public static ExecutorBuilder<?> executorBuilder(Settings settings) {
    int threads = Math.max(1, OpenSearchExecutors.allocatedProcessors(settings) / 2);
    return new FixedExecutorBuilder(
        settings, THREAD_POOL, threads, QUEUE_SIZE, "thread_pool." + THREAD_POOL);
  }

  /** Takes the pool from the node's thread pools, once they exist. */
  public void start(ThreadPool threadPool) {
    this.executor = threadPool.executor(THREAD_POOL);
  }

  /**
   * Embeds {@code text} as a query with bundle {@code bundle}'s encoder, on the pool; the listener
   * hears the vector, or an {@link IllegalArgumentException} (a 400) naming a bundle that does not
   * open, or the pool's refusal (a 429).
   */
  void embed(String bundle, String text, ActionListener<float[]> listener) {
    ExecutorService pool = executor;
    if (pool == null) {
      listener.onFailure(
          new IllegalStateException(
              "the node has not started Ferry's " + THREAD_POOL + " pool yet"));
      return;
    }
    BundleLease lease;
    try {
      lease = bundles.tryAcquire(bundle);
    } catch (BundleLoadException e) {
      listener.onFailure(badBundle(e));
      return;
    }
    if (lease != null) {
      embedOnPool(pool, lease, text, listener);
      return;
    }
    bundles.acquire(
        bundle,
        ActionListener.wrap(
            loaded -> embedOnPool(pool, loaded, text, listener),
            e -> listener.onFailure(e instanceof BundleLoadException b ? badBundle(b) : e)));
  }

  private static void embedOnPool(
      ExecutorService pool, BundleLease lease, String text, ActionListener<float[]> listener) {
    try {
      pool.execute(
          () -> {
            float[] vector;
            try (lease) {
              vector =
                  lease.bundle().classifier().encoder().embed(List.of(text), TextRole.QUERY)[0];
            } catch (RuntimeException e) {
              listener.onFailure(e);
              return;
            }
            listener.onResponse(vector);
          });
    } catch (RejectedExecutionException e) {
      lease.close();
      listener.onFailure(e);
    }
  }

  private static IllegalArgumentException badBundle(BundleLoadException e) {
    return new IllegalArgumentException(
        "[" + FerrySemanticQueryBuilder.NAME + "] bundle: " + e.getMessage(), e);
  }
}
