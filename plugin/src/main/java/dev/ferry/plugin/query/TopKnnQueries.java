package dev.ferry.plugin.query;

import java.util.Objects;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.DiversifyingChildrenFloatKnnVectorQuery;

/**
 * Lucene's kNN queries, searching the HNSW graph with {@code candidates} (its queue size, the
 * search's ef) but keeping only the best {@code k} of a shard: more candidates find the true
 * neighbours more often (recall), while {@code k} is how many a shard answers with, and so what
 * aggregations count. Lucene's own queries keep all the candidates.
 */
final class TopKnnQueries {
  private TopKnnQueries() {}

  /** One vector per document: the field's best {@code k} of {@code candidates}, filtered. */
  static Query documents(String field, float[] vector, int k, int candidates, Query filter) {
    return new Documents(field, vector, k, candidates, filter);
  }

  /**
   * Vectors in nested documents (a document's chunks): the best chunk of each parent, {@code k}
   * parents of {@code candidates}; the filter applies to the chunks.
   */
  static Query chunks(
      String field,
      float[] vector,
      int k,
      int candidates,
      Query childFilter,
      BitSetProducer parents) {
    return new Chunks(field, vector, k, candidates, childFilter, parents);
  }

  private static final class Documents extends KnnFloatVectorQuery {
    private final int keep;

    Documents(String field, float[] vector, int keep, int candidates, Query filter) {
      super(field, vector, candidates, filter);
      this.keep = keep;
    }

    @Override
    protected TopDocs mergeLeafResults(TopDocs[] perLeafResults) {
      return TopDocs.merge(keep, perLeafResults);
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o) && keep == ((Documents) o).keep;
    }

    @Override
    public int hashCode() {
      return Objects.hash(super.hashCode(), keep);
    }
  }

  private static final class Chunks extends DiversifyingChildrenFloatKnnVectorQuery {
    private final int keep;

    Chunks(
        String field,
        float[] vector,
        int keep,
        int candidates,
        Query childFilter,
        BitSetProducer parents) {
      super(field, vector, childFilter, candidates, parents);
      this.keep = keep;
    }

    @Override
    protected TopDocs mergeLeafResults(TopDocs[] perLeafResults) {
      return TopDocs.merge(keep, perLeafResults);
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o) && keep == ((Chunks) o).keep;
    }

    @Override
    public int hashCode() {
      return Objects.hash(super.hashCode(), keep);
    }
  }
}
