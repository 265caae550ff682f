package dev.ferry.plugin;

import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.plugin.action.BundleNodesAction;
import dev.ferry.plugin.action.BundleUploader;
import dev.ferry.plugin.action.CatalogUpdateAction;
import dev.ferry.plugin.action.GetBundlesAction;
import dev.ferry.plugin.action.PutBundleAction;
import dev.ferry.plugin.action.TransportBundleNodesAction;
import dev.ferry.plugin.action.TransportCatalogUpdateAction;
import dev.ferry.plugin.action.TransportGetBundlesAction;
import dev.ferry.plugin.action.TransportPutBundleAction;
import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.ConfigFolderBundleSource;
import dev.ferry.plugin.ingest.FerryProcessorFactories;
import dev.ferry.plugin.mapper.FerryVectorCodecService;
import dev.ferry.plugin.mapper.FerryVectorFieldMapper;
import dev.ferry.plugin.query.FerrySemanticQueryBuilder;
import dev.ferry.plugin.query.QueryEmbedder;
import dev.ferry.plugin.rest.RestBundlesAction;
import dev.ferry.plugin.store.BundleCache;
import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.BundleIndex;
import dev.ferry.plugin.store.BundleStore;
import dev.ferry.plugin.store.ClusterBundleSource;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.opensearch.action.ActionRequest;
import org.opensearch.cluster.NamedDiff;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.ParseField;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.common.unit.ByteSizeUnit;
import org.opensearch.core.common.unit.ByteSizeValue;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.indices.SystemIndexDescriptor;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.plugins.SystemIndexPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.FixedExecutorBuilder;
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
 * <p>Bundles are stored in the cluster ({@code PUT _plugins/ferry/bundles/NAME}, {@link
 * RestBundlesAction}: a catalog of bundles and aliases in the cluster state, {@link BundleCatalog},
 * and their bytes in the hidden system index {@value BundleIndex#NAME}), or, for air-gapped setups,
 * in the node's {@code config/ferry/} folder ({@link ConfigFolderBundleSource}). Each node loads a
 * bundle once, on first use, into a cache under its data path, and shares it among pipelines and
 * queries ({@link BundleRegistry}). Bundles are fetched and checked on the {@value #BUNDLE_POOL}
 * thread pool; query texts are embedded on the {@value QueryEmbedder#THREAD_POOL} thread pool.
 * Built-in encoders and the tokenizer's native library are unpacked into the node's temporary
 * folder ({@code java.io.tmpdir}, which the engine lets every plugin write) unless the JVM option
 * {@code -Dferry.cache.dir} names another folder.
 */
public final class FerryPlugin extends Plugin
    implements IngestPlugin, MapperPlugin, SearchPlugin, EnginePlugin, SystemIndexPlugin {
  /** The folder under the node's config folder that holds one sub-folder per bundle. */
  public static final String BUNDLES_FOLDER = "ferry";

  /** The thread pool that stores, fetches and opens bundles. */
  public static final String BUNDLE_POOL = "ferry_bundles";

  static final String CACHE_PROPERTY = "ferry.cache.dir";

  /**
   * ONNX Runtime threads per model run of a bundle's encoder on this node ({@code opensearch.yml}):
   * 0, the default, for one per processor; fewer leave cores to indexing and search.
   */
  public static final Setting<Integer> ENCODER_THREADS =
      Setting.intSetting("ferry.encoder.intra_op_threads", 0, 0, Setting.Property.NodeScope);

  /**
   * The most bytes a bundle may have once unzipped ({@code opensearch.yml}); a bigger upload is
   * refused with a 400 before anything is written. 256 MB holds a fine-tuned fp32 12-layer small
   * encoder (about 130 MB) with room to spare.
   */
  public static final Setting<ByteSizeValue> MAX_BUNDLE_SIZE =
      Setting.byteSizeSetting(
          "ferry.bundles.max_size",
          new ByteSizeValue(256, ByteSizeUnit.MB),
          new ByteSizeValue(1, ByteSizeUnit.KB),
          new ByteSizeValue(1, ByteSizeUnit.GB),
          Setting.Property.NodeScope);

  /** Bytes per stored chunk of a bundle file, one document of the system index each. */
  public static final Setting<ByteSizeValue> CHUNK_SIZE =
      Setting.byteSizeSetting(
          "ferry.bundles.chunk_size",
          new ByteSizeValue(1, ByteSizeUnit.MB),
          new ByteSizeValue(1, ByteSizeUnit.KB),
          new ByteSizeValue(16, ByteSizeUnit.MB),
          Setting.Property.NodeScope);

  /** The folder under the node's data path that holds its copies of cluster bundles. */
  static final String CACHE_FOLDER = "ferry-bundles";

  private final Settings settings;
  private final ClusterBundleSource clusterBundles = new ClusterBundleSource();
  private final BundleRegistry bundles;
  private final QueryEmbedder embedder;

  /** Called by the node when it loads the plugin, with the node's config folder. */
  public FerryPlugin(Settings settings, Path configPath) {
    if (System.getProperty(CACHE_PROPERTY) == null) {
      System.setProperty(
          CACHE_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"), "ferry-cache").toString());
    }
    this.settings = settings;
    this.bundles =
        new BundleRegistry(
            new ConfigFolderBundleSource(configPath.resolve(BUNDLES_FOLDER)),
            clusterBundles,
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
    Executor bundlePool = threadPool.executor(BUNDLE_POOL);
    BundleCache cache = new BundleCache(nodeEnvironment.nodeDataPaths()[0].resolve(CACHE_FOLDER));
    cache.removeLeftovers();
    BundleStore store = new BundleStore(client, bundlePool);
    clusterBundles.start(cache, store);
    bundles.start(bundlePool, threadPool.getThreadContext());
    embedder.start(threadPool);
    BundleUploader uploader =
        new BundleUploader(
            client,
            clusterBundles::catalog,
            cache,
            store,
            bundlePool,
            MAX_BUNDLE_SIZE.get(settings).getBytes(),
            Math.toIntExact(CHUNK_SIZE.get(settings).getBytes()));
    return List.of(bundles, store, uploader);
  }

  @Override
  public List<Setting<?>> getSettings() {
    return List.of(ENCODER_THREADS, MAX_BUNDLE_SIZE, CHUNK_SIZE);
  }

  @Override
  public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
    // Two threads: fetching and checking bundles is I/O and hashing, and a queue that bounds the
    // chunk hand-overs waiting behind an upload.
    return List.of(
        QueryEmbedder.executorBuilder(settings),
        new FixedExecutorBuilder(settings, BUNDLE_POOL, 2, 100, "thread_pool." + BUNDLE_POOL));
  }

  @Override
  public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
    return List.of(
        new ActionHandler<>(PutBundleAction.INSTANCE, TransportPutBundleAction.class),
        new ActionHandler<>(CatalogUpdateAction.INSTANCE, TransportCatalogUpdateAction.class),
        new ActionHandler<>(GetBundlesAction.INSTANCE, TransportGetBundlesAction.class),
        new ActionHandler<>(BundleNodesAction.INSTANCE, TransportBundleNodesAction.class));
  }

  @Override
  public List<RestHandler> getRestHandlers(
      Settings nodeSettings,
      RestController restController,
      ClusterSettings clusterSettings,
      IndexScopedSettings indexScopedSettings,
      SettingsFilter settingsFilter,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<DiscoveryNodes> nodesInCluster) {
    return List.of(new RestBundlesAction());
  }

  @Override
  public Collection<SystemIndexDescriptor> getSystemIndexDescriptors(Settings nodeSettings) {
    return List.of(BundleIndex.descriptor());
  }

  @Override
  public List<NamedWriteableRegistry.Entry> getNamedWriteables() {
    return List.of(
        new NamedWriteableRegistry.Entry(
            Metadata.Custom.class, BundleCatalog.TYPE, BundleCatalog::new),
        new NamedWriteableRegistry.Entry(
            NamedDiff.class, BundleCatalog.TYPE, BundleCatalog::readDiffFrom));
  }

  @Override
  public List<NamedXContentRegistry.Entry> getNamedXContent() {
    return List.of(
        new NamedXContentRegistry.Entry(
            Metadata.Custom.class,
            new ParseField(BundleCatalog.TYPE),
            BundleCatalog::fromXContent));
  }

  @Override
  public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
    // Before the node creates pipelines from a cluster state, the registry takes its bundle
    // catalog: a pipeline on a node that just joined names bundles the catalog already has.
    parameters.ingestService.addIngestClusterStateListener(bundles::onClusterState);
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
