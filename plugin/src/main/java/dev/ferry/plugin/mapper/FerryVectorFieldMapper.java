package dev.ferry.plugin.mapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.MapperParsingException;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * The {@code ferry_vector} field: one float vector per document, indexed in Lucene's HNSW graph
 * ({@link KnnFloatVectorField}) for the {@code ferry_semantic} query, and kept in {@code _source}
 * as the array it came as.
 *
 * <pre>{@code
 * "vector": {"type": "ferry_vector", "dimension": 384, "similarity": "dot_product", "m": 16, "ef_construction": 100}
 * }</pre>
 *
 * <p>{@code dimension} is required (at most {@value KnnVectorsFormat#DEFAULT_MAX_DIMENSIONS},
 * Lucene's HNSW limit); {@code similarity} is {@code dot_product}, {@code cosine} (the default) or
 * {@code l2} ({@link VectorSimilarity}); {@code m} and {@code ef_construction} set how the graph is
 * built (Lucene's defaults, 16 and 100, otherwise; see {@link FerryVectorCodecService}). A document
 * whose value is not an array of that many finite numbers (or, for dot_product, not a unit vector)
 * is refused with a 400 naming the field. For several vectors per document (a document's chunks),
 * put the field in a {@code nested} object.
 */
public final class FerryVectorFieldMapper extends ParametrizedFieldMapper {
  /** The field type's name in mappings. */
  public static final String CONTENT_TYPE = "ferry_vector";

  /** Parses mappings. */
  public static final TypeParser PARSER = new TypeParser((name, context) -> new Builder(name));

  private final FieldType luceneType;

  private FerryVectorFieldMapper(String simpleName, FerryVectorFieldType type) {
    super(simpleName, type, MultiFields.empty(), CopyTo.empty());
    this.luceneType =
        KnnFloatVectorField.createFieldType(type.dimension(), type.similarity().lucene());
  }

  /** Reads a {@code ferry_vector} mapping. */
  public static final class Builder extends ParametrizedFieldMapper.Builder {
    private final Parameter<Integer> dimension =
        Parameter.intParam("dimension", false, m -> type(m).dimension(), -1)
            .setValidator(this::checkDimension);
    private final Parameter<String> similarity =
        Parameter.restrictedStringParam(
            "similarity", false, m -> type(m).similarity().id(), similarities());
    private final Parameter<Integer> neighbours =
        Parameter.intParam(
                "m", false, m -> graphOf(m).m(), Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN)
            .setValidator(v -> checkRange("m", v, Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN));
    private final Parameter<Integer> efConstruction =
        Parameter.intParam(
                "ef_construction",
                false,
                m -> graphOf(m).efConstruction(),
                Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH)
            .setValidator(
                v ->
                    checkRange("ef_construction", v, Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH));
    private final Parameter<Map<String, String>> meta = Parameter.metaParam();

    Builder(String name) {
      super(name);
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return List.of(dimension, similarity, neighbours, efConstruction, meta);
    }

    @Override
    public FerryVectorFieldMapper build(BuilderContext context) {
      FerryVectorFieldType.HnswGraph graph =
          neighbours.isConfigured() || efConstruction.isConfigured()
              ? new FerryVectorFieldType.HnswGraph(neighbours.getValue(), efConstruction.getValue())
              : null;
      if (graph != null && !FerryVectorCodecService.appliesTo(context.indexSettings())) {
        throw new MapperParsingException(
            "["
                + name
                + "] m and ef_construction are applied by Ferry's codec, which "
                + "this index does not use ("
                + FerryVectorCodecService.whyNot(context.indexSettings())
                + "); leave them "
                + "out to build the graph with Lucene's defaults (m 16, ef_construction 100)");
      }
      FerryVectorFieldType type =
          new FerryVectorFieldType(
              buildFullName(context),
              dimension.getValue(),
              VectorSimilarity.fromId(similarity.getValue()),
              graph,
              meta.getValue());
      return new FerryVectorFieldMapper(name, type);
    }

    private void checkDimension(int value) {
      if (value < 1 || value > KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS) {
        throw new MapperParsingException(
            "["
                + name
                + "] a "
                + CONTENT_TYPE
                + " field needs \"dimension\": the "
                + "encoder's vector width, from 1 to "
                + KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS
                + " (Lucene's HNSW limit; "
                + "384 for Ferry's built-in encoders)"
                + (value == -1 ? "" : ", found " + value));
      }
    }

    private void checkRange(String parameter, int value, int max) {
      if (value < 1 || value > max) {
        throw new MapperParsingException(
            "[" + name + "] " + parameter + " must be from 1 to " + max + ", found " + value);
      }
    }

    /** The similarities, the default (cosine) first. */
    private static String[] similarities() {
      List<String> ids = new ArrayList<>(List.of(VectorSimilarity.ids()));
      ids.remove(VectorSimilarity.COSINE.id());
      ids.add(0, VectorSimilarity.COSINE.id());
      return ids.toArray(String[]::new);
    }
  }

  private static FerryVectorFieldType type(FieldMapper mapper) {
    return (FerryVectorFieldType) mapper.fieldType();
  }

  private static FerryVectorFieldType.HnswGraph graphOf(FieldMapper mapper) {
    FerryVectorFieldType.HnswGraph graph = type(mapper).graph();
    return graph != null
        ? graph
        : new FerryVectorFieldType.HnswGraph(
            Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN,
            Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH);
  }

  @Override
  public FerryVectorFieldType fieldType() {
    return (FerryVectorFieldType) super.fieldType();
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }

  /** The value is an array: the mapper reads the whole of it. */
  @Override
  public boolean parsesArrayValue() {
    return true;
  }

  @Override
  protected void parseCreateField(ParseContext context) throws IOException {
    XContentParser parser = context.parser();
    if (parser.currentToken() == XContentParser.Token.VALUE_NULL) {
      return;
    }
    float[] vector = readVector(parser);
    fieldType().similarity().check(name(), vector);
    if (context.doc().getByKey(name()) != null) {
      throw new IllegalArgumentException(
          "["
              + name()
              + "] takes one vector per document; for several (a "
              + "document's chunks) map the object that holds it as \"nested\"");
    }
    context.doc().addWithKey(name(), new KnnFloatVectorField(name(), vector, luceneType));
  }

  private float[] readVector(XContentParser parser) throws IOException {
    int dimension = fieldType().dimension();
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new IllegalArgumentException(
          "["
              + name()
              + "] expects an array of "
              + dimension
              + " numbers, found "
              + parser.currentToken());
    }
    float[] vector = new float[dimension];
    int n = 0;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t != XContentParser.Token.VALUE_NUMBER) {
        throw new IllegalArgumentException(
            "["
                + name()
                + "] expects an array of "
                + dimension
                + " numbers, found "
                + t
                + " at position "
                + n);
      }
      if (n < dimension) {
        vector[n] = parser.floatValue();
      }
      n++;
    }
    if (n != dimension) {
      throw new IllegalArgumentException(
          "["
              + name()
              + "] has dimension "
              + dimension
              + " in the mapping, but the "
              + "document gives "
              + n
              + " numbers; embed with an encoder of that width or map the field anew");
    }
    return vector;
  }
}
