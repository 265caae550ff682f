package dev.ferry.plugin.ingest;

import dev.ferry.models.bundle.Prediction;
import dev.ferry.plugin.bundle.LoadedBundle;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.ingest.IngestDocumentWrapper;

/**
 * Labels documents from stored features with a bundle's head alone, no encoder: collects the
 * documents, then runs the head once on all of their features and writes each prediction ({@link
 * ResultFields#writePrediction}). If the head fails, every collected document fails with its error;
 * documents that were not collected are untouched.
 */
final class HeadOnly {
  private final LoadedBundle bundle;
  private final String prefix;
  private final List<IngestDocumentWrapper> documents = new ArrayList<>();
  private final List<float[]> features = new ArrayList<>();

  HeadOnly(LoadedBundle bundle, String prefix) {
    this.bundle = bundle;
    this.prefix = prefix;
  }

  /** Labels {@code document} from {@code values} when {@link #run()} runs. */
  void add(IngestDocumentWrapper document, float[] values) {
    documents.add(document);
    features.add(values);
  }

  /**
   * Labels {@code document} from its prior features unless {@code currentKey}'s bundle already did.
   */
  void addIfFrom(IngestDocumentWrapper document, PriorResults prior, String currentKey) {
    if (!prior.bundleKey().equals(currentKey)) {
      add(document, prior.features().values());
    }
  }

  /** Runs the head on everything added, writes the predictions, and forgets them. */
  void run() {
    if (documents.isEmpty()) {
      return;
    }
    try {
      List<Prediction> predictions =
          bundle.classifier().head().predict(features.toArray(float[][]::new));
      for (int i = 0; i < documents.size(); i++) {
        ResultFields.writePrediction(
            documents.get(i).getIngestDocument(), prefix, predictions.get(i), bundle.key());
      }
    } catch (RuntimeException e) {
      documents.forEach(d -> d.update(d.getIngestDocument(), e));
    } finally {
      documents.clear();
      features.clear();
    }
  }
}
