package dev.ferry.plugin;

import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.ConfigFolderBundleSource;
import dev.ferry.plugin.ingest.FerryProcessorFactories;
import java.nio.file.Path;
import java.util.Map;
import org.opensearch.common.settings.Settings;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;

/**
 * Ferry's OpenSearch plugin: {@code ferry_classify}, an ingest processor that labels and embeds
 * documents with a model bundle and stores what relabeling needs, and {@code ferry_relabel}, which
 * labels them again with another head from those stored features, for {@code _update_by_query}.
 *
 * <p>Bundles come from the node's {@code config/ferry/} folder ({@link ConfigFolderBundleSource})
 * and are opened once per node ({@link BundleRegistry}), shared by pipelines, and closed when the
 * node stops. Built-in encoders and the tokenizer's native library are unpacked into the node's
 * temporary folder ({@code java.io.tmpdir}, which the engine lets every plugin write) unless the
 * JVM option {@code -Dferry.cache.dir} names another folder.
 */
public final class FerryPlugin extends Plugin implements IngestPlugin {
  /** The folder under the node's config folder that holds one sub-folder per bundle. */
  public static final String BUNDLES_FOLDER = "ferry";
  static final String CACHE_PROPERTY = "ferry.cache.dir";

  private final BundleRegistry bundles;

  /** Called by the node when it loads the plugin, with the node's config folder. */
  public FerryPlugin(Settings settings, Path configPath) {
    if (System.getProperty(CACHE_PROPERTY) == null) {
      System.setProperty(CACHE_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"), "ferry-cache").toString());
    }
    this.bundles = new BundleRegistry(new ConfigFolderBundleSource(configPath.resolve(BUNDLES_FOLDER)),
        EncoderOptions.defaults());
  }

  @Override
  public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
    Client client = parameters.client;
    return FerryProcessorFactories.create(bundles, client,
        task -> client.threadPool().executor(ThreadPool.Names.WRITE).execute(task));
  }

  /** The node's bundles. */
  BundleRegistry bundles() {
    return bundles;
  }

  @Override
  public void close() {
    bundles.close();
  }
}
