package dev.ferry.plugin.ingest;

import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.plugin.bundle.BundleRegistry;
import dev.ferry.plugin.bundle.FeatureReading;
import dev.ferry.plugin.bundle.LoadedBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * The {@code ferry_classify} ingest processor: reads a text field, embeds and classifies it with a
 * Ferry bundle, and writes the results under {@code PREFIX.} ({@link ResultFields}): label,
 * confidence, probabilities, the document's vector (for a {@code ferry_vector} field), optionally
 * every chunk's vector, the bundle, a hash of the text, and what the head read ({@link
 * StoredFeatures}), so that {@code ferry_relabel} can relabel without the encoder.
 *
 * <p>A bulk request reaches {@link #subBatchExecute} in batches of {@code batch_size} documents,
 * which go to the encoder together. Each batch uses the bundle its name (or alias) names when the
 * batch starts ({@link DocumentBatchProcessor}). A document that cannot be classified gets its own
 * failure; the rest of its batch is still classified.
 *
 * <p>With {@code skip_unchanged}, a document whose results still hold (same text hash, same encoder
 * and chunking: {@link PriorResults#stillHold}) is not embedded again: the results it carries, or
 * those of its stored copy in the index (one multi-get per batch), are kept; only the head runs
 * when another bundle of the same encoder labels it.
 */
public final class ClassifyProcessor extends DocumentBatchProcessor {
  /** The processor's name in a pipeline definition. */
  public static final String TYPE = "ferry_classify";

  /** Documents per call to the encoder when the pipeline does not say. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  private final Options options;
  private final StoredResultsLookup lookup;

  ClassifyProcessor(
      String tag,
      String description,
      int batchSize,
      Options options,
      BundleRegistry bundles,
      Executor executor,
      StoredResultsLookup lookup) {
    super(tag, description, batchSize, bundles, options.bundle(), executor);
    this.options = options;
    this.lookup = options.skipUnchanged() ? lookup : null;
  }

  /**
   * The processor's settings, as read from the pipeline definition.
   *
   * @param bundle the bundle's name, or an alias's
   * @param sourceField the field holding the text ({@code field})
   * @param targetPrefix where results go ({@code target_prefix})
   * @param chunking read long texts as the bundle was trained (overlapping windows) when true, only
   *     their first window when false
   * @param ignoreMissing pass documents without the field through unchanged
   * @param chunkVectors also write every chunk's vector ({@code PREFIX.chunk_vectors})
   * @param skipUnchanged keep results whose text and encoder have not changed
   */
  record Options(
      String bundle,
      String sourceField,
      String targetPrefix,
      boolean chunking,
      boolean ignoreMissing,
      boolean chunkVectors,
      boolean skipUnchanged) {}

  /** A document with text to classify. */
  private record Pending(IngestDocumentWrapper wrapper, String text, String hash) {
    IngestDocument document() {
      return wrapper.getIngestDocument();
    }
  }

  @Override
  public String getType() {
    return TYPE;
  }

  /** At once, on this thread: results documents carry are kept; stored copies are not looked up. */
  @Override
  void processNow(LoadedBundle bundle, List<IngestDocumentWrapper> documents) {
    classify(bundle, reuseCarried(bundle, read(documents)));
  }

  @Override
  void process(LoadedBundle bundle, List<IngestDocumentWrapper> documents, Runnable done) {
    List<Pending> open = reuseCarried(bundle, read(documents));
    if (lookup == null || open.isEmpty()) {
      classify(bundle, open);
      done.run();
      return;
    }
    lookup.fetch(
        open.stream().map(Pending::document).toList(),
        stored -> {
          try {
            classify(bundle, reuseStored(bundle, open, stored));
          } finally {
            done.run();
          }
        },
        rejected -> {
          open.forEach(p -> p.wrapper().update(p.document(), rejected));
          done.run();
        });
  }

  /** The documents that have text; the others are marked failed or left as they are. */
  private List<Pending> read(List<IngestDocumentWrapper> documents) {
    List<Pending> pending = new ArrayList<>(documents.size());
    for (IngestDocumentWrapper wrapper : documents) {
      if (wrapper.getException() != null || wrapper.getIngestDocument() == null) {
        continue;
      }
      try {
        String text = text(wrapper.getIngestDocument());
        if (text != null) {
          pending.add(new Pending(wrapper, text, ResultFields.textHash(text)));
        }
      } catch (RuntimeException e) {
        wrapper.update(wrapper.getIngestDocument(), e);
      }
    }
    return pending;
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

  /** With skip_unchanged, keeps the results documents carry where they hold; returns the rest. */
  private List<Pending> reuseCarried(LoadedBundle bundle, List<Pending> pending) {
    if (!options.skipUnchanged()) {
      return pending;
    }
    FeatureReading reading = bundle.reading(options.chunking());
    List<Pending> open = new ArrayList<>();
    HeadOnly relabel = new HeadOnly(bundle, options.targetPrefix());
    for (Pending p : pending) {
      PriorResults prior =
          PriorResults.of(p.document().getFieldValue(options.targetPrefix(), Object.class, true));
      if (prior != null && prior.stillHold(p.hash(), reading, options.chunkVectors())) {
        relabel.addIfFrom(p.wrapper(), prior, bundle.key());
      } else {
        open.add(p);
      }
    }
    relabel.run();
    return open;
  }

  /** Keeps the stored copies' results where they hold; returns the documents still to classify. */
  private List<Pending> reuseStored(
      LoadedBundle bundle, List<Pending> open, List<PriorResults> stored) {
    FeatureReading reading = bundle.reading(options.chunking());
    List<Pending> rest = new ArrayList<>();
    HeadOnly relabel = new HeadOnly(bundle, options.targetPrefix());
    for (int i = 0; i < open.size(); i++) {
      Pending p = open.get(i);
      PriorResults prior = stored.get(i);
      if (prior == null || !prior.stillHold(p.hash(), reading, options.chunkVectors())) {
        rest.add(p);
        continue;
      }
      try {
        p.document().setFieldValue(options.targetPrefix(), prior.fields());
        relabel.addIfFrom(p.wrapper(), prior, bundle.key());
      } catch (RuntimeException e) {
        p.wrapper().update(p.document(), e);
      }
    }
    relabel.run();
    return rest;
  }

  /** Embeds and classifies the documents in one call to the encoder. */
  private void classify(LoadedBundle bundle, List<Pending> pending) {
    if (pending.isEmpty()) {
      return;
    }
    FeatureReading reading = bundle.reading(options.chunking());
    try {
      List<ClassifiedDocument> results =
          bundle
              .classifier()
              .classifyDocuments(
                  pending.stream().map(Pending::text).toList(),
                  FeatureReading.windows(bundle.bundle(), options.chunking()));
      for (int i = 0; i < pending.size(); i++) {
        Pending p = pending.get(i);
        ResultFields.writeClassification(
            p.document(),
            options.targetPrefix(),
            results.get(i),
            bundle.key(),
            reading,
            p.hash(),
            options.chunkVectors());
      }
    } catch (RuntimeException e) {
      pending.forEach(p -> p.wrapper().update(p.document(), e));
    }
  }
}
