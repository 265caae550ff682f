package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.FeatureReading;
import dev.ferry.plugin.bundle.LoadedBundle;
import java.util.List;
import java.util.concurrent.Executor;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * The {@code ferry_relabel} ingest processor: labels a document again with another bundle's head
 * from the features {@code ferry_classify} stored in it ({@code PREFIX.features}), without the
 * encoder, and rewrites {@code PREFIX.label}, {@code confidence}, {@code probabilities} and {@code
 * bundle}; the vector, the text hash and the features stay. Run it over an index with {@code POST
 * INDEX/_update_by_query?pipeline=NAME}.
 *
 * <p>A head can only read features of the encoder and chunking it was trained on. A document whose
 * features were read otherwise ({@link FeatureReading}: another encoder file, pooling, length,
 * chunking or head pooling) fails on its own, saying what differs; it is left unchanged, never
 * labeled from another encoder's numbers.
 *
 * <p>Each batch uses the bundle its name (or alias) names when the batch starts, so a relabel
 * pipeline that names an alias relabels with whichever bundle the alias names then.
 */
public final class RelabelProcessor extends DocumentBatchProcessor {
  /** The processor's name in a pipeline definition. */
  public static final String TYPE = "ferry_relabel";

  /**
   * Documents per run of the head when the pipeline does not say: one scroll page of
   * _update_by_query.
   */
  public static final int DEFAULT_BATCH_SIZE = 1000;

  private final Options options;
  private final String field;

  RelabelProcessor(
      String tag,
      String description,
      int batchSize,
      Options options,
      BundleRegistry bundles,
      Executor executor) {
    super(tag, description, batchSize, bundles, options.bundle(), executor);
    this.options = options;
    this.field = options.targetPrefix() + "." + StoredFeatures.FIELD;
  }

  /**
   * The processor's settings, as read from the pipeline definition.
   *
   * @param bundle the new bundle's name, or an alias's
   * @param targetPrefix where {@code ferry_classify} wrote its results ({@code target_prefix})
   * @param chunking whether the documents were classified with chunking on (the default) or off;
   *     the features must have been read as this bundle reads with that setting
   * @param ignoreMissing pass documents without stored features through unchanged
   */
  record Options(String bundle, String targetPrefix, boolean chunking, boolean ignoreMissing) {}

  @Override
  public String getType() {
    return TYPE;
  }

  @Override
  void processNow(LoadedBundle bundle, List<IngestDocumentWrapper> documents) {
    FeatureReading reading = bundle.reading(options.chunking());
    HeadOnly head = new HeadOnly(bundle, options.targetPrefix());
    for (IngestDocumentWrapper wrapper : documents) {
      if (wrapper.getException() != null || wrapper.getIngestDocument() == null) {
        continue;
      }
      try {
        float[] values = features(bundle, reading, wrapper.getIngestDocument());
        if (values != null) {
          head.add(wrapper, values);
        }
      } catch (RuntimeException e) {
        wrapper.update(wrapper.getIngestDocument(), e);
      }
    }
    head.run();
  }

  /**
   * The document's stored features, checked against this bundle's reading; null if missing and
   * ignored.
   */
  private float[] features(LoadedBundle bundle, FeatureReading reading, IngestDocument document) {
    Object stored = document.getFieldValue(field, Object.class, true);
    if (stored == null) {
      if (options.ignoreMissing()) {
        return null;
      }
      throw new IllegalArgumentException(
          "["
              + field
              + "] is missing: "
              + TYPE
              + " labels from the features "
              + ClassifyProcessor.TYPE
              + " stores there; classify the document with "
              + ClassifyProcessor.TYPE
              + " first and keep ["
              + field
              + "] in _source (or set ignore_missing to pass such documents through)");
    }
    StoredFeatures features = StoredFeatures.fromMap(field, stored);
    List<String> differences =
        features
            .reading()
            .differences(reading, "in the document", "in bundle '" + bundle.name() + "'");
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "bundle '"
              + bundle.name()
              + "' cannot relabel this document: its ["
              + field
              + "] were read by "
              + features.reading()
              + ", but '"
              + bundle.name()
              + "' reads documents as "
              + reading
              + " ("
              + String.join("; ", differences)
              + "); a head only reads features of the encoder and chunking it was trained on:"
              + " relabel with a bundle trained on the document's encoder and chunking, or classify"
              + " the document again with "
              + ClassifyProcessor.TYPE
              + " and '"
              + bundle.name()
              + "'");
    }
    if (features.values().length != bundle.bundle().headWidth()) {
      throw new IllegalArgumentException(
          "["
              + field
              + "] holds "
              + features.values().length
              + " numbers but bundle '"
              + bundle.name()
              + "' reads "
              + bundle.bundle().headWidth()
              + "; the stored features are damaged: classify "
              + "the document again with "
              + ClassifyProcessor.TYPE);
    }
    return features.values();
  }
}
