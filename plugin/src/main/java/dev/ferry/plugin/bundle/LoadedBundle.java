package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.plugin.store.StoredBundle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bundle as a node holds it open: its name, its checked files, and its encoder and head, shared
 * by every pipeline and query on the node that names it ({@link BundleRegistry}).
 *
 * <p>It counts its holders: the registry while it keeps the bundle, and each open {@link
 * BundleLease}. The encoder and head are closed when the last one lets go, so a bundle the registry
 * drops is never closed under a batch that is still using it.
 */
public final class LoadedBundle {
  private final String name;
  private final String key;
  private final ModelBundle bundle;
  private final Classifier classifier;
  private final StoredBundle stored;
  private final AtomicInteger holders = new AtomicInteger(1);

  /**
   * A bundle held by the registry.
   *
   * @param name the name pipelines and queries use (for an alias, the bundle it named)
   * @param key what documents record as the bundle that labeled them: {@code NAME@SHA12}, the name
   *     and the first 12 hex digits of the SHA-256 of its {@code manifest.json} (which lists every
   *     file's hash, so it names the bundle's exact content)
   * @param bundle the bundle's manifest and files
   * @param classifier its encoder and head, open
   * @param stored where the cluster stores it, or null for a bundle from the config folder
   */
  LoadedBundle(
      String name, String key, ModelBundle bundle, Classifier classifier, StoredBundle stored) {
    this.name = name;
    this.key = key;
    this.bundle = bundle;
    this.classifier = classifier;
    this.stored = stored;
  }

  /** The bundle's name. */
  public String name() {
    return name;
  }

  /** {@code NAME@SHA12}: the name and the start of its manifest's SHA-256. */
  public String key() {
    return key;
  }

  /** The bundle's manifest and files. */
  public ModelBundle bundle() {
    return bundle;
  }

  /** Its encoder and head. */
  public Classifier classifier() {
    return classifier;
  }

  /** Where the cluster stores it; null for a bundle from the config folder. */
  StoredBundle stored() {
    return stored;
  }

  /** How this bundle reads documents, with its chunking or its first window only. */
  public FeatureReading reading(boolean chunking) {
    return FeatureReading.of(bundle, chunking);
  }

  /** One more holder, unless the bundle is already closed. */
  boolean retain() {
    for (int n = holders.get(); n > 0; n = holders.get()) {
      if (holders.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** One holder fewer; the last closes the encoder and head. */
  void release() {
    if (holders.decrementAndGet() == 0) {
      classifier.close();
    }
  }
}
