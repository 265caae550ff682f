package dev.ferry.plugin.bundle;

import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.plugin.store.ClusterBundleSource;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a bundle whose files this node has: checks it ({@link ModelBundle#open}: every file's hash,
 * the head's shapes), starts its encoder and head, and logs how long that took. A failure,
 * including a native library that does not load, is a {@link BundleLoadException} naming the
 * bundle, never an error that would reach the node's uncaught-error handler.
 */
final class BundleOpener {
  private static final Logger LOG = LoggerFactory.getLogger(BundleOpener.class);

  private final BundleSource folder;
  private final ClusterBundleSource cluster;
  private final EncoderOptions options;

  BundleOpener(BundleSource folder, ClusterBundleSource cluster, EncoderOptions options) {
    this.folder = folder;
    this.cluster = cluster;
    this.options = options;
  }

  /** Opens {@code target} from its source (a cluster bundle from this node's cached copy). */
  LoadedBundle open(BundleTarget target) {
    long start = System.nanoTime();
    // DJL finds its native library's description through the thread's context class loader,
    // which on the node's threads is the engine's, not this plugin's.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(BundleOpener.class.getClassLoader());
    try {
      ModelBundle bundle =
          target.stored() == null ? folder.open(target.name()) : cluster.open(target.stored());
      String key =
          target.stored() != null
              ? target.stored().key()
              : target.name()
                  + "@"
                  + FileHashes.sha256(bundle.directory().resolve(ModelBundle.MANIFEST))
                      .substring(0, 12);
      Classifier classifier = bundle.openClassifier(options);
      LOG.info(
          "Opened bundle '{}' ({}, from {}; {} labels, encoder {}) in {} ms",
          target.name(),
          key,
          target.stored() == null ? folder.describe() : "the cluster",
          classifier.labels().size(),
          bundle.manifest().encoder().id(),
          (System.nanoTime() - start) / 1_000_000);
      return new LoadedBundle(target.name(), key, bundle, classifier, target.stored());
    } catch (IOException e) {
      throw new BundleLoadException(
          "bundle '" + target.name() + "': cannot read its manifest: " + e.getMessage(), e);
    } catch (LinkageError | AssertionError e) {
      // A native library that does not load (wrong platform, missing resource) must fail this
      // pipeline or query, not reach the node's uncaught-error handler, which stops the node.
      throw new BundleLoadException(
          "bundle '" + target.name() + "': cannot start the encoder's native libraries: " + e, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
