package dev.ferry.plugin.mapper;

import java.util.Map;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.index.mapper.ArraySourceValueFetcher;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The search side of a {@code ferry_vector} field: its width, similarity and HNSW settings, for the
 * {@code ferry_semantic} query and for {@link FerryVectorCodecService}. It answers {@code exists}
 * queries; term, range and the other value queries are refused, saying to use {@code
 * ferry_semantic}.
 */
public final class FerryVectorFieldType extends MappedFieldType {
  private final int dimension;
  private final VectorSimilarity similarity;
  private final HnswGraph graph;

  /**
   * HNSW build settings of a field: neighbours per node ({@code m}) and the candidate queue while
   * building ({@code ef_construction}).
   */
  public record HnswGraph(int m, int efConstruction) {}

  /**
   * A field type.
   *
   * @param graph the field's own HNSW settings, or null for Lucene's defaults (m 16,
   *     ef_construction 100)
   */
  public FerryVectorFieldType(
      String name,
      int dimension,
      VectorSimilarity similarity,
      HnswGraph graph,
      Map<String, String> meta) {
    super(name, true, false, false, TextSearchInfo.NONE, meta);
    this.dimension = dimension;
    this.similarity = similarity;
    this.graph = graph;
  }

  /** Values per vector. */
  public int dimension() {
    return dimension;
  }

  /** How vectors compare. */
  public VectorSimilarity similarity() {
    return similarity;
  }

  /** The field's own HNSW settings, or null for Lucene's defaults. */
  public HnswGraph graph() {
    return graph;
  }

  @Override
  public String typeName() {
    return FerryVectorFieldMapper.CONTENT_TYPE;
  }

  @Override
  public ValueFetcher valueFetcher(
      QueryShardContext context, SearchLookup searchLookup, String format) {
    if (format != null) {
      throw new IllegalArgumentException(
          "Field [" + name() + "] of type [" + typeName() + "] doesn't support formats.");
    }
    return new ArraySourceValueFetcher(name(), context) {
      @Override
      protected Object parseSourceValue(Object value) {
        return value;
      }
    };
  }

  @Override
  public Query existsQuery(QueryShardContext context) {
    return new FieldExistsQuery(name());
  }

  @Override
  public Query termQuery(Object value, QueryShardContext context) {
    throw new IllegalArgumentException(
        "Field ["
            + name()
            + "] of type ["
            + typeName()
            + "] does not support term "
            + "queries; search it by meaning with a ferry_semantic query");
  }
}
