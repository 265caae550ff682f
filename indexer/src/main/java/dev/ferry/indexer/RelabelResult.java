package dev.ferry.indexer;

import java.util.Map;

/**
 * What a relabel did.
 *
 * @param bundle the key of the bundle that labels the index now
 * @param documents documents relabeled
 * @param changed documents whose label changed
 * @param labels documents per label afterwards, most first
 * @param seconds wall time
 */
public record RelabelResult(
    String bundle, long documents, long changed, Map<String, Long> labels, double seconds) {}
