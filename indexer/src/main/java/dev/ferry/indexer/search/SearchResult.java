package dev.ferry.indexer.search;

import java.util.List;
import java.util.Map;

/**
 * What a search found.
 *
 * @param hits the best documents, best first
 * @param matches documents that matched: all BM25 matches; for kNN the nearest documents looked at;
 *     for hybrid the union of both
 * @param labels documents per label among those {@code matches}, most first (the facet counts)
 * @param millis time taken, embedding the query included
 */
public record SearchResult(List<Hit> hits, long matches, Map<String, Long> labels, double millis) {}
