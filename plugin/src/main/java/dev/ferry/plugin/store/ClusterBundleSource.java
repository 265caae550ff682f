package dev.ferry.plugin.store;

import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.plugin.bundle.BundleSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.core.action.ActionListener;

/**
 * Bundles stored in the cluster ({@link BundleCatalog}, {@value BundleIndex#NAME}): a node fetches
 * a bundle's chunks into its {@link BundleCache} the first time it needs it ({@link #fetch}, on
 * Ferry's {@code ferry_bundles} pool), and opens that copy, checked against the manifest the upload
 * recorded. A node that joins later, or restarts with an empty cache, fetches the same way.
 *
 * <p>The catalog is the one in the cluster state the node last applied ({@link #update}), so naming
 * a bundle never needs the network.
 */
public final class ClusterBundleSource implements BundleSource {
  private volatile BundleCatalog catalog = BundleCatalog.EMPTY;
  private volatile BundleCache cache;
  private volatile BundleStore store;

  /** Gives the source its cache and store, once the node has them. */
  public void start(BundleCache bundleCache, BundleStore bundleStore) {
    this.cache = bundleCache;
    this.store = bundleStore;
  }

  /** The catalog as this node last saw it. */
  public BundleCatalog catalog() {
    return catalog;
  }

  /** The catalog of a cluster state the node applied. */
  public void update(BundleCatalog next) {
    this.catalog = next;
  }

  @Override
  public ModelBundle open(String name) {
    StoredBundle bundle = catalog.bundles().get(name);
    if (bundle == null) {
      throw new BundleLoadException("no bundle '" + name + "' is stored in the cluster");
    }
    return open(bundle);
  }

  /**
   * Opens this node's copy of {@code bundle} (fetched by {@link #fetch}), checking every file
   * against the manifest and the manifest against the upload's record.
   */
  public ModelBundle open(StoredBundle bundle) {
    Path dir = cache.directory(bundle);
    if (!cache.has(bundle)) {
      throw new BundleLoadException(
          "bundle '" + bundle.name() + "' is not in this node's cache (" + dir + ") yet");
    }
    ModelBundle opened = ModelBundle.open(dir);
    String sha;
    try {
      sha = FileHashes.sha256(dir.resolve(ModelBundle.MANIFEST));
    } catch (IOException e) {
      throw new BundleLoadException(
          dir + ": cannot read " + ModelBundle.MANIFEST + ": " + e.getMessage(), e);
    }
    if (!sha.equals(bundle.manifestSha256())) {
      throw new BundleLoadException(
          dir
              + "/"
              + ModelBundle.MANIFEST
              + ": SHA-256 is "
              + sha
              + " but the cluster stored "
              + bundle.manifestSha256()
              + "; the cached copy was changed, and is fetched "
              + "again on next use");
    }
    return opened;
  }

  /**
   * Makes sure this node has a copy of {@code bundle}: the listener hears true once it was fetched
   * from the cluster now, false if it was already here.
   */
  public void fetch(StoredBundle bundle, ActionListener<Boolean> listener) {
    if (cache.has(bundle)) {
      listener.onResponse(false);
      return;
    }
    Path partial;
    try {
      partial = cache.newPartial(bundle);
    } catch (IOException e) {
      listener.onFailure(e);
      return;
    }
    store.download(
        bundle,
        partial,
        ActionListener.wrap(
            v -> {
              cache.commit(partial, bundle);
              listener.onResponse(true);
            },
            e -> {
              cache.delete(partial);
              listener.onFailure(e);
            }));
  }

  /** Drops this node's copy of {@code bundle} (damaged, or the bundle is gone). */
  public void discard(StoredBundle bundle) {
    cache.delete(cache.directory(bundle));
  }

  /** Drops the copies of bundles the catalog no longer has. */
  public void dropOthers(BundleCatalog current) {
    cache.retainOnly(current.bundles().values());
  }

  @Override
  public boolean has(String name) {
    return catalog.contains(name);
  }

  @Override
  public List<String> names() {
    List<String> names = new ArrayList<>(catalog.bundles().keySet());
    catalog.aliases().forEach((alias, target) -> names.add(alias + " (alias of " + target + ")"));
    return names;
  }

  @Override
  public String describe() {
    return "the cluster's bundles (GET _plugins/ferry/bundles lists them)";
  }
}
