package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.ClusterBundleSource;
import dev.ferry.plugin.store.StoredBundle;
import java.util.List;
import java.util.TreeSet;

/**
 * What a bundle name names now: a bundle stored in the cluster (itself, or through an alias), or a
 * config-folder bundle. Resolved from the catalog of the cluster state the node last applied, so it
 * needs no network.
 *
 * @param name the bundle's name (for an alias, the bundle it names)
 * @param stored where the cluster stores it; null for a config-folder bundle
 */
public record BundleTarget(String name, StoredBundle stored) {
  /**
   * Where the registry keeps it: a cluster bundle by its content ({@code NAME@SHA12}), a folder one
   * by name.
   */
  String slot() {
    return stored == null ? "folder/" + name : "cluster/" + stored.key();
  }

  /**
   * The bundle {@code requested} names in {@code cluster}'s catalog or in {@code folder}.
   *
   * @throws BundleLoadException if it names none (saying what there is), or a name is both a
   *     cluster bundle or alias and a config folder
   */
  static BundleTarget resolve(String requested, ClusterBundleSource cluster, BundleSource folder) {
    BundleNames.check(requested);
    BundleCatalog catalog = cluster.catalog();
    StoredBundle stored = catalog.resolve(requested);
    if (stored != null) {
      for (String name : new TreeSet<>(List.of(requested, stored.name()))) {
        if (folder.has(name)) {
          throw new BundleLoadException(
              "bundle name '"
                  + name
                  + "' is ambiguous: the cluster stores a bundle or alias "
                  + "by that name and "
                  + folder.describe()
                  + " has a folder '"
                  + name
                  + "' too; rename the folder, or "
                  + "delete the cluster's (DELETE _plugins/ferry/bundles/"
                  + name
                  + ")");
        }
      }
      return new BundleTarget(stored.name(), stored);
    }
    if (folder.has(requested)) {
      return new BundleTarget(requested, null);
    }
    List<String> inCluster = cluster.names();
    List<String> inFolder = folder.names();
    throw new BundleLoadException(
        "no bundle '"
            + requested
            + "': the cluster stores none by that name ("
            + (inCluster.isEmpty() ? "it stores none" : "it stores " + String.join(", ", inCluster))
            + "; PUT _plugins/ferry/bundles/"
            + requested
            + " uploads one), and "
            + folder.describe()
            + " on this node has no such folder ("
            + (inFolder.isEmpty()
                ? "it holds none"
                : "bundles there: " + String.join(", ", inFolder))
            + ")");
  }
}
