package dev.ferry.indexer.search;

import java.util.Locale;

/** How a query finds documents. */
public enum SearchMode {
  /** Keywords: BM25 over the documents' text. */
  BM25,
  /** Meaning: the query's vector against every chunk's vector (HNSW), best chunk per document. */
  KNN,
  /** Both, fused by reciprocal rank ({@link Search#RRF_K}). */
  HYBRID;

  /** Parses {@code bm25}, {@code knn} or {@code hybrid} (any case). */
  public static SearchMode fromId(String id) {
    try {
      return valueOf(id.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown search mode '" + id + "': expected bm25, knn or hybrid", e);
    }
  }

  /** The lower-case name used on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
