package dev.ferry.plugin;

import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.encoder.Chunking;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * The {@code ferry_classify} ingest processor: reads a text field, classifies it with a Ferry
 * bundle, and writes {@code PREFIX.label}, {@code PREFIX.confidence}, {@code PREFIX.probabilities}
 * (one number per label), {@code PREFIX.vector} and {@code PREFIX.chunks} (windows read) into the
 * document.
 *
 * <p>A bulk request reaches {@link #subBatchExecute} in batches of {@code batch_size} documents,
 * which go to the encoder together (it sorts them by length and pads each group only to its longest
 * text). A document that cannot be classified gets its own failure; the rest of its batch is still
 * classified. The pipeline's {@code on_failure} and {@code ignore_failure} apply per document as
 * for any processor.
 */
final class ClassifyProcessor extends AbstractBatchingProcessor {
  /** The processor's name in a pipeline definition. */
  static final String TYPE = "ferry_classify";

  /** Documents per call to the encoder when the pipeline does not say. */
  static final int DEFAULT_BATCH_SIZE = 64;

  private final Options options;
  private final Classifier classifier;
  private final Chunking chunking;

  ClassifyProcessor(
      String tag, String description, int batchSize, Options options, Classifier classifier) {
    super(tag, description, batchSize);
    this.options = options;
    this.classifier = classifier;
    this.chunking = options.chunking() ? classifier.chunking() : Chunking.FIRST_WINDOW;
  }

  /**
   * The processor's settings, as read from the pipeline definition.
   *
   * @param bundle the bundle's folder name under {@code config/ferry/}
   * @param sourceField the field holding the text ({@code field})
   * @param targetPrefix where results go: {@code PREFIX.label}, ... ({@code target_prefix})
   * @param chunking read long texts as the bundle was trained (overlapping windows) when true, only
   *     their first window when false
   * @param ignoreMissing pass documents without the field through unchanged
   */
  record Options(
      String bundle,
      String sourceField,
      String targetPrefix,
      boolean chunking,
      boolean ignoreMissing) {}

  @Override
  public String getType() {
    return TYPE;
  }

  @Override
  public IngestDocument execute(IngestDocument document) throws Exception {
    IngestDocumentWrapper one = new IngestDocumentWrapper(0, 0, document, null);
    classify(List.of(one));
    if (one.getException() != null) {
      throw one.getException();
    }
    return one.getIngestDocument();
  }

  @Override
  protected void subBatchExecute(
      List<IngestDocumentWrapper> documents, Consumer<List<IngestDocumentWrapper>> handler) {
    classify(documents);
    handler.accept(documents);
  }

  /**
   * Classifies every document that has text; marks the others failed or leaves them as they are.
   */
  private void classify(List<IngestDocumentWrapper> documents) {
    List<IngestDocumentWrapper> pending = new ArrayList<>(documents.size());
    List<String> texts = new ArrayList<>(documents.size());
    for (IngestDocumentWrapper wrapper : documents) {
      if (wrapper.getException() != null || wrapper.getIngestDocument() == null) {
        continue;
      }
      try {
        String text = text(wrapper.getIngestDocument());
        if (text != null) {
          pending.add(wrapper);
          texts.add(text);
        }
      } catch (RuntimeException e) {
        wrapper.update(wrapper.getIngestDocument(), e);
      }
    }
    if (texts.isEmpty()) {
      return;
    }
    try {
      List<ClassifiedDocument> results = classifier.classifyDocuments(texts, chunking);
      for (int i = 0; i < pending.size(); i++) {
        write(pending.get(i).getIngestDocument(), results.get(i));
      }
    } catch (RuntimeException e) {
      for (IngestDocumentWrapper wrapper : pending) {
        wrapper.update(wrapper.getIngestDocument(), e);
      }
    }
  }

  /** The document's text, or null when it has none and {@code ignore_missing} is set. */
  private String text(IngestDocument document) {
    Object value =
        document.getFieldValue(options.sourceField(), Object.class, options.ignoreMissing());
    if (value == null) {
      if (options.ignoreMissing()) {
        return null;
      }
      throw new IllegalArgumentException(
          "field ["
              + options.sourceField()
              + "] is null, cannot classify it "
              + "(set ignore_missing to pass such documents through unlabeled)");
    }
    if (!(value instanceof String text)) {
      throw new IllegalArgumentException(
          "field ["
              + options.sourceField()
              + "] of type ["
              + value.getClass().getName()
              + "] cannot be classified: expected a string");
    }
    return text;
  }

  private void write(IngestDocument document, ClassifiedDocument result) {
    Prediction prediction = result.prediction();
    float[] vector = result.embedding().vector();
    String prefix = options.targetPrefix();
    document.setFieldValue(prefix + ".label", prediction.label());
    document.setFieldValue(prefix + ".confidence", prediction.confidence());
    Map<String, Object> probabilities = new LinkedHashMap<>();
    for (int i = 0; i < prediction.labels().size(); i++) {
      probabilities.put(prediction.labels().get(i), prediction.probabilities()[i]);
    }
    document.setFieldValue(prefix + ".probabilities", probabilities);
    List<Float> values = new ArrayList<>(vector.length);
    for (float v : vector) {
      values.add(v);
    }
    document.setFieldValue(prefix + ".vector", values);
    document.setFieldValue(prefix + ".chunks", result.embedding().chunks().size());
  }

  /** Reads {@code ferry_classify} definitions; opens (once) the bundle each one names. */
  static final class Factory extends AbstractBatchingProcessor.Factory {
    private final BundleRegistry bundles;

    Factory(BundleRegistry bundles) {
      super(TYPE);
      this.bundles = bundles;
    }

    @Override
    public AbstractBatchingProcessor create(
        Map<String, org.opensearch.ingest.Processor.Factory> registry,
        String tag,
        String description,
        Map<String, Object> config)
        throws Exception {
      config.putIfAbsent(BATCH_SIZE_FIELD, DEFAULT_BATCH_SIZE);
      return super.create(registry, tag, description, config);
    }

    @Override
    protected AbstractBatchingProcessor newProcessor(
        String tag, String description, int batchSize, Map<String, Object> config) {
      Options options =
          new Options(
              ConfigurationUtils.readStringProperty(TYPE, tag, config, "bundle"),
              ConfigurationUtils.readStringProperty(TYPE, tag, config, "field", "text"),
              ConfigurationUtils.readStringProperty(TYPE, tag, config, "target_prefix", "ferry"),
              ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "chunking", true),
              ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "ignore_missing", false));
      if (options.targetPrefix().isBlank()) {
        throw ConfigurationUtils.newConfigurationException(
            TYPE,
            tag,
            "target_prefix",
            "must not be empty: the results are written under PREFIX.label, PREFIX.confidence, ...");
      }
      Classifier classifier;
      try {
        classifier = bundles.classifier(options.bundle());
      } catch (RuntimeException e) {
        throw ConfigurationUtils.newConfigurationException(TYPE, tag, "bundle", e.getMessage());
      }
      return new ClassifyProcessor(tag, description, batchSize, options, classifier);
    }
  }
}
