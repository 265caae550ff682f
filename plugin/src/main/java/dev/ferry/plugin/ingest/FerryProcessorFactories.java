package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.BundleRegistry;
import java.util.Map;
import java.util.concurrent.Executor;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.ingest.Processor;
import org.opensearch.transport.client.Client;

/**
 * Read {@code ferry_classify} and {@code ferry_relabel} definitions and check the bundle each names
 * ({@link BundleRegistry#check}): a name that names no bundle, a name both in the cluster and the
 * config folder, or a config-folder bundle that does not open fails the pipeline's creation with a
 * 400 naming the bundle and what is wrong. This runs on every node, on the thread that applies the
 * cluster state, so it does no network I/O: a bundle stored in the cluster is loaded by the
 * pipeline's first batch.
 */
public final class FerryProcessorFactories {
  private FerryProcessorFactories() {}

  /**
   * The processors by name.
   *
   * @param client the node's client, for {@code skip_unchanged}'s lookups of stored documents
   * @param ingestExecutor where work continues after such a lookup or a bundle's load (the node's
   *     write pool)
   */
  public static Map<String, Processor.Factory> create(
      BundleRegistry bundles, Client client, Executor ingestExecutor) {
    return Map.of(
        ClassifyProcessor.TYPE,
        new Classify(bundles, client, ingestExecutor),
        RelabelProcessor.TYPE,
        new Relabel(bundles, ingestExecutor));
  }

  /** What both processors read: the bundle, the prefix, a default batch size. */
  private abstract static class BundleProcessorFactory extends AbstractBatchingProcessor.Factory {
    private final String type;
    final BundleRegistry bundles;
    final Executor ingestExecutor;
    private final int defaultBatchSize;

    BundleProcessorFactory(
        String type, BundleRegistry bundles, Executor ingestExecutor, int defaultBatchSize) {
      super(type);
      this.type = type;
      this.bundles = bundles;
      this.ingestExecutor = ingestExecutor;
      this.defaultBatchSize = defaultBatchSize;
    }

    @Override
    public AbstractBatchingProcessor create(
        Map<String, Processor.Factory> registry,
        String tag,
        String description,
        Map<String, Object> config)
        throws Exception {
      config.putIfAbsent(AbstractBatchingProcessor.BATCH_SIZE_FIELD, defaultBatchSize);
      return super.create(registry, tag, description, config);
    }

    /** Reads the {@code bundle} option and checks that it names a bundle. */
    String bundle(String tag, Map<String, Object> config) {
      String name = ConfigurationUtils.readStringProperty(type, tag, config, "bundle");
      try {
        bundles.check(name);
        return name;
      } catch (RuntimeException e) {
        throw ConfigurationUtils.newConfigurationException(type, tag, "bundle", e.getMessage());
      }
    }

    String prefix(String tag, Map<String, Object> config) {
      String prefix =
          ConfigurationUtils.readStringProperty(type, tag, config, "target_prefix", "ferry");
      if (prefix.isBlank()) {
        throw ConfigurationUtils.newConfigurationException(
            type,
            tag,
            "target_prefix",
            "must not be empty: the results are under PREFIX.label, PREFIX.confidence, ...");
      }
      return prefix;
    }

    boolean flag(String tag, Map<String, Object> config, String name, boolean defaultValue) {
      return ConfigurationUtils.readBooleanProperty(type, tag, config, name, defaultValue);
    }
  }

  private static final class Classify extends BundleProcessorFactory {
    private final Client client;

    Classify(BundleRegistry bundles, Client client, Executor ingestExecutor) {
      super(ClassifyProcessor.TYPE, bundles, ingestExecutor, ClassifyProcessor.DEFAULT_BATCH_SIZE);
      this.client = client;
    }

    @Override
    protected AbstractBatchingProcessor newProcessor(
        String tag, String description, int batchSize, Map<String, Object> config) {
      ClassifyProcessor.Options options =
          new ClassifyProcessor.Options(
              bundle(tag, config),
              ConfigurationUtils.readStringProperty(
                  ClassifyProcessor.TYPE, tag, config, "field", "text"),
              prefix(tag, config),
              flag(tag, config, "chunking", true),
              flag(tag, config, "ignore_missing", false),
              flag(tag, config, "chunk_vectors", false),
              flag(tag, config, "skip_unchanged", false));
      return new ClassifyProcessor(
          tag,
          description,
          batchSize,
          options,
          bundles,
          ingestExecutor,
          new StoredResultsLookup(client, ingestExecutor, options.targetPrefix()));
    }
  }

  private static final class Relabel extends BundleProcessorFactory {
    Relabel(BundleRegistry bundles, Executor ingestExecutor) {
      super(RelabelProcessor.TYPE, bundles, ingestExecutor, RelabelProcessor.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected AbstractBatchingProcessor newProcessor(
        String tag, String description, int batchSize, Map<String, Object> config) {
      RelabelProcessor.Options options =
          new RelabelProcessor.Options(
              bundle(tag, config),
              prefix(tag, config),
              flag(tag, config, "chunking", true),
              flag(tag, config, "ignore_missing", false));
      return new RelabelProcessor(tag, description, batchSize, options, bundles, ingestExecutor);
    }
  }
}
