package dev.ferry.indexer;

import java.util.List;
import java.util.Map;

/**
 * What an index holds, as of its last commit ({@link FerryIndex#stats()}).
 *
 * @param documents live documents
 * @param chunks live chunks (one vector each)
 * @param labels documents per label, most first
 * @param bundles documents per bundle key, most first
 * @param labelSets documents per set of labels their bundles chose from, most first: one set,
 *     unless an ingest was allowed to change labels ({@link IngestOptions#allowLabelChange()})
 * @param encoder the encoder id every vector came from, or null for an empty index
 * @param progress the last ingest's input progress, as recorded in the commit (may be empty);
 *     {@link IngestProgress#of} reads it
 */
public record IndexStats(
    long documents,
    long chunks,
    Map<String, Long> labels,
    Map<String, Long> bundles,
    List<LabelSet> labelSets,
    String encoder,
    Map<String, String> progress) {
  /** Copies the list. */
  public IndexStats {
    labelSets = List.copyOf(labelSets);
  }

  /**
   * Documents labeled from one set of labels.
   *
   * @param labels the labels, sorted
   * @param bundles the keys of the bundles with these labels that labeled them, most documents
   *     first
   * @param documents how many documents
   */
  public record LabelSet(List<String> labels, List<String> bundles, long documents) {
    /** Copies the lists. */
    public LabelSet {
      labels = List.copyOf(labels);
      bundles = List.copyOf(bundles);
    }
  }

  /** Whether documents carry labels of more than one label set. */
  public boolean mixedLabelSets() {
    return labelSets.size() > 1;
  }

  /**
   * Whether the last ingest has not read its input to the end: it is running, or it stopped (a
   * resume goes on from where it committed).
   */
  public boolean ingestIncomplete() {
    IngestProgress last = IngestProgress.of(progress);
    return last != null && !last.complete();
  }
}
