package dev.ferry.indexer.search;

import java.util.List;
import java.util.Objects;

/**
 * A search.
 *
 * @param query the text to look for
 * @param mode keywords, meaning, or both
 * @param labels keep only documents with one of these labels; empty for all
 * @param minConfidence keep only documents whose label's probability is at least this; 0 for all
 * @param k hits to return
 */
public record SearchRequest(
    String query, SearchMode mode, List<String> labels, float minConfidence, int k) {
  /** Checks the values. */
  public SearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(mode, "mode");
    labels = List.copyOf(labels);
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, was " + k);
    }
    if (!(minConfidence >= 0 && minConfidence <= 1)) {
      throw new IllegalArgumentException(
          "minimum confidence must be between 0 and 1, was " + minConfidence);
    }
  }

  /** The 10 best documents by {@code mode}, unfiltered. */
  public static SearchRequest of(String query, SearchMode mode) {
    return new SearchRequest(query, mode, List.of(), 0f, 10);
  }

  /** With a label filter. */
  public SearchRequest withLabels(List<String> value) {
    return new SearchRequest(query, mode, value, minConfidence, k);
  }

  /** With a confidence floor. */
  public SearchRequest withMinConfidence(float value) {
    return new SearchRequest(query, mode, labels, value, k);
  }

  /** With another number of hits. */
  public SearchRequest withK(int value) {
    return new SearchRequest(query, mode, labels, minConfidence, value);
  }
}
