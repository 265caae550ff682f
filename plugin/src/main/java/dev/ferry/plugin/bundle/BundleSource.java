package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import java.util.List;

/**
 * Where a node finds a model bundle by its name. {@link BundleRegistry} asks it which names it has,
 * opens a bundle once per node and keeps what it opened; the source only has to find and check the
 * bundle.
 *
 * <p>{@link ConfigFolderBundleSource} reads {@code config/ferry/NAME/} on the node (for air-gapped
 * setups); {@link dev.ferry.plugin.store.ClusterBundleSource} keeps bundles in the cluster and
 * unpacks each into a local cache before it is opened.
 */
public interface BundleSource {
  /**
   * Opens and checks bundle {@code name} ({@link ModelBundle#open}).
   *
   * @throws BundleLoadException if there is no such bundle or it does not open; the message names
   *     the bundle, where it was looked for, and what to do
   */
  ModelBundle open(String name);

  /**
   * Whether this source has bundle {@code name}, found without opening it (no network, no hashing).
   */
  boolean has(String name);

  /** The names of the bundles this source has, sorted, for messages. */
  List<String> names();

  /** Where this source keeps bundles, for messages ("the folder /etc/opensearch/ferry"). */
  String describe();
}
