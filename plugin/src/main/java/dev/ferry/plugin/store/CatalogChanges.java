package dev.ferry.plugin.store;

import dev.ferry.plugin.bundle.BundleNames;
import dev.ferry.plugin.bundle.PipelineReferences;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.core.rest.RestStatus;

/**
 * The changes to the {@link BundleCatalog}, each one cluster state from another, run by the cluster
 * manager as one update task, so that each is atomic and checked against the state it changes: a
 * name is stored once (a bundle and an alias never share one), an alias names a bundle that exists,
 * and a bundle or alias that a pipeline names, or a bundle an alias names, is not deleted. A
 * refusal is a 404 (no such name), a 409 (the name is taken or in use) or a 400.
 */
public final class CatalogChanges {
  private CatalogChanges() {}

  /** Adds {@code bundle}, whose chunks are all written. */
  public static ClusterState register(ClusterState state, StoredBundle bundle) {
    BundleCatalog catalog = BundleCatalog.of(state);
    if (catalog.contains(bundle.name())) {
      throw taken(bundle.name(), catalog);
    }
    return with(state, catalog.with(bundle));
  }

  /** Removes bundle {@code name}, unless an alias or a pipeline names it. */
  public static ClusterState delete(ClusterState state, String name) {
    BundleCatalog catalog = BundleCatalog.of(state);
    if (catalog.aliases().containsKey(name)) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is an alias (of bundle '"
              + catalog.aliases().get(name)
              + "'), not a bundle: DELETE _plugins/ferry/bundles/_alias/"
              + name
              + " deletes it");
    }
    if (!catalog.bundles().containsKey(name)) {
      throw new ResourceNotFoundException("no bundle '" + name + "' is stored in the cluster");
    }
    List<String> aliases = catalog.aliasesOf(name);
    if (!aliases.isEmpty()) {
      throw new OpenSearchStatusException(
          "bundle '"
              + name
              + "' is in use: alias"
              + (aliases.size() > 1 ? "es " : " ")
              + String.join(", ", aliases)
              + " name"
              + (aliases.size() > 1 ? "" : "s")
              + " it; point "
              + (aliases.size() > 1 ? "them" : "it")
              + " at another bundle (PUT _plugins/ferry/bundles/_alias/ALIAS) or "
              + "delete "
              + (aliases.size() > 1 ? "them" : "it")
              + " first",
          RestStatus.CONFLICT);
    }
    refuseIfPipelinesName(state, "bundle", name);
    return with(state, catalog.without(name));
  }

  /**
   * Makes alias {@code alias} name bundle {@code target}, creating it or switching it in one step.
   */
  public static ClusterState putAlias(ClusterState state, String alias, String target) {
    BundleNames.checkNew(alias, "alias");
    BundleCatalog catalog = BundleCatalog.of(state);
    if (catalog.bundles().containsKey(alias)) {
      throw new OpenSearchStatusException(
          "'" + alias + "' is a bundle's name; an alias needs a name of its own",
          RestStatus.CONFLICT);
    }
    if (catalog.aliases().containsKey(target)) {
      throw new IllegalArgumentException(
          "'"
              + target
              + "' is an alias; an alias names a bundle (alias '"
              + target
              + "' names '"
              + catalog.aliases().get(target)
              + "')");
    }
    if (!catalog.bundles().containsKey(target)) {
      throw new ResourceNotFoundException(
          "no bundle '"
              + target
              + "' is stored in the cluster; upload it first (PUT "
              + "_plugins/ferry/bundles/"
              + target
              + ")");
    }
    if (target.equals(catalog.aliases().get(alias))) {
      return state;
    }
    return with(state, catalog.withAlias(alias, target));
  }

  /** Removes alias {@code alias}, unless a pipeline names it. */
  public static ClusterState deleteAlias(ClusterState state, String alias) {
    BundleCatalog catalog = BundleCatalog.of(state);
    if (!catalog.aliases().containsKey(alias)) {
      throw new ResourceNotFoundException("no alias '" + alias + "' is stored in the cluster");
    }
    refuseIfPipelinesName(state, "alias", alias);
    return with(state, catalog.without(alias));
  }

  private static void refuseIfPipelinesName(ClusterState state, String what, String name) {
    Map<String, Set<String>> named = PipelineReferences.of(state);
    Set<String> pipelines = named.getOrDefault(name, Set.of());
    if (!pipelines.isEmpty()) {
      boolean many = pipelines.size() > 1;
      throw new OpenSearchStatusException(
          what
              + " '"
              + name
              + "' is in use: pipeline"
              + (many ? "s " : " ")
              + String.join(", ", pipelines)
              + " name"
              + (many ? "" : "s")
              + " it; delete or change "
              + (many ? "them" : "it")
              + " first",
          RestStatus.CONFLICT);
    }
  }

  /** The refusal of a name already taken in {@code catalog}: a 409 saying to store a new name. */
  public static OpenSearchStatusException taken(String name, BundleCatalog catalog) {
    return new OpenSearchStatusException(
        "bundle '"
            + name
            + "' exists"
            + (catalog.aliases().containsKey(name) ? " as an alias" : "")
            + ", and a stored bundle never changes: store a retrained bundle under a new name ('"
            + name
            + "-v2') and point an alias at it (PUT _plugins/ferry/bundles/_alias/ALIAS)",
        RestStatus.CONFLICT);
  }

  private static ClusterState with(ClusterState state, BundleCatalog catalog) {
    return ClusterState.builder(state)
        .metadata(Metadata.builder(state.metadata()).putCustom(BundleCatalog.TYPE, catalog))
        .build();
  }
}
