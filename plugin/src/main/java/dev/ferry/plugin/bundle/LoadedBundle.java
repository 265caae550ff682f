package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;

/**
 * A bundle as a node holds it open: its name, its checked files, and its encoder and head, shared
 * by every pipeline and query on the node that names it ({@link BundleRegistry}).
 *
 * @param name the name pipelines and queries use
 * @param key what documents record as the bundle that labeled them: {@code NAME@SHA12}, the name
 *     and the first 12 hex digits of the SHA-256 of its {@code manifest.json} (which lists every
 *     file's hash, so it names the bundle's exact content)
 * @param bundle the bundle's manifest and files
 * @param classifier its encoder and head, open
 */
public record LoadedBundle(String name, String key, ModelBundle bundle, Classifier classifier) {
  /** How this bundle reads documents, with its chunking or its first window only. */
  public FeatureReading reading(boolean chunking) {
    return FeatureReading.of(bundle, chunking);
  }
}
