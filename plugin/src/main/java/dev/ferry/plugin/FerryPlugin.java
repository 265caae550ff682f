package dev.ferry.plugin;

import dev.ferry.models.encoder.EncoderOptions;
import java.nio.file.Path;
import java.util.Map;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.Plugin;

/**
 * Ferry's OpenSearch plugin: the {@code ferry_classify} ingest processor, which labels documents at
 * index time with a model bundle from the node's {@code config/ferry/} folder.
 *
 * <p>Bundles are opened once per node, when a pipeline first names them, and closed when the node
 * stops. Built-in encoders and the tokenizer's native library are unpacked into the node's
 * temporary folder ({@code java.io.tmpdir}, which the engine lets every plugin write) unless the
 * JVM option {@code -Dferry.cache.dir} names another folder.
 */
public final class FerryPlugin extends Plugin implements IngestPlugin {
  /** The folder under the node's config folder that holds one sub-folder per bundle. */
  public static final String BUNDLES_FOLDER = "ferry";

  static final String CACHE_PROPERTY = "ferry.cache.dir";

  private volatile BundleRegistry bundles;

  /** Called by the node when it loads the plugin. */
  public FerryPlugin() {}

  @Override
  public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
    if (System.getProperty(CACHE_PROPERTY) == null) {
      System.setProperty(CACHE_PROPERTY, parameters.env.tmpDir().resolve("ferry-cache").toString());
    }
    Path root = parameters.env.configDir().resolve(BUNDLES_FOLDER);
    bundles = new BundleRegistry(root, EncoderOptions.defaults());
    return Map.of(ClassifyProcessor.TYPE, new ClassifyProcessor.Factory(bundles));
  }

  /** The node's bundles; null until the ingest service asked for the processors. */
  BundleRegistry bundles() {
    return bundles;
  }

  @Override
  public void close() {
    BundleRegistry registry = bundles;
    if (registry != null) {
      registry.close();
    }
  }
}
