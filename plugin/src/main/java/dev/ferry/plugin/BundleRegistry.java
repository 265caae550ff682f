package dev.ferry.plugin;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's bundles, each opened once and shared by every pipeline and ingest thread that names
 * it. Bundles are folders under {@code config/ferry/}; a bundle is opened (hashes and shapes
 * checked, encoder started) the first time a pipeline names it, and stays open until the node
 * stops. A bundle that fails to open is not remembered, so a fixed bundle works on the next try.
 */
final class BundleRegistry implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BundleRegistry.class);

  /** A bundle name is one folder name: no separators, no leading dot. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  private final Path root;
  private final EncoderOptions options;
  private final Map<String, Classifier> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  BundleRegistry(Path root, EncoderOptions options) {
    this.root = root;
    this.options = options;
  }

  /** The folder that holds the bundles. */
  Path root() {
    return root;
  }

  /**
   * The classifier of bundle {@code name}, opened on first use.
   *
   * @throws BundleLoadException if there is no such bundle or it does not open; the message names
   *     the folder and what was expected
   */
  Classifier classifier(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BundleLoadException(
          "bundle name '"
              + name
              + "' is not a folder name: use letters, "
              + "digits, '.', '_' and '-' only (the bundle is the folder "
              + root
              + "/NAME)");
    }
    if (closed) {
      throw new IllegalStateException(
          "the node is stopping; bundle '" + name + "' is no longer open");
    }
    return open.computeIfAbsent(name, this::load);
  }

  private Classifier load(String name) {
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new BundleLoadException(
          "no bundle '"
              + name
              + "': expected a folder written by 'ferry train "
              + "--out' at "
              + dir
              + " on every ingest node; "
              + available());
    }
    long start = System.nanoTime();
    // DJL finds its native library's description through the thread's context class loader,
    // which on the node's threads is the engine's, not this plugin's.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(BundleRegistry.class.getClassLoader());
    try {
      ModelBundle bundle = ModelBundle.open(dir);
      Classifier classifier = bundle.openClassifier(options);
      LOG.info(
          "Opened bundle '{}' ({} labels, encoder {}) in {} ms",
          name,
          classifier.labels().size(),
          bundle.manifest().encoder().id(),
          (System.nanoTime() - start) / 1_000_000);
      return classifier;
    } catch (LinkageError | AssertionError e) {
      // A native library that does not load (wrong platform, missing resource) must fail this
      // pipeline, not reach the node's uncaught-error handler, which stops the node.
      throw new BundleLoadException(dir + ": cannot start the encoder's native libraries: " + e, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private String available() {
    if (!Files.isDirectory(root)) {
      return "the folder " + root + " does not exist";
    }
    try (Stream<Path> entries = Files.list(root)) {
      List<String> names =
          entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      return names.isEmpty()
          ? root + " holds no bundles"
          : "bundles there: " + String.join(", ", names);
    } catch (java.io.IOException e) {
      return "cannot list " + root + ": " + e.getMessage();
    }
  }

  @Override
  public void close() {
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (Classifier c : open.values()) {
      try {
        c.close();
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
