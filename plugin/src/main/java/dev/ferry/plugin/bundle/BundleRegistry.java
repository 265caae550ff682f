package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.ClusterBundleSource;
import dev.ferry.plugin.store.StoredBundle;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.opensearch.cluster.ClusterState;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.action.ActionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's open bundles, from two sources: the cluster's store ({@link ClusterBundleSource},
 * bundles and aliases uploaded with {@code PUT _plugins/ferry/bundles/NAME}) and the node's config
 * folder ({@link ConfigFolderBundleSource}, for air-gapped setups). A name found in both is an
 * error. Each bundle is opened once per node and shared by every pipeline, processor and query that
 * names it, directly or through an alias.
 *
 * <p>A name is resolved each time it is used ({@link #resolve}), from the cluster state this node
 * last applied, so an alias switch takes effect on the next batch or query without recreating
 * anything. A config-folder bundle is opened when a pipeline first names it ({@link #check}, as
 * before). A cluster bundle is loaded on first use ({@link #acquire}): fetched into the node's
 * cache and opened on the {@code ferry_bundles} pool, never on a network or cluster-state thread;
 * concurrent users wait for the same load. A failed load is answered with its error for {@value
 * BundleLoads#RETRY_AFTER_SECONDS} s, then tried again. A cluster bundle is let go when it is
 * deleted, or when an alias was switched away from it and no pipeline names it; batches still using
 * it hold a {@link BundleLease}, and it is closed when the last one ends.
 */
public final class BundleRegistry implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BundleRegistry.class);

  private final BundleSource folder;
  private final ClusterBundleSource cluster;
  private final Map<String, LoadedBundle> open = new ConcurrentHashMap<>();
  private final BundleOpener opener;
  private final BundleLoads loads = new BundleLoads(this);
  private volatile Executor executor;
  private volatile ThreadContext threadContext;
  private volatile boolean closed;

  /** Bundles from the cluster and from {@code folder}, their encoders run with {@code options}. */
  public BundleRegistry(BundleSource folder, ClusterBundleSource cluster, EncoderOptions options) {
    this.folder = folder;
    this.cluster = cluster;
    this.opener = new BundleOpener(folder, cluster, options);
  }

  /**
   * Gives the registry the pool it loads bundles on and the node's thread context, once they exist.
   */
  public void start(Executor bundlePool, ThreadContext context) {
    this.executor = bundlePool;
    this.threadContext = context;
  }

  /** The config folder's bundles. */
  public BundleSource folder() {
    return folder;
  }

  /** The cluster's bundles. */
  public ClusterBundleSource cluster() {
    return cluster;
  }

  /**
   * The bundle {@code requested} names now ({@link BundleTarget#resolve}).
   *
   * @throws BundleLoadException if it names none, or a name is both in the cluster and the folder
   */
  public BundleTarget resolve(String requested) {
    return BundleTarget.resolve(requested, cluster, folder);
  }

  /**
   * Checks, when a pipeline is created, that {@code name} names a bundle; a config-folder bundle is
   * opened now (hashes and shapes checked, encoder started). Needs no network: a cluster bundle is
   * loaded by its first batch.
   *
   * @throws BundleLoadException if it names none or the folder's bundle does not open
   */
  public void check(String name) {
    BundleTarget target = resolve(name);
    if (target.stored() == null) {
      get(name);
    }
  }

  /**
   * Bundle {@code name}, now: a config-folder bundle is opened if it is not yet; a cluster bundle
   * must already be loaded.
   *
   * @throws BundleLoadException if it names none, does not open, or is a cluster bundle not loaded
   *     yet
   */
  public LoadedBundle get(String name) {
    ensureOpen(name);
    BundleTarget target = resolve(name);
    if (target.stored() == null) {
      return open.computeIfAbsent(target.slot(), slot -> openNow(target));
    }
    LoadedBundle loaded = open.get(target.slot());
    if (loaded == null) {
      throw new BundleLoadException(
          "bundle '"
              + name
              + "' is not loaded on this node yet; its first batch or query "
              + "loads it");
    }
    return loaded;
  }

  /**
   * A lease on bundle {@code name} if this node has it open, else null (then {@link #acquire} loads
   * it). Needs no network, opens nothing.
   *
   * @throws BundleLoadException if it names no bundle
   */
  public BundleLease tryAcquire(String name) {
    ensureOpen(name);
    return leaseIfOpen(resolve(name));
  }

  /** A lease on {@code target} if it is open now, else null. */
  BundleLease leaseIfOpen(BundleTarget target) {
    LoadedBundle loaded = open.get(target.slot());
    return loaded != null && loaded.retain() ? new BundleLease(loaded) : null;
  }

  /**
   * Hands {@code listener} a lease on bundle {@code name}: at once if it is open, else once it is
   * loaded (on the {@code ferry_bundles} pool, in the listener's thread context), or the error that
   * kept it from loading.
   */
  public void acquire(String name, ActionListener<BundleLease> listener) {
    BundleTarget target;
    try {
      ensureOpen(name);
      target = resolve(name);
    } catch (RuntimeException e) {
      listener.onFailure(e);
      return;
    }
    BundleLease lease = leaseIfOpen(target);
    if (lease != null) {
      listener.onResponse(lease);
      return;
    }
    ThreadContext context = threadContext;
    loads.join(
        target,
        context == null
            ? listener
            : org.opensearch.action.support.ContextPreservingActionListener.wrapPreservingContext(
                listener, context));
  }

  /** The pool loads run on. */
  Executor executor() {
    Executor pool = executor;
    if (pool == null) {
      throw new RejectedExecutionException("the node has not started Ferry's bundle pool yet");
    }
    return pool;
  }

  /**
   * Opens {@code target}, whose files this node has (a cluster bundle's, fetched), and counts it.
   */
  LoadedBundle openNow(BundleTarget target) {
    LoadedBundle loaded = opener.open(target);
    loads.counts(target).opened();
    return loaded;
  }

  /**
   * Keeps {@code loaded} as the open copy of {@code target}, or returns the copy another load kept
   * first.
   */
  LoadedBundle keep(BundleTarget target, LoadedBundle loaded) {
    if (closed || !stillNamed(target)) {
      loaded.release();
      throw new BundleLoadException(
          "bundle '"
              + target.name()
              + "' was deleted, or the node is stopping, while it "
              + "was being loaded");
    }
    LoadedBundle existing = open.putIfAbsent(target.slot(), loaded);
    if (existing != null) {
      loaded.release();
      return existing;
    }
    return loaded;
  }

  /** Whether the catalog still has {@code target} as it was resolved. */
  private boolean stillNamed(BundleTarget target) {
    if (target.stored() == null) {
      return true;
    }
    StoredBundle now = cluster.catalog().bundles().get(target.name());
    return now != null && now.key().equals(target.stored().key());
  }

  /**
   * Takes the catalog of a cluster state this node applies (called before ingest pipelines are
   * created from it): lets go of bundles that were deleted, and of bundles an alias was switched
   * away from that no pipeline names, and removes the cached copies of deleted bundles.
   */
  public void onClusterState(ClusterState state) {
    BundleCatalog next = BundleCatalog.of(state);
    BundleCatalog previous = cluster.catalog();
    if (next.equals(previous)) {
      return;
    }
    cluster.update(next);
    loads.forgetFailures();
    Set<String> named = PipelineReferences.of(state).keySet();
    for (Map.Entry<String, LoadedBundle> e : open.entrySet()) {
      StoredBundle stored = e.getValue().stored();
      if (stored == null) {
        continue;
      }
      StoredBundle now = next.bundles().get(stored.name());
      boolean deleted = now == null || !now.key().equals(stored.key());
      boolean switchedAway =
          !previous.aliasesOf(stored.name()).isEmpty()
              && next.aliasesOf(stored.name()).isEmpty()
              && !named.contains(stored.name());
      if ((deleted || switchedAway) && open.remove(e.getKey(), e.getValue())) {
        LOG.info(
            "Letting go of bundle '{}' ({}): {}",
            stored.name(),
            stored.key(),
            deleted ? "it was deleted" : "no alias or pipeline names it any more");
        e.getValue().release();
      }
    }
    try {
      executor().execute(() -> cluster.dropOthers(next));
    } catch (RejectedExecutionException e) {
      LOG.warn(
          "Cannot remove cached copies of deleted bundles now ({}); the next catalog change"
              + " retries",
          e.toString());
    }
  }

  /** What this node has loaded and how often, for the node stats. */
  public List<BundleUse> uses() {
    List<BundleUse> uses = new ArrayList<>();
    loads.forEachCount(
        (slot, counts) -> {
          LoadedBundle loaded = open.get(slot);
          uses.add(
              new BundleUse(
                  counts.name(),
                  loaded != null ? loaded.key() : counts.key(),
                  counts.fromCluster(),
                  loaded != null,
                  counts.downloads(),
                  counts.opens()));
        });
    return uses;
  }

  private void ensureOpen(String name) {
    if (closed) {
      throw new IllegalStateException(
          "the node is stopping; bundle '" + name + "' is no longer open");
    }
  }

  @Override
  public void close() {
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (String slot : List.copyOf(open.keySet())) {
      LoadedBundle b = open.remove(slot);
      try {
        if (b != null) {
          b.release();
        }
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }
}
