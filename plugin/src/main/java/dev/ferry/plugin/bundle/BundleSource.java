package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;

/**
 * Where a node finds a model bundle by its name. {@link BundleRegistry} asks once per name and
 * keeps what it opened; the source only has to find and check the bundle.
 *
 * <p>{@link ConfigFolderBundleSource} reads {@code config/ferry/NAME/} on the node. A source that
 * keeps bundles in the cluster (a system index) implements the same method, unpacking a bundle to a
 * local folder before opening it.
 */
public interface BundleSource {
  /**
   * Opens and checks bundle {@code name} ({@link ModelBundle#open}).
   *
   * @throws BundleLoadException if there is no such bundle or it does not open; the message names
   *     the bundle, where it was looked for, and what to do
   */
  ModelBundle open(String name);

  /** Where this source keeps bundles, for messages ("the folder /etc/opensearch/ferry"). */
  String describe();
}
