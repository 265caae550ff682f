package dev.ferry.indexer.search;

import java.util.List;
import java.util.Map;

/**
 * What a search found.
 *
 * <p>{@code matches} counts the same thing in every mode: the documents that pass the filters and
 * either hold a word of the query ({@code keywordMatches}; {@code bm25} and {@code hybrid}) or are
 * among the nearest by meaning ({@code meaningMatches}: {@link Search#KNN_CANDIDATES}, or k if
 * more; {@code knn} and {@code hybrid}). A mode that does not run a part has 0 for it.
 *
 * @param hits the best documents, best first
 * @param matches documents that matched, as above
 * @param labels documents per label among the matches of the same search without its label filter,
 *     most first (the facet counts, as Elasticsearch's {@code post_filter} leaves aggregations)
 * @param millis time taken, embedding the query included
 * @param keywordMatches matching documents that hold a word of the query
 * @param meaningMatches matching documents among the nearest by meaning
 */
public record SearchResult(
    List<Hit> hits,
    long matches,
    Map<String, Long> labels,
    double millis,
    long keywordMatches,
    long meaningMatches) {}
