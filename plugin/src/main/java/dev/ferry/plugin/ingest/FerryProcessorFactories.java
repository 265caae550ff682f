package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.LoadedBundle;
import java.util.Map;
import java.util.concurrent.Executor;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.ingest.Processor;
import org.opensearch.transport.client.Client;

/**
 * Read {@code ferry_classify} and {@code ferry_relabel} definitions and open (once per node, in the
 * {@link BundleRegistry}) the bundle each names. A missing or broken bundle fails the pipeline's
 * creation with a 400 naming the bundle and what is wrong.
 */
public final class FerryProcessorFactories {
  private FerryProcessorFactories() {}

  /**
   * The processors by name.
   *
   * @param client the node's client, for {@code skip_unchanged}'s lookups of stored documents
   * @param ingestExecutor where work continues after such a lookup (the node's write pool)
   */
  public static Map<String, Processor.Factory> create(
      BundleRegistry bundles, Client client, Executor ingestExecutor) {
    return Map.of(
        ClassifyProcessor.TYPE,
        new Classify(bundles, client, ingestExecutor),
        RelabelProcessor.TYPE,
        new Relabel(bundles));
  }

  /** What both processors read: the bundle, the prefix, a default batch size. */
  private abstract static class BundleProcessorFactory extends AbstractBatchingProcessor.Factory {
    private final String type;
    private final BundleRegistry bundles;
    private final int defaultBatchSize;

    BundleProcessorFactory(String type, BundleRegistry bundles, int defaultBatchSize) {
      super(type);
      this.type = type;
      this.bundles = bundles;
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

    LoadedBundle bundle(String tag, String name) {
      try {
        return bundles.get(name);
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
    private final Executor ingestExecutor;

    Classify(BundleRegistry bundles, Client client, Executor ingestExecutor) {
      super(ClassifyProcessor.TYPE, bundles, ClassifyProcessor.DEFAULT_BATCH_SIZE);
      this.client = client;
      this.ingestExecutor = ingestExecutor;
    }

    @Override
    protected AbstractBatchingProcessor newProcessor(
        String tag, String description, int batchSize, Map<String, Object> config) {
      String name =
          ConfigurationUtils.readStringProperty(ClassifyProcessor.TYPE, tag, config, "bundle");
      ClassifyProcessor.Options options =
          new ClassifyProcessor.Options(
              name,
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
          bundle(tag, name),
          new StoredResultsLookup(client, ingestExecutor, options.targetPrefix()));
    }
  }

  private static final class Relabel extends BundleProcessorFactory {
    Relabel(BundleRegistry bundles) {
      super(RelabelProcessor.TYPE, bundles, RelabelProcessor.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected AbstractBatchingProcessor newProcessor(
        String tag, String description, int batchSize, Map<String, Object> config) {
      String name =
          ConfigurationUtils.readStringProperty(RelabelProcessor.TYPE, tag, config, "bundle");
      RelabelProcessor.Options options =
          new RelabelProcessor.Options(
              name,
              prefix(tag, config),
              flag(tag, config, "chunking", true),
              flag(tag, config, "ignore_missing", false));
      return new RelabelProcessor(tag, description, batchSize, options, bundle(tag, name));
    }
  }
}
