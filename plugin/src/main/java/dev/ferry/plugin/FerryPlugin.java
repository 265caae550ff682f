package dev.ferry.plugin;

import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.ConfigFolderBundleSource;
import dev.ferry.plugin.ingest.FerryProcessorFactories;
import dev.ferry.plugin.mapper.FerryVectorCodecService;
import dev.ferry.plugin.mapper.FerryVectorFieldMapper;
import dev.ferry.plugin.query.FerrySemanticQueryBuilder;
import dev.ferry.plugin.query.QueryEmbedder;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;

/**
 * Ferry's OpenSearch plugin, self-sufficient for labeling and semantic search:
 *
 * <ul>
 *   <li>{@code ferry_classify}: an ingest processor that labels and embeds documents with a model
 *       bundle, and stores what relabeling needs;
 *   <li>{@code ferry_relabel}: an ingest processor that labels them again with another head from
 *       those stored features, for {@code _update_by_query};
 *   <li>{@code ferry_vector}: a field type indexed in Lucene's HNSW graph;
 *   <li>{@code ferry_semantic}: a query that embeds its text with a bundle's encoder on the
 *       coordinating node and searches a {@code ferry_vector} field.
 * </ul>
 *
 * <p>Bundles come from the node's {@code config/ferry/} folder ({@link ConfigFolderBundleSource})
 * and are opened once per node ({@link BundleRegistry}), shared by pipelines and queries, and
 * closed when the node stops. Query texts are embedded on the {@value QueryEmbedder#THREAD_POOL}
 * thread pool. Built-in encoders and the tokenizer's native library are unpacked into the node's
 * temporary folder ({@code java.io.tmpdir}, which the engine lets every plugin write) unless the
 * JVM option {@code -Dferry.cache.dir} names another folder.
 */
public final class FerryPlugin extends Plugin
    implements IngestPlugin, MapperPlugin, SearchPlugin, EnginePlugin {
  /** The folder under the node's config folder that holds one sub-folder per bundle. */
  public static final String BUNDLES_FOLDER = "ferry";

  static final String CACHE_PROPERTY = "ferry.cache.dir";

  /**
   * ONNX Runtime threads per model run of a bundle's encoder on this node ({@code opensearch.yml}):
   * 0, the default, for one per processor; fewer leave cores to indexing and search.
   */
  public static final Setting<Integer> ENCODER_THREADS =
      Setting.intSetting("ferry.encoder.intra_op_threads", 0, 0, Setting.Property.NodeScope);

  private final BundleRegistry bundles;
  private final QueryEmbedder embedder;

  /** Called by the node when it loads the plugin, with the node's config folder. */
  public FerryPlugin(Settings settings, Path configPath) {
    if (System.getProperty(CACHE_PROPERTY) == null) {
      System.setProperty(
          CACHE_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"), "ferry-cache").toString());
    }
    this.bundles =
        new BundleRegistry(
            new ConfigFolderBundleSource(configPath.resolve(BUNDLES_FOLDER)),
            EncoderOptions.defaults().withIntraOpThreads(ENCODER_THREADS.get(settings)));
    this.embedder = new QueryEmbedder(bundles);
  }

  @Override
  public Collection<Object> createComponents(
      Client client,
      ClusterService clusterService,
      ThreadPool threadPool,
      ResourceWatcherService resourceWatcherService,
      ScriptService scriptService,
      NamedXContentRegistry xContentRegistry,
      Environment environment,
      NodeEnvironment nodeEnvironment,
      NamedWriteableRegistry namedWriteableRegistry,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<RepositoriesService> repositoriesServiceSupplier) {
    embedder.start(threadPool);
    return List.of();
  }

  @Override
  public List<Setting<?>> getSettings() {
    return List.of(ENCODER_THREADS);
  }

  @Override
  public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
    return List.of(QueryEmbedder.executorBuilder(settings));
  }

  @Override
  public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
    Client client = parameters.client;
    return FerryProcessorFactories.create(
        bundles,
        client,
        task -> client.threadPool().executor(ThreadPool.Names.WRITE).execute(task));
  }

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(FerryVectorFieldMapper.CONTENT_TYPE, FerryVectorFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(
        new QuerySpec<>(
            FerrySemanticQueryBuilder.NAME,
            in -> new FerrySemanticQueryBuilder(in, embedder),
            parser -> FerrySemanticQueryBuilder.fromXContent(parser, embedder)));
  }

  @Override
  public Optional<CodecServiceFactory> getCustomCodecServiceFactory(IndexSettings indexSettings) {
    return FerryVectorCodecService.appliesTo(indexSettings.getSettings())
        ? Optional.of(FerryVectorCodecService::new)
        : Optional.empty();
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
