package dev.ferry.indexer;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a relabel did.
 *
 * @param bundle the key of the bundle that labels the index now
 * @param documents documents relabeled
 * @param changed documents whose label changed
 * @param labels documents per label afterwards, most first
 * @param seconds wall time
 * @param changes the documents whose label changed, per old label and new label (old → new →
 *     count), sorted by label; a document that had no label counts under the old label "?"
 */
public record RelabelResult(
    String bundle,
    long documents,
    long changed,
    Map<String, Long> labels,
    double seconds,
    Map<String, Map<String, Long>> changes) {
  /** Copies the changes, sorted. */
  public RelabelResult {
    Map<String, Map<String, Long>> sorted = new TreeMap<>();
    changes.forEach(
        (from, to) -> sorted.put(from, java.util.Collections.unmodifiableMap(new TreeMap<>(to))));
    changes = java.util.Collections.unmodifiableMap(sorted);
  }
}
