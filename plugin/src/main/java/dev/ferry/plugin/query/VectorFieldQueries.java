package dev.ferry.plugin.query;

import dev.ferry.plugin.mapper.FerryVectorFieldMapper;
import dev.ferry.plugin.mapper.FerryVectorFieldType;
import java.io.IOException;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.ScoreMode;
import org.apache.lucene.search.join.ToChildBlockJoinQuery;
import org.apache.lucene.search.join.ToParentBlockJoinQuery;
import org.opensearch.common.lucene.search.Queries;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.ObjectMapper;
import org.opensearch.index.query.QueryShardContext;

/**
 * Turns a query vector into the Lucene query a shard runs against a {@code ferry_vector} field.
 *
 * <ul>
 *   <li>A field of the document itself ({@code ferry.vector}): a filtered HNSW search, the best
 *       {@code k} of {@code num_candidates}.
 *   <li>A field in a {@code nested} object ({@code ferry.chunk_vectors.vector}, one per chunk): the
 *       chunks are searched in one HNSW graph keeping the best chunk of each document ({@link
 *       org.apache.lucene.search.join.DiversifyingChildrenFloatKnnVectorQuery}), the filter (on
 *       documents) reaching the chunks through a block join, and each hit is the document, scored
 *       by its best chunk; so {@code k} hits are {@code k} documents, as in Ferry's embedded
 *       indexer.
 * </ul>
 *
 * Either way the filter is applied during the graph search (Lucene searches exactly when it is very
 * selective), so a filtered query still finds {@code k} documents when there are that many.
 */
final class VectorFieldQueries {
  private VectorFieldQueries() {}

  static Query build(QueryShardContext context, FerrySemanticQueryBuilder q, float[] vector)
      throws IOException {
    String name = FerrySemanticQueryBuilder.NAME;
    MappedFieldType mapped = context.fieldMapper(q.field());
    if (mapped == null) {
      if (q.ignoreUnmapped()) {
        return new MatchNoDocsQuery("[" + name + "] field [" + q.field() + "] is not mapped");
      }
      throw new IllegalArgumentException(
          "["
              + name
              + "] field ["
              + q.field()
              + "] is not mapped in index ["
              + context.index().getName()
              + "]: map it as "
              + FerryVectorFieldMapper.CONTENT_TYPE
              + ", or set ignore_unmapped to match nothing there");
    }
    if (!(mapped instanceof FerryVectorFieldType type)) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] field ["
              + q.field()
              + "] is of type ["
              + mapped.typeName()
              + "]; "
              + name
              + " searches "
              + FerryVectorFieldMapper.CONTENT_TYPE
              + " fields");
    }
    if (vector.length != type.dimension()) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] field ["
              + q.field()
              + "] holds vectors of "
              + type.dimension()
              + " values but the query's has "
              + vector.length
              + (q.bundle() == null ? "" : " (embedded by bundle '" + q.bundle() + "')")
              + "; search it with the bundle whose encoder filled it");
    }
    Query filter = q.filter() == null ? null : q.filter().toQuery(context);
    ObjectMapper nested = nestedParent(context, q.field());
    if (nested == null) {
      return TopKnnQueries.documents(q.field(), vector, q.k(), q.numCandidates(), filter);
    }
    if (context.nestedScope().getObjectMapper() != null) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] field ["
              + q.field()
              + "] is in the nested object ["
              + nested.fullPath()
              + "]: "
              + name
              + " joins its vectors to their documents itself; use it outside a "
              + "nested query");
    }
    if (nestedParent(context, nested.fullPath()) != null) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] field ["
              + q.field()
              + "] is nested two levels deep; "
              + name
              + " searches vectors of the document or of one level of nested objects");
    }
    Query documents = Queries.newNonNestedFilter();
    BitSetProducer parents = context.bitsetFilter(documents);
    BooleanQuery.Builder chunks =
        new BooleanQuery.Builder().add(nested.nestedTypeFilter(), BooleanClause.Occur.FILTER);
    if (filter != null) {
      Query parentFilter =
          new BooleanQuery.Builder()
              .add(filter, BooleanClause.Occur.FILTER)
              .add(documents, BooleanClause.Occur.FILTER)
              .build();
      chunks.add(new ToChildBlockJoinQuery(parentFilter, parents), BooleanClause.Occur.FILTER);
    }
    Query best =
        TopKnnQueries.chunks(q.field(), vector, q.k(), q.numCandidates(), chunks.build(), parents);
    return new ToParentBlockJoinQuery(best, parents, ScoreMode.Max);
  }

  /** The nearest nested object above {@code path}, or null. */
  private static ObjectMapper nestedParent(QueryShardContext context, String path) {
    for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      ObjectMapper object = context.getObjectMapper(path.substring(0, dot));
      if (object != null && object.nested().isNested()) {
        return object;
      }
    }
    return null;
  }
}
