package dev.ferry.plugin.bundle;

import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's open bundles: each opened once, on first use, from a {@link BundleSource}, and shared
 * by every ingest pipeline, relabel pipeline and query on the node that names it, until the node
 * stops. A bundle that fails to open is not remembered, so a fixed bundle works on the next try. A
 * changed bundle under a name already open is only read again after a restart.
 */
public final class BundleRegistry implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BundleRegistry.class);

  private final BundleSource source;
  private final EncoderOptions options;
  private final Map<String, LoadedBundle> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Bundles from {@code source}, their encoders run with {@code options}. */
  public BundleRegistry(BundleSource source, EncoderOptions options) {
    this.source = source;
    this.options = options;
  }

  /** Where bundles come from. */
  public BundleSource source() {
    return source;
  }

  /**
   * Bundle {@code name}, opened on first use (hashes and shapes checked, encoder started).
   *
   * @throws BundleLoadException if there is no such bundle or it does not open; the message names
   *     the bundle and what was expected
   */
  public LoadedBundle get(String name) {
    if (closed) {
      throw new IllegalStateException(
          "the node is stopping; bundle '" + name + "' is no longer open");
    }
    LoadedBundle loaded = open.get(name);
    return loaded != null ? loaded : open.computeIfAbsent(name, this::load);
  }

  private LoadedBundle load(String name) {
    long start = System.nanoTime();
    // DJL finds its native library's description through the thread's context class loader,
    // which on the node's threads is the engine's, not this plugin's.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(BundleRegistry.class.getClassLoader());
    try {
      ModelBundle bundle = source.open(name);
      String key = name + "@" + manifestSha256(bundle).substring(0, 12);
      Classifier classifier = bundle.openClassifier(options);
      LOG.info(
          "Opened bundle '{}' ({}; {} labels, encoder {}) in {} ms",
          name,
          key,
          classifier.labels().size(),
          bundle.manifest().encoder().id(),
          (System.nanoTime() - start) / 1_000_000);
      return new LoadedBundle(name, key, bundle, classifier);
    } catch (LinkageError | AssertionError e) {
      // A native library that does not load (wrong platform, missing resource) must fail this
      // pipeline or query, not reach the node's uncaught-error handler, which stops the node.
      throw new BundleLoadException(
          "bundle '" + name + "': cannot start the encoder's native libraries: " + e, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static String manifestSha256(ModelBundle bundle) {
    try {
      return FileHashes.sha256(bundle.directory().resolve(ModelBundle.MANIFEST));
    } catch (IOException e) {
      throw new BundleLoadException(
          bundle.directory() + ": cannot read " + ModelBundle.MANIFEST + ": " + e, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (LoadedBundle b : open.values()) {
      try {
        b.classifier().close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    open.clear();
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }
}
